/**
 * Request budgets per token and per organization (docs/security.md#case-26): over HTTP against a server
 * started with small budgets, and on the middleware itself for the burst rules and the MongoDB
 * counters shared by several instances.
 */
import type { Request, RequestHandler, Response } from "express";
import { Worker } from "node:worker_threads";
import type { Actor } from "../../src/domain/actor";
import { systemClock } from "../../src/domain/clock";
import { DomainError } from "../../src/domain/errors";
import { issueToken } from "../../src/domain/tokens";
import { rateLimit, type RateLimitBackend } from "../../src/http/rate-limit";
import { withinOneWindow } from "../helpers/budget-window";
import { call, startTestServer, type Reply, type TestServer } from "../helpers/server";

const TOKEN_RPS = 20;
const ORG_RPS = 30;

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({
    RATE_LIMIT_TOKEN_RPS: String(TOKEN_RPS), RATE_LIMIT_TOKEN_BURST: String(TOKEN_RPS),
    RATE_LIMIT_ORG_RPS: String(ORG_RPS), RATE_LIMIT_ORG_BURST: String(ORG_RPS),
  });
});
afterAll(() => s.close());

const burst = (token: string, n: number, path = "/Users?count=1") =>
  Promise.all(Array.from({ length: n }, () => call("GET", `${s.scim}${path}`, token)));
const count = (replies: Reply[], status: number) => replies.filter((r) => r.status === status).length;

describe("per-token budget", () => {
  it("answers a token over its budget with a 429 SCIM error carrying an integer Retry-After", async () => {
    const { out: replies, windows } = await withinOneWindow(() => s.newOrg(), ({ token }) => burst(token, TOKEN_RPS * 3));
    const limited = replies.filter((r) => r.status === 429);
    expect(count(replies, 200)).toBeLessThanOrEqual(TOKEN_RPS * windows);
    if (windows === 1) expect(limited.length).toBe(TOKEN_RPS * 2);
    expect(limited.length).toBeGreaterThanOrEqual(Math.max(TOKEN_RPS * 3 - TOKEN_RPS * windows, 0));
    for (const r of limited) {
      expect(r.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
      expect(r.body).toEqual({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "429", detail: expect.stringContaining("Too many requests") });
      expect(r.headers.get("x-orgscim-error-code")).toBe("9001");
      expect(r.body.detail).toMatch(/Retry after \d+ seconds/);
    }
    expect(count(replies, 200) + limited.length).toBe(replies.length);
  });

  it("lets the token in again once Retry-After has passed", async () => {
    const { ctx: { token }, out: replies } = await withinOneWindow(() => s.newOrg(), ({ token }) => burst(token, TOKEN_RPS * 3));
    const wait = Number(replies.find((r) => r.status === 429)?.headers.get("retry-after"));
    expect(wait).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, wait * 1000 + 50));
    expect((await call("GET", `${s.scim}/Users?count=1`, token)).status).toBe(200);
  });
});

describe("per-organization budget", () => {
  it("limits a second token of the same organization by the organization's budget", async () => {
    const { out: { spent, second }, windows } = await withinOneWindow(async () => {
      const { org, token } = await s.newOrg();
      return { token, other: (await issueToken(s.running.store, systemClock, { orgId: org.id, name: "second", scopes: ["scim"] })).plaintext };
    }, async ({ token, other }) => {
      const spent = await burst(token, TOKEN_RPS + 5); // TOKEN_RPS of the org's ORG_RPS are spent
      const second = await burst(other, ORG_RPS - TOKEN_RPS + 5); // under its own token budget
      return { spent, second };
    });
    expect(second.length).toBeLessThan(TOKEN_RPS);
    if (windows === 1) {
      expect(count(spent, 200)).toBe(TOKEN_RPS);
      expect(count(second, 200)).toBe(ORG_RPS - TOKEN_RPS);
      expect(count(second, 429)).toBe(5);
    } else {
      // Over several windows: the organization's budget bounds both tokens together.
      expect(count(spent, 200) + count(second, 200)).toBeLessThanOrEqual(ORG_RPS * windows);
      expect(count(spent, 200)).toBeLessThanOrEqual(TOKEN_RPS * windows);
    }
  });

  it("does not touch another organization at its normal rate while one is over budget", async () => {
    const { out: [flood, calm], windows } = await withinOneWindow(async () => ({ a: await s.newOrg(), b: await s.newOrg() }),
      ({ a, b }) => Promise.all([burst(a.token, ORG_RPS * 3), burst(b.token, 10)]));
    // One token floods: its own budget refuses first (TOKEN_RPS a window admitted).
    expect(count(flood, 429)).toBeGreaterThanOrEqual(Math.max(ORG_RPS * 3 - TOKEN_RPS * windows, 0));
    if (windows === 1) expect(count(flood, 429)).toBe(ORG_RPS * 3 - TOKEN_RPS);
    expect(calm.map((r) => r.status)).toEqual(Array(10).fill(200));
  });
});

