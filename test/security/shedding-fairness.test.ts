/**
 * Write shedding attacked from another organization and from outside (src/http/write-shedding.ts,
 * src/http/overload.ts). The rule's promise (docs/hardening.md): the organization causing the load
 * is shed; one sending less than its share is still served. Requests held open cost the server
 * nothing but count toward OVERLOAD_QUEUE_DEPTH from their arrival, and the fair share counted
 * only writes: so whoever holds the depth's worth of requests open — another organization's
 * reads, or clients without any token at the OAuth token endpoint — and writes nothing made
 * every other organization's lone write "at its share", refused 429 (9009) for as long as the
 * holds last (REQUEST_TIMEOUT_MS, two minutes by default, renewed at will).
 *
 * Real HTTP, real SQLite store, the default depth, no timing: the holds are known to have arrived
 * (Node answers `Expect: 100-continue` as it hands the request over).
 */
import { EventEmitter } from "node:events";
import type { Request, Response } from "express";
import { loadConfig } from "../../src/config/config";
import { requestDepth } from "../../src/http/overload";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";
import { holdMany, holdRaw, releaseAll, type Held } from "../helpers/hold";

jest.setTimeout(60_000);

const DEPTH = loadConfig({}).OVERLOAD_QUEUE_DEPTH;

let s: TestServer;
let victim: string;
let other: string;
beforeAll(async () => {
  // The production defaults of every budget a hold could meet (per address, per token, per organization).
  const defaults = loadConfig({});
  s = await startTestServer({
    OVERLOAD_QUEUE_DEPTH: String(DEPTH),
    ANONYMOUS_PER_MINUTE: String(defaults.ANONYMOUS_PER_MINUTE),
    AUTH_FAILURES_PER_MINUTE: String(defaults.AUTH_FAILURES_PER_MINUTE),
  });
  ({ token: victim } = await s.newOrg({ domainEnforcement: false }));
  ({ token: other } = await s.newOrg({ domainEnforcement: false }));
});
afterAll(() => s.close());

const unique = (tag: string) => `${tag}-${Math.random().toString(36).slice(2, 10)}@victim.test`;

async function whileHeld<T>(held: Held[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    releaseAll(held);
  }
}

