/**
 * Load shedding for writes. A single-threaded server past its capacity does not fail: it queues,
 * in its sockets and its event loop, and every request waits longer (the benchmark's saturation
 * figures are in bench/README.md: nearly all of the p99 is waiting). Counting requests in progress
 * does not see that queue, since the server finishes one request before it reads the next; the
 * event loop's delay does: each turn of the loop takes as long as the requests read in it.
 *
 * So a monitor (LoopLag) samples how late a 10 ms timer fires, smoothed, and while that delay is
 * over WRITES_SHED_LAG_MS a write (POST, PUT, PATCH, DELETE; POST /.search is a read) may be
 * refused at once with 429 and Retry-After: 1, before its body is read, but only while the server
 * holds another request too (./overload.ts counts them): the loop also runs late when other
 * processes take the machine's cores, and a write arriving alone then is served. Okta and Entra ID
 * retry a 429 after Retry-After. Reads are not shed: they cost little and an identity provider
 * needs them to reconcile. One instance serves every router, so /scim/v2 and /v1 writes count
 * together.
 *
 * Per organization first (issue 14 item 3): it runs after authentication, and every write counts
 * towards its organization's share of the recent writes (./org-shares.ts). While the loop is late,
 * a write is refused only when its organization sends at least its fair share (the recent writes
 * divided by the organizations active now): the organization causing the load is shed, one
 * sending less than its share is still served. Alone, an organization is always at its share, so
 * a single tenant's overload is shed as before. A request without a valid token never gets here
 * (its cost is bounded by the failed-authentication budget, ./address-budget.ts).
 *
 * Queue depth (OVERLOAD_QUEUE_DEPTH, ./overload.ts, raised as ./admission-bound.ts measures):
 * while the server holds more requests than that (counted from their arrival, before
 * authentication), a write is refused the same way, with
 * code 9009: the depth is exact at the moment the write arrives, where the loop's delay is smoothed
 * and reacts a few samples late.
 *
 * Who holds what (./overload.ts `claim`/`held`): this middleware claims every request it sees,
 * reads included, for its token's organization; what it never sees (no token yet, or a door
 * without one) is nobody's, counted as one party. A held request costs the server nothing while it
 * waits for its client, so counts alone would let anyone make the server look saturated: another
 * organization holding the depth's worth of reads open, or clients without a token holding bodies
 * unsent at the OAuth token endpoint, made every other organization's lone write its load (F7,
 * test/security/shedding-fairness.test.ts). So the depth refuses a write only to an organization
 * that holds at least its fair share of what is held (the held requests divided by the parties
 * holding any), and the delay only to one that holds its fair share and another request besides
 * the write: a write whose organization holds nothing else frees nothing when refused, whoever
 * else holds requests, and an organization loading the loop with reads is the load, not the one
 * writing beside it. Requests nobody holds yet (no token) are left out of both: they are no
 * organization's share, and counted as a party of their own they let an organization holding
 * fewer than they hide its flood behind them (F9).
 *
 * Pacing. A refusal is decided on arrival and costs a fraction of a write, but a client that
 * ignores Retry-After sends its next request on the same connection the moment the 429 is in
 * (autocannon does, and so would a script without backoff): at 50 connections and a depth of 16,
 * the 34 refused came back every turn of the loop, their refusals took a third of the server's
 * time, and every turn an admitted request waits through was that much longer (bench/README.md,
 * Overload). So a write refused on a connection whose previous refusal's Retry-After has not
 * passed is answered when it passes: decided at once as before, its body never read, no longer
 * counted as held (./overload.ts `release`); only its answer waits, on a timer. The first refusal
 * on a connection, and one after its Retry-After, is answered at once; an admitted write is never
 * paced. A client honouring Retry-After never meets it; one ignoring it costs one refusal per
 * Retry-After per connection instead of one per turn. A paced refusal is answered up to half a
 * Retry-After after the previous one's ended, drawn for each: clients refused in the same turn (a
 * crowd arriving together) would otherwise all come back in the same turn a Retry-After later, and
 * again, each time as a burst the requests admitted in that turn wait through. Behind a proxy whose connections carry
 * several clients, a refusal may wait out another client's Retry-After: it was refused all the same.
 *
 * /Bulk is not shed by delay: it makes the loop late by itself (a thousand operations take a few
 * hundred milliseconds), so the delay cannot tell a client importing one request after another
 * from a crowd. It is admitted by count instead, after its body is read (./bulk-admission.ts), and
 * its operations count towards its organization's share.
 */
