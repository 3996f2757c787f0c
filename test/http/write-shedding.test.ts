/**
 * Write shedding (src/http/write-shedding.ts): while the event loop runs late, a write is refused
 * at once with 429 and Retry-After instead of waiting; reads are served; calm brings writes back.
 */
import { EventEmitter } from "node:events";
import type { Request, Response } from "express";
import { DomainError } from "../../src/domain/errors";
import { LoopLag, shedWrites } from "../../src/http/write-shedding";
import { holdRequest } from "../helpers/hold-request";
import { call, startTestServer, USER_SCHEMA, type TestServer } from "../helpers/server";

const user = (i: number) => ({ schemas: [USER_SCHEMA], userName: `shed${i}@example.com`, emails: [{ value: `shed${i}@example.com`, primary: true }] });
const block = (ms: number) => { const end = performance.now() + ms; while (performance.now() < end) { /* the loop is busy */ } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * Runs `send` while the event loop stays saturated (busy 45 ms out of every ~46), as under a real
 * overload: a single block followed by a request is a race against the monitor's smoothing, which
 * a slow machine loses (the request arrived after the lag had decayed below the limit).
 */
async function saturated<T>(send: () => Promise<T>): Promise<T> {
  const busy = setInterval(() => block(45), 1);
  try {
    await sleep(200); // the monitor sees a sustained delay, well above the limit
    return await send();
  } finally {
    clearInterval(busy);
  }
}

function run(handler: ReturnType<typeof shedWrites>["handler"], method: string, path = "/Users", res: unknown = new EventEmitter()): unknown {
  let passed: unknown = "not called";
  handler({ method, path } as Request, res as Response, (e?: unknown) => { passed = e; });
  return passed;
}

describe("the shedding rule (the middleware alone)", () => {
  it("refuses a write while the loop is later than the limit, with a 9004 error carrying Retry-After 1", () => {
    const { handler } = shedWrites(40, { lag: () => 55 });
    const e = run(handler, "POST") as DomainError;
    expect(e).toBeInstanceOf(DomainError);
    expect(e.code).toBe(9004);
    expect(e.retryAfter).toBe(1);
    expect(e.message).toMatch(/55 ms late/);
    for (const m of ["PUT", "PATCH", "DELETE"]) expect((run(handler, m) as DomainError).code).toBe(9004);
  });

  it("passes reads and POST /.search however late the loop is", () => {
    const { handler } = shedWrites(40, { lag: () => 500 });
    expect(run(handler, "GET")).toBeUndefined();
    expect(run(handler, "HEAD")).toBeUndefined();
    expect(run(handler, "POST", "/Users/.search")).toBeUndefined();
  });

  it("sheds by delay only while the server holds another request: a write arriving alone is passed however late the loop is", () => {
    let held = 1; // the write itself (src/http/overload.ts counts every request from its arrival)
    const { handler } = shedWrites(40, { lag: () => 500, depth: () => held, maxDepth: 32 });
    expect(run(handler, "POST")).toBeUndefined();
    expect(run(handler, "DELETE")).toBeUndefined();
    held = 2;
    expect((run(handler, "POST") as DomainError).code).toBe(9004);
    expect((run(handler, "DELETE") as DomainError).code).toBe(9004);
    held = 1;
    expect(run(handler, "PATCH")).toBeUndefined();
  });

  it("passes writes while the loop is on time, and never sheds with the limit 0", () => {
    expect(run(shedWrites(40, { lag: () => 39 }).handler, "POST")).toBeUndefined();
    expect(run(shedWrites(0, { lag: () => 10_000 }).handler, "POST")).toBeUndefined();
  });
});

describe("/Bulk and shedding", () => {
  it("passes /Bulk however late the loop is (it is admitted by count once its body is read: test/hardening/fair-shares.test.ts)", () => {
    const { handler } = shedWrites(40, { lag: () => 500 });
    for (let i = 0; i < 5; i++) expect(run(handler, "POST", "/Bulk")).toBeUndefined();
    expect((run(handler, "POST", "/Users") as DomainError).code).toBe(9004); // single writes still shed by delay
  });
});

describe("LoopLag", () => {
  it("reports a blocked event loop at its next sample, and calm again once the loop is", async () => {
    const lag = new LoopLag();
    // How long the smoothed lag takes to fall under `ms`: on a quiet machine about a second after a
    // block; a machine loaded by other processes is late by itself, so it gets up to a minute (its
    // load comes and goes; 5 s could pass inside one busy stretch). A lag that never falls fails.
    const calmBelow = async (ms: number): Promise<number> => {
      const t0 = Date.now();
      while (lag.ms >= ms && Date.now() - t0 < 60_000) await sleep(20);
      return lag.ms;
    };
    try {
      expect(await calmBelow(50)).toBeLessThan(50);
      block(250);
      await sleep(0);
      await new Promise((r) => setImmediate(r));
      // A sample weighs a quarter: a 10 ms timer due inside the block is ~240 ms late, ~60 smoothed.
      // (With 150 ms a fresh CI once read 27.8 against this bound: the timer fell due late in the block.)
      expect(lag.ms).toBeGreaterThan(30);
      expect(await calmBelow(20)).toBeLessThan(20);
    } finally {
      lag.stop();
    }
  }, 150_000);
});

describe("write shedding over HTTP", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ WRITES_SHED_LAG_MS: "30" });
  });
  afterAll(() => s.close());

  it("serves a write that arrives alone however late the loop runs (the machine is busy, not the server)", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false });
    await sleep(200); // let the monitor settle
    // the server shares this process: its loop is kept late, and it holds no other request
    const alone = await saturated(() => call("POST", `${s.scim}/Users`, token, user(2)));
    expect(alone.status).toBe(201);
  });

  it("answers a write that arrives while the server is saturated with a 429 SCIM error and Retry-After, creating nothing", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false });
    await sleep(200); // let the monitor settle
    // the server shares this process: its loop is kept late, and it holds another request
    const held = await holdRequest(s.scim, token);
    const refused = await saturated(() => call("POST", `${s.scim}/Users`, token, user(1))).finally(() => held.release());
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "429" });
    expect(String(refused.body.detail)).toMatch(/WRITES_SHED_LAG_MS/);
    const found = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent('userName eq "shed1@example.com"')}`, token);
    expect(found.body.totalResults).toBe(0);

    await sleep(1000);
    const accepted = await call("POST", `${s.scim}/Users`, token, user(1));
    expect(accepted.status).toBe(201);
  });

  it("serves reads while it sheds writes", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false });
    await sleep(200);
    const held = await holdRequest(s.scim, token);
    const read = await saturated(() => call("GET", `${s.scim}/Users?count=1`, token)).finally(() => held.release());
    expect(read.status).toBe(200);
  });

  it("sheds /v1 writes with the /v1 error body", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false }, ["admin"]);
    await sleep(200);
    const held = await holdRequest(s.scim, token);
    const r = await saturated(() => call("POST", `${s.url}/v1/Tokens`, token, { friendly_name: "shed", scopes: ["scim"] }, { "content-type": "application/json" })).finally(() => held.release());
    expect(r.status).toBe(429);
    expect(r.body).toMatchObject({ code: 9004, status: 429 });
    expect(r.headers.get("retry-after")).toBe("1");
  });
});

describe("write shedding and /Bulk over HTTP", () => {
  // A server of its own: the operations of these /Bulk requests count towards their organization's
  // share of the writes, which would make every other test's organization the quiet one.
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ WRITES_SHED_LAG_MS: "30" });
  });
  afterAll(() => s.close());

  it("serves /Bulk requests sent one after another, although each makes the loop late by itself", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false });
    await sleep(200);
    for (let batch = 0; batch < 3; batch++) {
      block(200); // as late as a large /Bulk leaves it
      const Operations = Array.from({ length: 50 }, (_, k) => ({ method: "POST", path: "/Users", bulkId: `b${k}`, data: user(1000 + batch * 50 + k) }));
      const r = await call("POST", `${s.scim}/Bulk`, token, { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations });
      expect(r.status).toBe(200);
      expect(r.body.Operations.map((o: { status: string }) => o.status)).toEqual(Array(50).fill("201"));
    }
  });
});