/** A read of `token`'s organization (POST /Users/.search, never shed) held in the body parser. */
const scimRead = (token: string) => () => holdRaw(s.url, "POST", "/scim/v2/Users/.search", { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" });
/** A token request without credentials held in its form parser: no token, no organization. */
const anonymous = () => holdRaw(s.url, "POST", "/oauth/token", { "Content-Type": "application/x-www-form-urlencoded" });

describe("an organization's lone write", () => {
  it(`is served while another organization holds ${DEPTH} reads open and writes nothing`, async () => {
    const held = await holdMany(DEPTH, scimRead(other));
    const r = await whileHeld(held, () => call("POST", `${s.scim}/Users`, victim, userBody(unique("lone"))));
    expect(r.headers.get("x-orgscim-error-code")).toBeNull();
    expect(r.status).toBe(201);
  });

  it(`is served while clients without a token hold ${DEPTH} requests open at the OAuth token endpoint`, async () => {
    const held = await holdMany(DEPTH, anonymous);
    const r = await whileHeld(held, () => call("POST", `${s.scim}/Users`, victim, userBody(unique("anon"))));
    expect(r.headers.get("x-orgscim-error-code")).toBeNull();
    expect(r.status).toBe(201);
  });

  it("is served over /v1 as well while another organization holds the depth", async () => {
    const held = await holdMany(DEPTH, scimRead(other));
    const r = await whileHeld(held, () => call("POST", `${s.url}/v1/Tokens`, victim, { friendly_name: "lone", scopes: ["scim"] }, { "content-type": "application/json" }));
    expect(r.headers.get("x-orgscim-error-code")).toBeNull();
    expect(r.status).toBe(201);
  });
});

describe("the organization that holds the depth (the rule still sheds the load's own)", () => {
  it(`refuses its own write with 429 9009 while it holds ${DEPTH} requests, creating nothing`, async () => {
    const name = unique("own");
    const held = await holdMany(DEPTH, scimRead(other));
    const r = await whileHeld(held, () => call("POST", `${s.scim}/Users`, other, userBody(name)));
    expect(r.status).toBe(429);
    expect(r.headers.get("x-orgscim-error-code")).toBe("9009");
    const found = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent(`userName eq "${name}"`)}`, other);
    expect(found.body.totalResults).toBe(0);
  });

  it(`refuses a write of an organization holding the depth itself while anonymous clients hold requests too`, async () => {
    const held = [...await holdMany(DEPTH, scimRead(victim)), ...await holdMany(4, anonymous)];
    const r = await whileHeld(held, () => call("POST", `${s.scim}/Users`, victim, userBody(unique("heavy"))));
    expect(r.status).toBe(429);
    expect(r.headers.get("x-orgscim-error-code")).toBe("9009");
  });

  // F9: nobody's requests (no token: the OAuth token endpoint's form) counted as one party in the
  // fair share, so an organization holding the depth stopped being "at its share" once clients
  // without a token held more requests than it did: its flood was never shed, whatever its size.
  it(`refuses a write of an organization holding the depth itself while clients without a token hold more requests than it does`, async () => {
    const name = unique("behind-anon");
    const held = [...await holdMany(DEPTH, scimRead(victim)), ...await holdMany(DEPTH + 4, anonymous)];
    const r = await whileHeld(held, () => call("POST", `${s.scim}/Users`, victim, userBody(name)));
    expect(r.status).toBe(429);
    expect(r.headers.get("x-orgscim-error-code")).toBe("9009");
    const found = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent(`userName eq "${name}"`)}`, victim);
    expect(found.body.totalResults).toBe(0);
  });

  it(`refuses a write of an organization holding the depth through many tokens of its own`, async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 4; i++) {
      const made = await call("POST", `${s.url}/v1/Tokens`, victim, { friendly_name: `spread-${i}`, scopes: ["scim"] }, { "content-type": "application/json" });
      expect(made.status).toBe(201);
      tokens.push(made.body.token as string);
    }
    const held = (await Promise.all(tokens.map((t) => holdMany(DEPTH / 4, scimRead(t))))).flat();
    const r = await whileHeld(held, () => call("POST", `${s.scim}/Users`, tokens[0]!, userBody(unique("spread"))));
    expect(r.status).toBe(429);
    expect(r.headers.get("x-orgscim-error-code")).toBe("9009");
  });

  it(`serves a lone write while clients with bad tokens hold ${DEPTH} requests open (refused before they are held)`, async () => {
    const bad = () => holdRaw(s.url, "POST", "/scim/v2/Users", { Authorization: "Bearer not-a-token", "Content-Type": "application/scim+json" }).catch(() => null);
    const held = (await holdMany(DEPTH, bad as () => Promise<Held>)).filter((h): h is Held => h !== null);
    const r = await whileHeld(held, () => call("POST", `${s.scim}/Users`, other, userBody(unique("bad-tokens"))));
    expect(r.headers.get("x-orgscim-error-code")).toBeNull();
    expect(r.status).toBe(201);
  });
});