import "./refusal";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { Errors } from "../domain/errors";
import { admissionBound, type AdmissionBound } from "./admission-bound";
import { OrgShares } from "./org-shares";
import type { RequestDepth } from "./overload";

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/** How late the event loop runs timers, in milliseconds, smoothed (exponentially, weight 1/4 per sample). */
export class LoopLag {
  private smoothed = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly intervalMs = 10) {
    let expected = performance.now() + intervalMs;
    this.timer = setInterval(() => {
      const now = performance.now();
      const late = Math.max(0, now - expected);
      expected = now + intervalMs;
      // Smoothed, so a lone pause (a garbage collection) counts for a quarter and a sustained
      // delay shows within a few samples.
      this.smoothed = this.smoothed * 0.75 + late * 0.25;
    }, intervalMs);
    this.timer.unref();
  }

  get ms(): number {
    return this.smoothed;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export interface Shedding {
  /** The middleware for every router, after authentication. */
  handler: RequestHandler;
  /** The shares it counts (/Bulk admission adds its operations to them). */
  shares: OrgShares;
  stop(): void;
}

export interface SheddingOptions {
  /** The current loop delay in ms (a LoopLag by default). */
  lag?: () => number;
  /** The requests the server holds now (./overload.ts), and the fewest it admits writes beyond (0: no bound; the bound rises above it as ./admission-bound.ts measures). */
  depth?: () => number;
  maxDepth?: number;
  /** The bound itself (an admissionBound of maxDepth by default). */
  bound?: AdmissionBound;
  /** The organizations' shares of the writes (one for every router; a new one by default). */
  shares?: OrgShares;
  /** Who holds the held requests (./overload.ts): claimed here, read for the fair share of the depth, released when a refusal is paced. */
  parties?: Pick<RequestDepth, "claim" | "held" | "release">;
  /** The clock (ms) and the timer that pace refusals (performance.now and setTimeout by default), and a number in [0, 1) for each refusal's spread (Math.random). */
  now?: () => number;
  later?: (fn: () => void, ms: number) => () => void;
  random?: () => number;
}

/**
 * Pacing, per connection: when it may next be refused at once (ms, by `now`: its last refusal's
 * answer plus that refusal's Retry-After), and whether a paced refusal waits on it now. Kept off
 * the socket (no property is added to it).
 */
type Pacing = WeakMap<object, { until: number; waiting: boolean }>;

/**
 * How long `req`'s refusal waits before it is answered (0: at once), noting when the next may be
 * answered at once. One paced refusal waits on a connection at a time: a refusal pipelined behind
 * it (HTTP/1.1 lets a client send requests without reading an answer) is answered at once, and
 * Node writes it after the waiting one, in order; once such answers fill the connection's buffer
 * Node stops reading it. Paced one after another, each held with a timer and nothing written, the
 * connection was read without end: a client held as many requests in the server as it sent
 * (docs/security.md case 59).
 */
function paced(pacing: Pacing, req: Request, retryAfterS: number, now: number, spread: number): number {
  const socket = req.socket as object | undefined;
  if (!socket) return 0;
  const last = pacing.get(socket);
  if (last?.waiting) return 0;
  const until = last?.until ?? -Infinity;
  const wait = now >= until ? 0 : until - now + (retryAfterS * 1000 * spread) / 2;
  pacing.set(socket, { until: now + wait + retryAfterS * 1000, waiting: wait > 0 });
  return wait;
}

const setTimer = (fn: () => void, ms: number): (() => void) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

/**
 * A refusal's error made without capturing a stack trace: a 429 is rendered from its code and
 * message and never logged with a stack (./error-handler.ts logs 5xx only), and capturing one
 * through express's frames was the largest single cost of a refusal of its own (a 429 flood's CPU
 * profile: 4% of the server's time in DomainError's constructor). Refusals are what an overloaded
 * server answers most, so they must cost as little as possible.
 */
function withoutStack<T>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

const isBulk = (req: Request): boolean => req.method === "POST" && req.path.toLowerCase() === "/bulk";

/** After authentication. `maxLagMs` 0: never shed by delay (shares are still counted). */
export function shedWrites(maxLagMs: number, options: SheddingOptions = {}): Shedding {
  const monitor = maxLagMs > 0 && !options.lag ? new LoopLag() : null;
  const current = options.lag ?? (() => monitor?.ms ?? 0);
  const shares = options.shares ?? new OrgShares();
  const pacing: Pacing = new WeakMap();
  const now = options.now ?? (() => performance.now());
  const later = options.later ?? setTimer;
  const random = options.random ?? Math.random;
  const bound = options.bound ?? admissionBound(options.maxDepth ?? 0, { now });
  return {
    handler: (req: Request, res: Response, next: NextFunction) => {
      const org = req.actor?.org.id ?? "";
      options.parties?.claim(res, org);
      if (READS.has(req.method) || req.path.endsWith("/.search") || isBulk(req)) return next();
      shares.add(org);
      const held = options.depth?.();
      const by = options.parties?.held(org);
      const maxDepth = bound.current(by ? by.total : held ?? 0);
      // Both rules shed only an organization holding at least its fair share of the held requests
      // (this write included): reads load the server too, and whoever holds more is the load.
      // Nobody's requests (no token) are neither a party nor part of that depth (F9): counted as
      // one party, more of them than an organization's own took it below its share, unshed.
      const fair = by ? by.mine * by.parties >= by.total : true;
      const deep = maxDepth > 0 && (by ? by.total : held ?? 0) > maxDepth && (by ? fair : shares.heavy(org));
      // The delay sheds only while the server holds another request besides this one (of this
      // organization, where it is known): with nothing else held, a late loop is a machine starved
      // by other processes, and refusing its one write frees nothing (a write sent to an idle
      // server on a busy host got 429); nor does it when what else is held is someone else's.
      const another = by ? by.mine > 1 : held === undefined || held > 1;
      const late = maxLagMs > 0 && another && fair ? current() : 0;
      if (deep || (late > maxLagMs && shares.heavy(org))) {
        req.refusal = deep ? "overload" : "writes_shed";
        const refusal = withoutStack(() => (deep ? Errors.overloaded(maxDepth) : Errors.writesBusy(Math.round(late))));
        const wait = paced(pacing, req, refusal.retryAfter ?? 1, now(), random());
        if (wait === 0) return next(refusal);
        // Sent again on this connection before the last refusal's Retry-After: answered when it
        // ends, holding nothing meanwhile (no longer counted as held, no work, no body read).
        options.parties?.release(res);
        const socket = req.socket as object;
        const waited = () => {
          const p = pacing.get(socket);
          if (p) p.waiting = false;
        };
        const gone = () => {
          cancel();
          waited();
        };
        const cancel = later(() => {
          res.off("close", gone);
          waited();
          next(refusal);
        }, wait);
        res.once("close", gone);
        return;
      }
      // Admitted: its time in the server is what the bound measures.
      if (maxDepth > 0) res.once("finish", bound.admitted());
      next();
    },
    shares,
    stop: () => monitor?.stop(),
  };
}
