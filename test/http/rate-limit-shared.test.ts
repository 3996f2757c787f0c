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

/** Waits until a wall-clock second has just begun, so a burst of requests fits in one window. */
const startOfSecond = () => new Promise((r) => setTimeout(r, 1_000 - (Date.now() % 1_000) + 5));

describe("budgets shared through counters, by leases", () => {
  it("hold exactly across two instances: 20 requests at once against a budget of 10 admit at most 10", async () => {
    const counters = mapCounters();
    const limits = { token: { rps: 10, burst: 10 }, org: { rps: 0, burst: 0 } };
    const one = rateLimit(limits, { kind: "shared", counters });
    const two = rateLimit(limits, { kind: "shared", counters });
    await startOfSecond();
    const out = await Promise.all(Array.from({ length: 20 }, (_, i) => consume(i % 2 ? one : two, "TK1", "OR1")));
    expect(out.filter((e) => e === undefined).length).toBe(10);
    expect(out.filter((e) => e?.code === 9001).every((e) => e?.retryAfter === 1)).toBe(true);
  });

  it("hold the burst pool across instances too: a second takes at most `burst` in all", async () => {
    const counters = mapCounters();
    const limits = { token: { rps: 5, burst: 8 }, org: { rps: 0, burst: 0 } };
    const mws = [rateLimit(limits, { kind: "shared", counters }), rateLimit(limits, { kind: "shared", counters }), rateLimit(limits, { kind: "shared", counters })];
    await startOfSecond();
    const out = await Promise.all(Array.from({ length: 30 }, (_, i) => consume(mws[i % 3]!, "TK1", "OR1")));
    expect(out.filter((e) => e === undefined).length).toBe(8);
  });

  it("do not let a token over its own budget spend its organization's", async () => {
    const counters = mapCounters();
    const mw = rateLimit({ token: { rps: 2, burst: 2 }, org: { rps: 3, burst: 3 } }, { kind: "shared", counters });
    await startOfSecond();
    const a = await Promise.all(Array.from({ length: 5 }, () => consume(mw, "TKa", "OR1")));
    const b = await Promise.all(Array.from({ length: 5 }, () => consume(mw, "TKb", "OR1")));
    expect(a.filter((e) => e === undefined).length).toBe(2);
    expect(b.filter((e) => e === undefined).length).toBe(1);
  });

  it("cost far less than one round trip a request at the default budgets", async () => {
    const counters = mapCounters(0);
    const mw = rateLimit({ token: { rps: 20000, burst: 40000 }, org: { rps: 40000, burst: 80000 } }, { kind: "shared", counters });
    const n = 20_000;
    let refused = 0;
    for (let i = 0; i < n; i++) if ((await consume(mw, "TK1", "OR1")) !== undefined) refused++;
    expect(refused).toBe(0);
    // Two budgets (token, organization), leases doubling from 1 to an eighth of the budget.
    expect(counters.calls).toBeLessThan(n / 100);
    if (process.env.SHOW_FIGURES) console.log(`${counters.calls} counter calls for ${n} requests`);
    // Counts calls, not time: a busy machine (a fresh-clone CI with the whole suite running) took
    // over 30 s for the 20,000 requests; each lease renewal waits a timer.
  }, 120_000);

  it("never make a request wait longer than LEASE_WAIT_MS on counters that do not answer, and count in memory meanwhile", async () => {
    const hung: SharedCounters & { calls: number } = { calls: 0, add: () => { hung.calls++; return new Promise(() => undefined); } };
    const failures: unknown[] = [];
    const budget = new LeasedBudget("token", { rps: 5, burst: 5 }, hung, { onFailure: (e) => failures.push(e) });
    await startOfSecond();
    const t0 = Date.now();
    expect(await budget.consume("TK1")).toBeNull();
    expect(Date.now() - t0).toBeLessThan(LEASE_WAIT_MS + 200);
    const t1 = Date.now();
    const rest = await Promise.all(Array.from({ length: 9 }, () => budget.consume("TK1")));
    expect(Date.now() - t1).toBeLessThan(LEASE_WAIT_MS); // inside OUTAGE_MS nobody asks the counters (nobody waits a lease)
    expect(rest.filter((r) => r === null).length).toBe(4); // the in-memory count still holds the budget
    expect(hung.calls).toBe(1);
    expect(failures).toHaveLength(1);
    expect(OUTAGE_MS).toBeGreaterThan(LEASE_WAIT_MS);
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
