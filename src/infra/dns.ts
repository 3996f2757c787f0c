/**
 * The DNS port (src/domain/ports/dns.ts) over node:dns/promises `Resolver`: the servers of
 * DNS_SERVERS (the system's resolvers when unset), a per-try timeout and a bounded number of tries.
 * NXDOMAIN and NODATA are "no such record" (`[]`); every other failure is `DnsUnavailable`, so that
 * an unreachable or broken resolver can never pass for a missing record.
 */
import { Resolver } from "node:dns/promises";
import { isIP } from "node:net";
import { DnsUnavailable, type TxtResolver } from "../domain/ports/dns";

export interface DnsOptions {
  /** Resolver addresses as `Resolver.setServers` takes them (ip, ip:port, [ipv6]:port). Empty or absent: the system's. */
  servers?: readonly string[];
  /** Milliseconds per try (default 2000). */
  timeoutMs?: number;
  /** Tries per server before giving up (default 2). */
  tries?: number;
}

/** c-ares codes that are an answer saying "there is nothing here", not a failure. */
const NO_SUCH_RECORD = new Set(["ENODATA", "ENOTFOUND"]);

export function createTxtResolver(options: DnsOptions = {}): TxtResolver {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 2000, tries: options.tries ?? 2 });
  if (options.servers && options.servers.length > 0) resolver.setServers([...options.servers]);
  return {
    async resolveTxt(name: string): Promise<string[][]> {
      try {
        return await resolver.resolveTxt(name);
      } catch (e) {
        const code = typeof (e as { code?: unknown }).code === "string" ? (e as { code: string }).code : "EUNKNOWN";
        if (NO_SUCH_RECORD.has(code)) return [];
        throw new DnsUnavailable(code, e);
      }
    },
  };
}

/**
 * One entry of DNS_SERVERS: `1.2.3.4`, `1.2.3.4:5353`, `::1`, `[::1]:5353`. Answers the entry in
 * the form `Resolver.setServers` accepts, or null when it is not an IP address with an optional port.
 */
export function parseDnsServer(entry: string): string | null {
  const s = entry.trim();
  const port = (p: string | undefined): boolean => p === undefined || (/^\d{1,5}$/.test(p) && Number(p) >= 1 && Number(p) <= 65535);
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracketed) return isIP(bracketed[1] as string) === 6 && port(bracketed[2]) ? s : null;
  if (isIP(s) !== 0) return s;
  const v4 = /^([^:]+):(\d+)$/.exec(s);
  if (v4 && isIP(v4[1] as string) === 4 && port(v4[2])) return s;
  return null;
}