describe("shedding by the loop's delay", () => {
  // The server shares this process: its loop is kept late as a starved machine's is, which by
  // itself must not shed a write that arrives alone (d891d4b). One request held open by someone
  // else made every such write "not alone".
  const block = (ms: number) => { const end = performance.now() + ms; while (performance.now() < end) { /* the loop is busy */ } };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  async function saturated<T>(send: () => Promise<T>): Promise<T> {
    const busy = setInterval(() => block(45), 1);
    try {
      await sleep(200);
      return await send();
    } finally {
      clearInterval(busy);
    }
  }

  let lagged: TestServer;
  let a: string;
  let b: string;
  beforeAll(async () => {
    lagged = await startTestServer({ WRITES_SHED_LAG_MS: "30" });
    ({ token: a } = await lagged.newOrg({ domainEnforcement: false }));
    ({ token: b } = await lagged.newOrg({ domainEnforcement: false }));
  });
  afterAll(() => lagged.close());

  it("serves an organization's lone write while another organization holds one read open", async () => {
    await sleep(200);
    const held = [await holdRaw(lagged.url, "POST", "/scim/v2/Users/.search", { Authorization: `Bearer ${b}`, "Content-Type": "application/scim+json" })];
    const r = await whileHeld(held, () => saturated(() => call("POST", `${lagged.scim}/Users`, a, userBody(unique("lag-other")))));
    expect(r.headers.get("x-orgscim-error-code")).toBeNull();
    expect(r.status).toBe(201);
  });

  it("serves an organization's lone write while a client without a token holds one request open", async () => {
    await sleep(200);
    const held = [await holdRaw(lagged.url, "POST", "/oauth/token", { "Content-Type": "application/x-www-form-urlencoded" })];
    const r = await whileHeld(held, () => saturated(() => call("POST", `${lagged.scim}/Users`, a, userBody(unique("lag-anon")))));
    expect(r.headers.get("x-orgscim-error-code")).toBeNull();
    expect(r.status).toBe(201);
  });

  const readOf = (token: string) => () => holdRaw(lagged.url, "POST", "/scim/v2/Users/.search", { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" });

  it("serves the write of an organization holding less than its share while another holds more requests open (reads load the loop too)", async () => {
    await sleep(200);
    const held = [...await holdMany(3, readOf(b)), ...await holdMany(1, readOf(a))];
    const r = await whileHeld(held, () => saturated(() => call("POST", `${lagged.scim}/Users`, a, userBody(unique("lag-less")))));
    expect(r.headers.get("x-orgscim-error-code")).toBeNull();
    expect(r.status).toBe(201);
  });

  it("sheds the write of the organization holding the most", async () => {
    await sleep(200);
    const held = [...await holdMany(1, readOf(b)), ...await holdMany(3, readOf(a))];
    const r = await whileHeld(held, () => saturated(() => call("POST", `${lagged.scim}/Users`, a, userBody(unique("lag-most")))));
    expect(r.status).toBe(429);
    expect(r.headers.get("x-orgscim-error-code")).toBe("9004");
  });

  it("sheds the write of an organization holding another request itself while clients without a token hold more (F9)", async () => {
    await sleep(200);
    const anon = () => holdRaw(lagged.url, "POST", "/oauth/token", { "Content-Type": "application/x-www-form-urlencoded" });
    const held = [...await holdMany(1, readOf(a)), ...await holdMany(4, anon)];
    const r = await whileHeld(held, () => saturated(() => call("POST", `${lagged.scim}/Users`, a, userBody(unique("lag-anon-cover")))));
    expect(r.status).toBe(429);
    expect(r.headers.get("x-orgscim-error-code")).toBe("9004");
  });

  it("still sheds the write of an organization that holds another request itself", async () => {
    await sleep(200);
    const held = [await holdRaw(lagged.url, "POST", "/scim/v2/Users/.search", { Authorization: `Bearer ${a}`, "Content-Type": "application/scim+json" })];
    const r = await whileHeld(held, () => saturated(() => call("POST", `${lagged.scim}/Users`, a, userBody(unique("lag-own")))));
    expect(r.status).toBe(429);
    expect(r.headers.get("x-orgscim-error-code")).toBe("9004");
  });
});

describe("who holds what (the counter alone)", () => {
  const turn = () => new Promise((r) => setImmediate(r));
  const arrive = (d: ReturnType<typeof requestDepth>) => {
    const res = new EventEmitter() as unknown as Response;
    d.handler({} as Request, res, () => undefined);
    return res;
  };
  const close = (res: Response) => (res as unknown as EventEmitter).emit("close");

  it("counts a request as nobody's until claimed, then as its organization's, and gives it back when it closes", async () => {
    const d = requestDepth();
    const r1 = arrive(d);
    const r2 = arrive(d);
    await turn();
    expect(d.depth()).toBe(2);
    // Nobody's requests are no organization's share, and no party (F9).
    expect(d.held("A")).toEqual({ mine: 0, parties: 0, total: 0 });
    d.claim(r1, "A");
    d.claim(r1, "B"); // a second claim changes nothing
    expect(d.held("A")).toEqual({ mine: 1, parties: 1, total: 1 });
    expect(d.held("B")).toEqual({ mine: 0, parties: 1, total: 1 });
    expect(d.held("")).toEqual({ mine: 0, parties: 1, total: 1 });
    close(r1);
    close(r2);
    expect(d.held("A")).toEqual({ mine: 0, parties: 0, total: 0 });
  });

  it("does not count a claim made after the request closed (its client left during authentication)", async () => {
    const d = requestDepth();
    const r = arrive(d);
    await turn();
    close(r);
    d.claim(r, "A");
    expect(d.held("A")).toEqual({ mine: 0, parties: 0, total: 0 });
    const again = arrive(d);
    d.claim(again, "A");
    expect(d.held("A")).toEqual({ mine: 1, parties: 1, total: 1 });
  });

  it("gives back a request answered in the turn it arrived in at the end of that turn, from its holder", async () => {
    const d = requestDepth();
    const r = arrive(d);
    d.claim(r, "A");
    close(r);
    expect(d.held("A")).toEqual({ mine: 1, parties: 1, total: 1 });
    await turn();
    await turn();
    expect(d.held("A")).toEqual({ mine: 0, parties: 0, total: 0 });
  });
});
