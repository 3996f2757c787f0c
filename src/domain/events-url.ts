/**
 * The outbound URL rule for event receivers: orgscim POSTs SETs to a URL an organization's admin
 * chose, so that URL must not reach what only the server can reach (SSRF): https only, no
 * credentials in it, and no loopback, private, link-local, unique-local, multicast or unspecified
 * address, whether written in the URL or what its host name resolves to when a SET is sent (the
 * delivery checks the address it connects to: src/infra/set-push.ts). EVENTS_ALLOW_PRIVATE_RECEIVERS
 * lifts the address rule and allows plain http, for tests and labs on one machine.
 */
import { BlockList, isIP } from "node:net";
import { Errors } from "./errors";

const BLOCKED = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) BLOCKED.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8], ["64:ff9b::", 96], ["100::", 64]] as const) {
  BLOCKED.addSubnet(net, bits, "ipv6");
}

/** Whether an IP address is one a receiver may not have (IPv4-mapped IPv6 addresses are judged as IPv4). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return BLOCKED.check(mapped[1]!, "ipv4");
  const family = isIP(address);
  if (family === 0) return true;
  return BLOCKED.check(address, family === 4 ? "ipv4" : "ipv6");
}

/** The receiver URL, normalised, or an invalidValue error saying what to change. */
export function checkReceiverUrl(raw: string, allowPrivate: boolean): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw Errors.invalidValue(`endpoint_url is not a URL: ${JSON.stringify(raw.slice(0, 200))}. Give the receiver's https URL.`);
  }
  if (url.protocol !== "https:" && !(allowPrivate && url.protocol === "http:")) {
    throw Errors.invalidValue("endpoint_url must be https (SETs carry who changed; RFC 9967 §5 asks for TLS).");
  }
  if (url.username || url.password) throw Errors.invalidValue("endpoint_url must not carry credentials (user:password@); the SETs are signed instead.");
  if (url.hash) throw Errors.invalidValue("endpoint_url must not have a #fragment.");
  if (!allowPrivate) {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (isIP(host) !== 0 ? isPrivateAddress(host) : /(^|\.)localhost\.?$/i.test(host) || !host.includes(".")) {
      throw Errors.invalidValue(`endpoint_url's host ${host} is a loopback, private or local address; a receiver must be reachable on a public address (EVENTS_ALLOW_PRIVATE_RECEIVERS=true allows others, for tests).`);
    }
  }
  return url.toString();
}
