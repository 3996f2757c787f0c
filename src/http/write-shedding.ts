/**
 * Load shedding for writes. A single-threaded server past its capacity does not fail: it queues,
 * in its sockets and its event loop, and every request waits longer (the benchmark's saturation
 * figures are in bench/README.md: nearly all of the p99 is waiting). Counting requests in progress
 * does not see that queue, since the server finishes one request before it reads the next; the
 * event loop's delay does: each turn of the loop takes as long as the requests read in it.
 *
 * So a monitor (LoopLag) samples how late a 10 ms timer fires, smoothed, and while that delay is
 * over WRITES_SHED_LAG_MS a write (POST, PUT, PATCH, DELETE; POST /.search is a read) is refused
 * at once with 429 and Retry-After: 1, before its body is read. Okta and Entra ID retry a 429 after
 * Retry-After. It runs before authentication, so a refusal costs a fraction of a write (no token
 * lookup; an unauthenticated write is refused the same way), the loop catches up and writes are taken
 * again. Reads are not shed: they cost little and an identity provider needs them to reconcile.
 * One instance serves every router, so /scim/v2 and /v1 writes count together.
 *
 * A /Bulk request is the exception. It makes the loop late by itself (a thousand operations take
 * a few hundred milliseconds), so the delay cannot tell a client importing one request after
 * another from a crowd: shed by delay, an import script was refused its own next request. /Bulk is
 * admitted by count instead: at most SCIM_BULK_CONCURRENCY at a time (it yields between its
 * operations, so the count sees it), the next one answered 429 with Retry-After: 1.
 */
import "./refusal";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { Errors } from "../domain/errors";

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
  /** The middleware for every router. */
  handler: RequestHandler;
  stop(): void;
}

export interface SheddingOptions {
  /** The current loop delay in ms (a LoopLag by default). */
  lag?: () => number;
  /** SCIM_BULK_CONCURRENCY: /Bulk requests admitted at once; 0: no limit. */
  maxBulk?: number;
}

const isBulk = (req: Request): boolean => req.method === "POST" && req.path.toLowerCase() === "/bulk";

/** `maxLagMs` 0: never shed by delay. */
export function shedWrites(maxLagMs: number, options: SheddingOptions = {}): Shedding {
  const maxBulk = options.maxBulk ?? 0;
  const monitor = maxLagMs > 0 && !options.lag ? new LoopLag() : null;
  const current = options.lag ?? (() => monitor?.ms ?? 0);
  let bulkInProgress = 0;
  return {
    handler: (req: Request, res: Response, next: NextFunction) => {
      if (READS.has(req.method) || req.path.endsWith("/.search")) return next();
      if (isBulk(req)) {
        if (maxBulk > 0 && bulkInProgress >= maxBulk) {
          req.refusal = "bulk_concurrency";
          return next(Errors.bulkBusy(maxBulk));
        }
        bulkInProgress++;
        res.once("close", () => { bulkInProgress--; });
        return next();
      }
      if (maxLagMs <= 0) return next();
      const late = current();
      if (late > maxLagMs) {
        req.refusal = "writes_shed";
        return next(Errors.writesBusy(Math.round(late)));
      }
      next();
    },
    stop: () => monitor?.stop(),
  };
}
