/**
 * Request budgets shared across instances through the store's SharedCounters port, counted by
 * leases (src/http/rate-limit-shared.ts): exact across instances, few round trips, and no waiting
 * on counters that do not answer. The counters here are a double of the port (a map, with latency)
 * and, for the MongoDB adapter's documents, the MongoDB store over the mingo double; the real
 * MongoDB case is in ./rate-limit.test.ts (MONGODB_URI).
 */
import type { Request, RequestHandler, Response } from "express";
import type { Actor } from "../../src/domain/actor";
import type { DomainError } from "../../src/domain/errors";
import type { SharedCounters } from "../../src/domain/ports/store";
import { rateLimit } from "../../src/http/rate-limit";
import { LEASE_WAIT_MS, LeasedBudget, OUTAGE_MS } from "../../src/http/rate-limit-shared";
import { mingoStore } from "../store/mingo-store";

/** Counters in a map, each call answered after `latencyMs`; counts its calls. */
function mapCounters(latencyMs = 2): SharedCounters & { calls: number } {
  const windows = new Map<string, Record<string, number>>();
  const c = {
    calls: 0,
    add: async (window: string, add: Readonly<Record<string, number>>) => {
      c.calls++;
      await new Promise((r) => setTimeout(r, latencyMs));
      const w = windows.get(window) ?? {};
      for (const [k, n] of Object.entries(add)) w[k] = (w[k] ?? 0) + n;
      windows.set(window, w);
      return { ...w };
    },
  };
  return c;
}

function consume(mw: RequestHandler, tokenId: string, orgId: string): Promise<DomainError | undefined> {
  const actor = { org: { id: orgId }, tokenId, scopes: ["scim"], userId: null } as unknown as Actor;
  return new Promise((resolve) => mw({ actor } as Request, {} as Response, (err?: unknown) => resolve(err as DomainError | undefined)));
}

/**
 * The budgets' clock (Date.now, read by each LeasedBudget made after this) held at the start of a
 * second until the returned function lets it go: a burst falls in one window however long the
 * machine takes over it. (Waiting for a second to begin and hoping the burst ends within it failed
 * on a loaded machine: one more window, one more budget admitted.)
 */
function holdClock(at = Date.parse("2030-01-01T00:00:00.000Z")): { set(ms: number): void; restore(): void } {
  let now = at;
  const spy = jest.spyOn(Date, "now").mockImplementation(() => now);
  return { set: (ms) => { now = ms; }, restore: () => spy.mockRestore() };
}

