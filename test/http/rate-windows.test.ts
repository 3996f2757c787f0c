/**
 * The token and organization budgets' counters in this process (src/http/rate-windows.ts) count as
 * rate-limiter-flexible's RateLimiterMemory and BurstyRateLimiter, which they replace, count: for
 * any budget and any sequence of requests of a few keys at any times, the same requests are
 * admitted and the same are refused, each with the same time to wait. Both run on one manual clock
 * (jest's fake timers: Date.now and the limiter's own timers).
 */
import fc from "fast-check";
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { RateWindows } from "../../src/http/rate-windows";

const BURST_MS = 10_000;

/** rate-limiter-flexible's answer for one request: null when admitted, else msBeforeNext. */
async function theirs(limiter: RateLimiterMemory | BurstyRateLimiter, key: string): Promise<number | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (e) {
    if (e instanceof RateLimiterRes) return e.msBeforeNext;
    throw e;
  }
}

describe("RateWindows", () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
  afterEach(() => jest.useRealTimers());

  it("admits and refuses as rate-limiter-flexible does, with the same wait", async () => {
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 0, max: 6 }),
      fc.array(fc.tuple(fc.constantFrom("a", "b", "c"), fc.oneof(fc.constantFrom(0, 500, 1000, 9_000, 10_000), fc.integer({ min: 0, max: 400 }), fc.integer({ min: 900, max: 12_000 }))), { minLength: 1, maxLength: 120 }),
      async (rps, extra, requests) => {
        const main = new RateLimiterMemory({ points: rps, duration: 1 });
        const limiter = extra > 0 ? new BurstyRateLimiter(main, new RateLimiterMemory({ keyPrefix: "burst", points: extra, duration: BURST_MS / 1000 })) : main;
        const ours = new RateWindows(rps, 1000, extra, BURST_MS);
        for (const [key, after] of requests) {
          jest.advanceTimersByTime(after);
          expect({ key, at: Date.now(), wait: ours.take(key) }).toEqual({ key, at: Date.now(), wait: await theirs(limiter, key) });
        }
      },
    ), { numRuns: 400 });
  });

  it("refuses the request past the points of a second with the time left in it, then admits in the next second", () => {
    const ours = new RateWindows(2, 1000, 0, BURST_MS);
    expect([ours.take("k"), ours.take("k")]).toEqual([null, null]);
    jest.advanceTimersByTime(300);
    expect(ours.take("k")).toBe(700);
    expect(ours.take("other")).toBeNull();
    jest.advanceTimersByTime(700);
    expect(ours.take("k")).toBeNull();
  });
});
