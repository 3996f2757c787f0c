/**
 * Request budgets counted across instances (several orgscim processes on one MongoDB) without a
 * round trip per request: each instance takes *leases* of requests from a shared counter (the
 * store's SharedCounters port) and admits requests from its lease locally.
 *
 * For one key (a token, an organization) and one window (a wall-clock second, and for the burst
 * pool a 10-second window, as in ./rate-limit.ts), an instance asks the shared counter for `n`
 * more requests; the counter answers the window's total T, so the grant is what was left,
 * min(n, points − (T − n)), and a grant short of `n` means the window is spent. The sum of grants
 * never exceeds the budget: across instances the budget is an upper bound, exactly. Requests for
 * one key wait on one lease call at a time (coalesced); a lease is sized from the instance's own
 * use of that key in the previous window (about four leases a window at a steady rate) or doubles
 * within a window (a slow start), at least the requests waiting, at most an eighth of the budget.
 * So a request waits at most one round trip for its budget (one per budget, token and
 * organization) and, at the default budgets, costs a tiny fraction of one on average. Tickets an instance leased
 * and did not use lapse with their window: the price of not asking per request (under-admission by
 * at most one lease per instance per window).
 *
 * When the counter does not answer within LEASE_WAIT_MS (MongoDB has no primary), the request is
 * counted by an in-memory limiter instead (per instance, the same budget), and for OUTAGE_MS
 * further requests skip the shared counter: a request never waits on the limiter for longer than
 * LEASE_WAIT_MS.
 */
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { SharedCounters } from "../domain/ports/store";

export const LEASE_WAIT_MS = 250;
export const OUTAGE_MS = 1_000;
/** Seconds over which a burst pool refills (as ./rate-limit.ts BURST_WINDOW_S). */
const BURST_WINDOW_S = 10;

export interface Budget {
  rps: number;
  burst: number;
}

/** A window of one key: what this instance holds of it. */
interface Window {
  id: number;
  /** Leased and not yet used. */
  tickets: number;
  /** The shared counter said the window is spent. */
  spent: boolean;
  /** Requests this instance admitted in it (sizes the next lease). */
  used: number;
  /** Requests waiting for a lease, and whether a lease call is out. */
  waiting: Array<(admitted: boolean) => void>;
  leasing: boolean;
  /** The size of the last lease asked in this window (each next one may double). */
  asked: number;
}

interface Pool {
  points: number;
  windowMs: number;
  name: string;
}

const timeout = <T>(p: Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_r, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(timer));
};

/** Shared by the budgets of one middleware: while the counters do not answer, none waits on them. */
export class Outage {
  until = 0;
}

export interface LeaseOptions {
  outage?: Outage;
  onFailure?: (e: unknown) => void;
  now?: () => number;
}

/** One budget (token or organization) counted through shared counters by leases. */
export class LeasedBudget {
  private readonly pools: Pool[];
  private readonly windows = new Map<string, Window>();
  private readonly lastRate = new Map<string, number>();
  private readonly insurance: { consume(key: string): Promise<RateLimiterRes> };
  private readonly outage: Outage;
  private readonly now: () => number;
  private readonly onFailure: (e: unknown) => void;
  /** Calls made to the shared counter (for tests and the benchmark). */
  calls = 0;

  constructor(private readonly name: string, budget: Budget, private readonly counters: SharedCounters, options: LeaseOptions = {}) {
    this.outage = options.outage ?? new Outage();
    this.now = options.now ?? Date.now;
    this.onFailure = options.onFailure ?? (() => undefined);
    this.pools = [{ points: budget.rps, windowMs: 1_000, name: "s" }];
    if (budget.burst > budget.rps) this.pools.push({ points: budget.burst - budget.rps, windowMs: BURST_WINDOW_S * 1_000, name: "b" });
    const main = new RateLimiterMemory({ keyPrefix: `orgscim:${name}:insurance`, points: budget.rps, duration: 1 });
    this.insurance = budget.burst > budget.rps
      ? new BurstyRateLimiter(main, new RateLimiterMemory({ keyPrefix: `orgscim:${name}:insurance:burst`, points: budget.burst - budget.rps, duration: BURST_WINDOW_S }))
      : main;
  }