// The p99 rule is a latency measurement: on a shared 2-core machine a neighbour's burst moves a
// p99 of ~100 samples by an order of magnitude (figures: bench/README.md), so it runs on demand,
// not in CI: RATE_LIMIT_P99=1 npx jest test/http/rate-limit.test.ts -t fairness
const fairness = process.env.RATE_LIMIT_P99 ? describe : describe.skip;
if (!process.env.RATE_LIMIT_P99) {
  console.warn("SKIPPED: rate-limit fairness p99 (a latency measurement, too noisy for a shared 2-core CI); run it with RATE_LIMIT_P99=1 npx jest test/http/rate-limit.test.ts -t fairness");
}
fairness("fairness between organizations (on demand: RATE_LIMIT_P99=1)", () => {
  // A server of its own with budgets a calm organization stays well under: 100 requests/s. A budget
  // is a share of one event loop: at twice that rate of these lists the two organizations together
  // took about half of it, and the calm one's p99 rose from queueing alone (bench/README.md).
  const BUDGET = 100;
  let f: TestServer;
  beforeAll(async () => {
    f = await startTestServer({
      RATE_LIMIT_TOKEN_RPS: String(BUDGET), RATE_LIMIT_TOKEN_BURST: String(BUDGET),
      RATE_LIMIT_ORG_RPS: String(BUDGET), RATE_LIMIT_ORG_BURST: String(BUDGET),
    });
  });
  afterAll(() => f.close());

  it("keeps the calm organization's p99 within 2x of its baseline while another runs at twice its budget", async () => {
    // Medians over alternating rounds, so that a burst from a neighbour on a shared machine moves
    // one round, not the verdict. Each phase lasts about a second: the calm org sends one request
    // every 20 ms (50/s, half its budget), sequentially, timed client-side in this process (which
    // also runs the server); in a loud phase the loud org also sends 2 x BUDGET requests per second
    // from a worker thread (so that its client work does not run on the server's event loop).
    const loud = await f.newOrg();
    const calm = await f.newOrg();
    const p99 = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] as number;
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const loudStatuses: number[] = [];
    const phase = async (withLoud: boolean): Promise<number> => {
      const loudRun = withLoud ? loudTraffic(`${f.scim}/Users?count=5`, loud.token, 2 * BUDGET) : null;
      const times: number[] = [];
      const t0 = performance.now();
      for (let k = 0; k < 100; k++) {
        const slot = t0 + k * 20;
        if (performance.now() < slot) await sleep(slot - performance.now());
        const t = performance.now();
        const r = await call("GET", `${f.scim}/Users?count=5`, calm.token);
        times.push(performance.now() - t);
        expect(r.status).toBe(200);
      }
      if (loudRun) loudStatuses.push(...(await loudRun.stop()));
      return p99(times);
    };
    await phase(false); // warm-up
    const quiet: number[] = [];
    const noisy: number[] = [];
    for (let round = 0; round < 5; round++) {
      quiet.push(await phase(false));
      noisy.push(await phase(true));
    }
    console.log(`loud org: ${loudStatuses.length} sent, ${loudStatuses.filter((x) => x === 429).length} refused. calm org p99 per round (ms): baseline ${quiet.map((x) => x.toFixed(2)).join(", ")}; with the loud org at 2x budget ${noisy.map((x) => x.toFixed(2)).join(", ")}`);
    // The loud org really was over budget, and was refused rather than served.
    expect(loudStatuses.filter((x) => x === 429).length).toBeGreaterThan(loudStatuses.length / 4);
    expect(loudStatuses.filter((x) => x !== 200 && x !== 429)).toEqual([]);
    expect(median(noisy)).toBeLessThanOrEqual(2 * median(quiet));
  }, 60_000);
});

