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
import { repeat } from "./repeating";

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

/** How long an idle connection to a receiver is kept for the next SET. */
const IDLE_MS = 30_000;
/** Connections kept per receiver: a stream sends one SET at a time, so one per stream to that receiver, up to this. */
const SOCKETS_PER_RECEIVER = 4;
/** Delivery passes at once in this process (see startEventPusher). */
const MAX_PASSES = 2;
/** Receivers with a kept connection at most (an agent each); past it the oldest is closed. */
const MAX_AGENTS = 1_000;

export interface HttpSetSender extends SetSender {
  /** Closes every kept connection (the worker stops). */
  close(): void;
}

/**
 * POSTs SETs over kept-alive connections, an agent per receiver (origin): a stream's SETs go one at
 * a time, so a stream reuses one connection instead of a new TCP and TLS handshake per SET. A kept
 * connection the receiver closed while idle fails the next request on it (ECONNRESET, EPIPE): that
 * request is sent once more on a new connection, since the receiver never saw it. The address of a
 * new connection is checked as before (no DNS rebinding); a kept one was checked when it was made.
 */
export function httpSetSender(options: { allowPrivate: boolean }): HttpSetSender {
  const agents = new Map<string, http.Agent>();
  const agentFor = (u: URL, client: typeof http | typeof https): http.Agent => {
    let agent = agents.get(u.origin);
    if (agent) {
      agents.delete(u.origin); // most recently used last
    } else {
      if (agents.size >= MAX_AGENTS) {
        const [oldest, a] = agents.entries().next().value as [string, http.Agent];
        a.destroy();
        agents.delete(oldest);
      }
      agent = new client.Agent({ keepAlive: true, maxSockets: SOCKETS_PER_RECEIVER, maxFreeSockets: SOCKETS_PER_RECEIVER, timeout: IDLE_MS, scheduling: "lifo" });
    }
    agents.set(u.origin, agent);
    return agent;
  };
  const send = (url: string, set: string, fresh: boolean): Promise<{ status: number; body: string }> => new Promise((resolve, reject) => {
    const u = new URL(url);
    const client = u.protocol === "https:" ? https : u.protocol === "http:" && options.allowPrivate ? http : null;
    if (!client) return reject(new Error(`${u.protocol} receivers are not allowed: https only`));
    // A literal address in the URL is not looked up: check it here.
    const host = u.hostname.replace(/^\[|\]$/g, "");
    if (!options.allowPrivate && /^[\d.]+$|:/.test(host) && isPrivateAddress(host)) {
      return reject(new Error(`${host} is a loopback, private or local address; receivers must be on public addresses`));
    }
    const req = client.request(u, {
      method: "POST",
      agent: fresh ? false : agentFor(u, client),
      headers: { "content-type": "application/secevent+jwt", accept: "application/json", "content-length": Buffer.byteLength(set) },
      timeout: TIMEOUT_MS,
      ...(options.allowPrivate ? {} : { lookup: publicOnly }),
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => { if (size < MAX_ANSWER) { chunks.push(c); size += c.length; } });
      res.on("end", () => { clearTimeout(whole); resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8").slice(0, MAX_ANSWER) }); });
      res.on("error", reject);
      res.on("close", () => { if (!res.complete) reject(new Error("the receiver's answer was cut off")); });
    });
    // `timeout` is the socket's idle time; a receiver that trickles its answer is never idle, so the
    // whole exchange has a deadline too: a receiver (chosen by an organization's admin) must not
    // hold a push worker, other organizations' delivery or the server's stop for longer.
    const whole = setTimeout(() => req.destroy(new Error(`no complete answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    whole.unref();
    req.on("timeout", () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    req.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(whole);
      // The receiver closed the kept connection before this request reached it: send it again, on a new one.
      if (!fresh && req.reusedSocket && (e.code === "ECONNRESET" || e.code === "EPIPE")) return send(url, set, true).then(resolve, reject);
      reject(e);
    });
    req.end(set);
  });
  return {
    post: (url, set) => send(url, set, false),
    close() {
      for (const a of agents.values()) a.destroy();
      agents.clear();
    },
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
  onDelivered?: (delaySeconds: number) => void;
}): { stop(): Promise<void> } {
  if (!deps.store.events || deps.intervalMs <= 0) return { stop: async () => undefined };
  const own = deps.sender ? null : httpSetSender({ allowPrivate: deps.allowPrivate });
  const sender = deps.sender ?? own!;
  const busy = new Set<string>();

  const run = async (stopped: () => boolean): Promise<void> => {
    try {
      const report = await pushDue({
        store: deps.store, clock: deps.clock, sender, issuer: deps.issuer, retryBaseMs: deps.retryBaseMs, ...(deps.onDelivered ? { onDelivered: deps.onDelivered } : {}),
      }, { stopped, busy });
      deps.onReport?.(report);
      if (report.refused + report.retrying > 0) deps.logger.warn({ ...report }, "SETs not accepted by a receiver: see GET /v1/EventStreams/{sid}");
    } catch (e) {
      deps.logger.warn({ err: e }, "event push failed; it runs again at the next interval");
    }
  };
  // A change kicks a pass at once. While one pass runs (it may be waiting on a slow receiver), a
  // second may start: it skips the streams being sent (`busy`) and sends the others, so one
  // receiver never holds up another. Beyond MAX_PASSES, a kick is remembered and run when one ends.
  const task = repeat(run, { firstMs: deps.intervalMs, everyMs: deps.intervalMs, concurrency: MAX_PASSES });
  const onWritten = () => task.kick();
  setsWritten.on("written", onWritten);
  task.kick();
  return {
    async stop() {
      setsWritten.off("written", onWritten);
      await task.stop();
      own?.close();
    },
  };
}