  /** null when the request is admitted; otherwise the seconds to wait (Retry-After). */
  async consume(key: string): Promise<number | null> {
    if (this.now() < this.outage.until) return this.insured(key);
    for (const pool of this.pools) {
      const w = this.window(pool, key);
      if (w.tickets > 0) {
        w.tickets--;
        w.used++;
        return null;
      }
      if (w.spent) continue;
      const admitted = await this.lease(pool, key, w);
      if (admitted === "outage") return this.insured(key);
      if (admitted) return null;
    }
    // Every pool of this key is spent for its window: wait for the next second.
    return Math.max(1, Math.ceil((1_000 - (this.now() % 1_000)) / 1_000));
  }

  private window(pool: Pool, key: string): Window {
    const id = Math.floor(this.now() / pool.windowMs);
    const k = `${pool.name}:${key}`;
    let w = this.windows.get(k);
    if (!w || w.id !== id) {
      if (w) this.lastRate.set(k, w.id === id - 1 ? w.used : 0);
      // Requests still waiting on the old window's lease are answered by it; this one starts afresh.
      w = { id, tickets: 0, spent: false, used: 0, waiting: [], leasing: false, asked: 0 };
      this.windows.set(k, w);
    }
    return w;
  }

  /** Waits for a ticket of `w`: joins the lease call under way, or makes one. */
  private lease(pool: Pool, key: string, w: Window): Promise<boolean | "outage"> {
    return new Promise<boolean | "outage">((resolve) => {
      w.waiting.push((admitted) => resolve(admitted));
      if (!w.leasing) void this.fetch(pool, key, w).catch((e: unknown) => {
        this.onFailure(e);
        this.outage.until = this.now() + OUTAGE_MS;
        const waiting = w.waiting.splice(0);
        w.leasing = false;
        for (const wake of waiting) (wake as (v: boolean | "outage") => void)("outage");
      });
    });
  }

  private async fetch(pool: Pool, key: string, w: Window): Promise<void> {
    w.leasing = true;
    while (w.waiting.length > 0) {
      const k = `${pool.name}:${key}`;
      // A quarter of what this instance used in the previous window, or twice the last lease of this
      // one (a slow start), at most an eighth of the budget; never fewer than the requests waiting.
      const steady = Math.ceil((this.lastRate.get(k) ?? 0) / 4);
      const ask = Math.max(w.waiting.length, Math.min(Math.max(1, steady, 2 * w.asked), Math.max(1, Math.floor(pool.points / 8))));
      w.asked = ask;
      const windowName = `${this.name}:${pool.name}:${key}:${w.id}`;
      this.calls++;
      const totals = await timeout(this.counters.add(windowName, { n: ask }, new Date((w.id + 2) * pool.windowMs)), LEASE_WAIT_MS);
      const total = totals.n ?? ask;
      const granted = Math.max(0, Math.min(ask, pool.points - (total - ask)));
      if (granted < ask) w.spent = true;
      w.tickets += granted;
      // Serve the waiters in order from the tickets; those left wait for the next lease, or are
      // refused when the window is spent.
      while (w.tickets > 0 && w.waiting.length > 0) {
        w.tickets--;
        w.used++;
        w.waiting.shift()!(true);
      }
      if (w.spent) {
        for (const wake of w.waiting.splice(0)) wake(false);
        break;
      }
    }
    w.leasing = false;
  }

  private async insured(key: string): Promise<number | null> {
    try {
      await this.insurance.consume(key);
      return null;
    } catch (e) {
      if (e instanceof RateLimiterRes) return Math.max(1, Math.ceil(e.msBeforeNext / 1000));
      return null;
    }
  }
}