/**
 * Sends `rate` GETs per second to `url` from a worker thread (its own event loop), paced by the
 * clock and without waiting for answers, until stop(); answers the statuses received.
 */
function loudTraffic(url: string, token: string, rate: number): { stop(): Promise<number[]> } {
  const code = `
    const { parentPort, workerData: { url, token, rate } } = require("node:worker_threads");
    let stop = false;
    parentPort.on("message", () => { stop = true; });
    (async () => {
      const pending = [];
      const start = performance.now();
      while (!stop) {
        const due = Math.floor(((performance.now() - start) / 1000) * rate) - pending.length;
        for (let i = 0; i < due; i++) {
          pending.push(fetch(url, { headers: { authorization: "Bearer " + token } })
            .then(async (r) => { await r.arrayBuffer(); return r.status; }, () => 0));
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      parentPort.postMessage(await Promise.all(pending));
    })();`;
  const worker = new Worker(code, { eval: true, workerData: { url, token, rate } });
  const done = new Promise<number[]>((resolve, reject) => {
    worker.once("message", (statuses: number[]) => resolve(statuses));
    worker.once("error", reject);
  });
  return {
    async stop() {
      worker.postMessage("stop");
      const statuses = await done;
      await worker.terminate();
      return statuses;
    },
  };
}

/** Drives the middleware directly, as express would after requireToken. */
function consume(mw: RequestHandler, tokenId: string, orgId: string): Promise<DomainError | undefined> {
  const actor = { org: { id: orgId }, tokenId, scopes: ["scim"], userId: null } as unknown as Actor;
  return new Promise((resolve) => mw({ actor } as Request, {} as Response, (err?: unknown) => resolve(err as DomainError | undefined)));
}

describe("burst rules (the middleware alone)", () => {
  it("takes up to `burst` in one second, then refuses with Retry-After 1 until the next second", async () => {
    const mw = rateLimit({ token: { rps: 5, burst: 8 }, org: { rps: 0, burst: 0 } });
    const out = [];
    for (let i = 0; i < 10; i++) out.push(await consume(mw, "TK1", "OR1"));
    expect(out.slice(0, 8)).toEqual(Array(8).fill(undefined));
    expect(out[8]).toBeInstanceOf(DomainError);
    expect(out[8]).toMatchObject({ kind: "rateLimited", code: 9001, retryAfter: 1 });
  });

  it("counts nothing when both budgets are 0", async () => {
    const mw = rateLimit({ token: { rps: 0, burst: 0 }, org: { rps: 0, burst: 0 } });
    for (let i = 0; i < 1000; i++) expect(await consume(mw, "TK1", "OR1")).toBeUndefined();
  });
});

// MongoDB counters shared by two instances: needs a reachable mongod (MONGODB_URI), as the store's
// own MongoDB suite does. No mongod can run on the development machine (no binary, no download);
// the same rules run on every machine over a double of the counters: test/http/rate-limit-shared.test.ts.
const MONGODB_URI = process.env.MONGODB_URI;
if (!MONGODB_URI) {
  it.skip("MongoDB-backed budgets hold across instances: SKIPPED, MONGODB_URI is not set", () => undefined);
} else {
  describe("MongoDB-backed budgets", () => {
    it("hold across two instances sharing one database", async () => {
      const { createMongoStore } = await import("../../src/store/mongo/store");
      const store = await createMongoStore(MONGODB_URI, { dbName: `orgscim_rl_${process.pid}_${Date.now()}` });
      try {
        const backend: RateLimitBackend = { kind: "shared", counters: store.counters };
        const limits = { token: { rps: 10, burst: 10 }, org: { rps: 0, burst: 0 } };
        const one = rateLimit(limits, backend);
        const two = rateLimit(limits, backend);
        const out = await Promise.all(Array.from({ length: 20 }, (_, i) => consume(i % 2 ? one : two, "TKshared", "OR1")));
        expect(out.filter((e) => e === undefined).length).toBeLessThanOrEqual(10);
        expect(out.filter((e) => e?.code === 9001).length).toBeGreaterThanOrEqual(10);
      } finally {
        await store.dropDatabase().catch(() => undefined);
        await store.close();
      }
    });
  });
}
