/**
 * A budget's counters in this process, counted as rate-limiter-flexible's RateLimiterMemory and
 * BurstyRateLimiter count them (what ./rate-limit.ts used before), without a promise, a result
 * object or a timer a request: a budget is asked at every authenticated request.
 *
 * - A key's window opens at its first request and lasts `ms`; each request adds one point, refused
 *   ones included; a request that takes the count past `points` is refused with the time left in
 *   the window. A request after the window has ended opens a new one.
 * - With a burst pool, a request the main window refuses takes a point of the pool's window
 *   instead (BURST_WINDOW_S long); refused by both, it waits the shorter of the two times left.
 *
 * Windows that have ended are dropped every SWEEP_EVERY requests (RateLimiterMemory dropped each
 * with a timer of its own).
 */

const SWEEP_EVERY = 4096;

class Windows {
  private readonly open = new Map<string, { points: number; endsAt: number }>();
  private requests = 0;

  constructor(private readonly points: number, private readonly ms: number) {}

  /** One request of `key` at `now`: -1 when within the points, else the ms left in the window. */
  hit(key: string, now: number): number {
    if (++this.requests % SWEEP_EVERY === 0) for (const [k, w] of this.open) if (w.endsAt - now <= 0) this.open.delete(k);
    const w = this.open.get(key);
    if (w === undefined || w.endsAt - now <= 0) {
      this.open.set(key, { points: 1, endsAt: now + this.ms });
      return 1 > this.points ? this.ms : -1;
    }
    w.points++;
    return w.points > this.points ? w.endsAt - now : -1;
  }
}

export class RateWindows {
  private readonly main: Windows;
  private readonly burst: Windows | null;

  /** `points` a window of `ms`; `burstPoints` > 0: a pool of that many a window of `burstMs`. */
  constructor(points: number, ms: number, burstPoints: number, burstMs: number, private readonly now: () => number = Date.now) {
    this.main = new Windows(points, ms);
    this.burst = burstPoints > 0 ? new Windows(burstPoints, burstMs) : null;
  }

  /** Counts one request of `key`: null when admitted, else the ms to wait. */
  take(key: string): number | null {
    const now = this.now();
    const main = this.main.hit(key, now);
    if (main < 0) return null;
    if (!this.burst) return main;
    const burst = this.burst.hit(key, now);
    return burst < 0 ? null : Math.min(main, burst);
  }
}