describe("budgets shared through counters, by leases", () => {
  it("hold exactly across two instances: 20 requests at once against a budget of 10 admit at most 10", async () => {
    const counters = mapCounters();
    const limits = { token: { rps: 10, burst: 10 }, org: { rps: 0, burst: 0 } };
    const clock = holdClock();
    const one = rateLimit(limits, { kind: "shared", counters });
    const two = rateLimit(limits, { kind: "shared", counters });
    const out = await Promise.all(Array.from({ length: 20 }, (_, i) => consume(i % 2 ? one : two, "TK1", "OR1"))).finally(() => clock.restore());
    expect(out.filter((e) => e === undefined).length).toBe(10);
    expect(out.filter((e) => e?.code === 9001).every((e) => e?.retryAfter === 1)).toBe(true);
  });

  it("hold the burst pool across instances too: a second takes at most `burst` in all", async () => {
    const counters = mapCounters();
    const limits = { token: { rps: 5, burst: 8 }, org: { rps: 0, burst: 0 } };
    const clock = holdClock();
    const mws = [rateLimit(limits, { kind: "shared", counters }), rateLimit(limits, { kind: "shared", counters }), rateLimit(limits, { kind: "shared", counters })];
    const out = await Promise.all(Array.from({ length: 30 }, (_, i) => consume(mws[i % 3]!, "TK1", "OR1"))).finally(() => clock.restore());
    expect(out.filter((e) => e === undefined).length).toBe(8);
  });

  it("do not let a token over its own budget spend its organization's", async () => {
    const counters = mapCounters();
    const clock = holdClock();
    const mw = rateLimit({ token: { rps: 2, burst: 2 }, org: { rps: 3, burst: 3 } }, { kind: "shared", counters });
    const a = await Promise.all(Array.from({ length: 5 }, () => consume(mw, "TKa", "OR1")));
    const b = await Promise.all(Array.from({ length: 5 }, () => consume(mw, "TKb", "OR1"))).finally(() => clock.restore());
    expect(a.filter((e) => e === undefined).length).toBe(2);
    expect(b.filter((e) => e === undefined).length).toBe(1);
  });

  it("cost far less than one round trip a request at the default budgets", async () => {
    const counters = mapCounters(0);
    // The requests at a steady 5,000 a second (a quarter of the token's budget) of the budgets'
    // clock, whatever the machine's: 4 seconds of it. On the machine's clock the count of calls
    // depended on its speed (leases start small again in each new window): a loaded machine took
    // over 30 s for the 20,000 requests, so 30 windows of slow starts, and failed the bound.
    const start = Date.parse("2030-01-01T00:00:00.000Z");
    const clock = holdClock(start);
    const mw = rateLimit({ token: { rps: 20000, burst: 40000 }, org: { rps: 40000, burst: 80000 } }, { kind: "shared", counters });
    const n = 20_000;
    let refused = 0;
    try {
      for (let i = 0; i < n; i++) {
        clock.set(start + i / 5);
        if ((await consume(mw, "TK1", "OR1")) !== undefined) refused++;
      }
    } finally {
      clock.restore();
    }
    expect(refused).toBe(0);
    // Two budgets (token, organization), leases doubling from 1 to an eighth of the budget in a
    // window, then a quarter of what the previous window used.
    expect(counters.calls).toBeLessThan(n / 100);
    if (process.env.SHOW_FIGURES) console.log(`${counters.calls} counter calls for ${n} requests`);
  }, 120_000);

  it("never make a request wait longer than LEASE_WAIT_MS on counters that do not answer, and count in memory meanwhile", async () => {
    // Jest's clock, not the machine's: what is proven is which timer answers the request, which a
    // loaded machine cannot move (the wall-clock bounds this had, LEASE_WAIT_MS + 200 ms, could).
    jest.useFakeTimers({ now: Date.parse("2030-01-01T00:00:00.000Z"), doNotFake: ["setImmediate", "nextTick", "queueMicrotask"] });
    const settle = () => new Promise((r) => setImmediate(r)); // every promise that can settle without a timer has
    try {
      const hung: SharedCounters & { calls: number } = { calls: 0, add: () => { hung.calls++; return new Promise(() => undefined); } };
      const failures: unknown[] = [];
      const budget = new LeasedBudget("token", { rps: 5, burst: 5 }, hung, { onFailure: (e) => failures.push(e) });
      let first: { wait: number | null } | undefined;
      void budget.consume("TK1").then((wait) => { first = { wait }; });
      await settle();
      await jest.advanceTimersByTimeAsync(LEASE_WAIT_MS - 1);
      await settle();
      expect(first).toBeUndefined(); // waiting on the counters
      await jest.advanceTimersByTimeAsync(1);
      await settle();
      expect(first).toEqual({ wait: null }); // at LEASE_WAIT_MS: admitted, counted in memory
      let rest: (number | null)[] | undefined;
      void Promise.all(Array.from({ length: 9 }, () => budget.consume("TK1"))).then((r) => { rest = r; });
      await settle();
      // Answered with no time passing: inside OUTAGE_MS nobody asks the counters (nobody waits a lease).
      expect(rest?.length).toBe(9);
      expect(rest!.filter((r) => r === null).length).toBe(4); // the in-memory count still holds the budget
      expect(hung.calls).toBe(1);
      expect(failures).toHaveLength(1);
      expect(OUTAGE_MS).toBeGreaterThan(LEASE_WAIT_MS);
    } finally {
      jest.useRealTimers();
    }
  });

  it("on MongoDB: one findOneAndUpdate per call, totals per window, keys encoded, expiry set once", async () => {
    const s = mingoStore();
    const at = new Date("2030-01-01T00:00:02.000Z");
    expect(await s.counters.add("token:s:TK1:100", { n: 3 }, at)).toEqual({ n: 3 });
    expect(await s.counters.add("token:s:TK1:100", { n: 2, "a.b$": 1 }, new Date(0))).toEqual({ n: 5, "a.b$": 1 });
    expect(await s.counters.add("token:s:TK1:101", { n: 1 }, at)).toEqual({ n: 1 });
    expect(s.db.docs("rate_limits")).toEqual([
      { _id: "token:s:TK1:100", expireAt: at, c: { n: 5, "a%2Eb%24": 1 } },
      { _id: "token:s:TK1:101", expireAt: at, c: { n: 1 } },
    ]);
  });
});
