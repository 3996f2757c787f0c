/**
 * The push side of SCIM events over HTTP (RFC 8935; the rules are in src/domain/events-push.ts):
 * a SetSender that POSTs `application/secevent+jwt` and connects only to an address the outbound
 * URL rule allows (the host name is resolved here and the checked address is the one connected
 * to, so a name that resolves to a private address, or starts to, is refused: no DNS rebinding),
 * and the worker that runs pushDue on a timer and at once after a change in this process.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import type { Clock } from "../domain/clock";
import { setsWritten } from "../domain/events-capture";
import { pushDue, type PushReport, type SetSender } from "../domain/events-push";
import { isPrivateAddress } from "../domain/events-url";
import type { Store } from "../domain/ports/store";

const TIMEOUT_MS = 10_000;
const MAX_ANSWER = 4096;

/** A lookup that answers only addresses a receiver may have. */
const publicOnly: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, "", 0);
    const list = addresses as LookupAddress[];
    const allowed = list.filter((a) => !isPrivateAddress(a.address));
    if (allowed.length === 0) {
      const e = Object.assign(new Error(`${hostname} resolves to a loopback, private or local address (${list.map((a) => a.address).join(", ")}); receivers must be on public addresses`), { code: "EPRIVATEADDRESS" });
      return callback(e, "", 0);
    }
    if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
    callback(null, allowed[0]!.address, allowed[0]!.family);
  });
};

export function httpSetSender(options: { allowPrivate: boolean }): SetSender {
  return {
    post: (url, set) => new Promise((resolve, reject) => {
      const u = new URL(url);
      const client = u.protocol === "https:" ? https : u.protocol === "http:" && options.allowPrivate ? http : null;
      if (!client) return reject(new Error(`${u.protocol} receivers are not allowed: https only`));
      const req = client.request(u, {
        method: "POST",
        headers: { "content-type": "application/secevent+jwt", accept: "application/json", "content-length": Buffer.byteLength(set) },
        timeout: TIMEOUT_MS,
        ...(options.allowPrivate ? {} : { lookup: publicOnly }),
      }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => { if (size < MAX_ANSWER) { chunks.push(c); size += c.length; } });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8").slice(0, MAX_ANSWER) }));
        res.on("error", reject);
      });
      // A literal address in the URL is not looked up: check it here.
      const host = u.hostname.replace(/^\[|\]$/g, "");
      if (!options.allowPrivate && /^[\d.]+$|:/.test(host) && isPrivateAddress(host)) {
        req.destroy();
        return reject(new Error(`${host} is a loopback, private or local address; receivers must be on public addresses`));
      }
      req.on("timeout", () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
      req.on("error", reject);
      req.end(set);
    }),
  };
}

export interface PushWorkerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Runs push delivery every `intervalMs` and as soon as a change in this process wrote SETs. */
export function startEventPusher(deps: {
  store: Store;
  clock: Clock;
  logger: PushWorkerLogger;
  issuer: string;
  intervalMs: number;
  retryBaseMs: number;
  allowPrivate: boolean;
  sender?: SetSender;
  onReport?: (report: PushReport) => void;
}): { stop(): Promise<void> } {
  if (!deps.store.events || deps.intervalMs <= 0) return { stop: async () => undefined };
  const sender = deps.sender ?? httpSetSender({ allowPrivate: deps.allowPrivate });
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let again = false;

  const run = async (): Promise<void> => {
    try {
      const report = await pushDue({ store: deps.store, clock: deps.clock, sender, issuer: deps.issuer, retryBaseMs: deps.retryBaseMs }, { stopped: () => stopped });
      deps.onReport?.(report);
      if (report.refused + report.retrying > 0) deps.logger.warn({ ...report }, "SETs not accepted by a receiver: see GET /v1/EventStreams/{sid}");
    } catch (e) {
      deps.logger.warn({ err: e }, "event push failed; it runs again at the next interval");
    }
  };
  const kick = (): void => {
    if (stopped) return;
    if (running) { again = true; return; }
    if (timer) { clearTimeout(timer); timer = null; }
    running = run().finally(() => {
      running = null;
      if (again) { again = false; kick(); } else schedule();
    });
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => { timer = null; kick(); }, deps.intervalMs);
    timer.unref();
  };
  const onWritten = () => kick();
  setsWritten.on("written", onWritten);
  kick();
  return {
    async stop() {
      stopped = true;
      setsWritten.off("written", onWritten);
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
