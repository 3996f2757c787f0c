/**
 * Nothing unauthenticated is expensive (issue 14, item 2): /v1/openapi.json and the Admin
 * Center's files are built once and served from memory with an ETag and Last-Modified (304 when
 * the client has them); token-less routes and failed authentications have a per-address budget;
 * a client that sends its headers or its body too slowly is answered 408 and disconnected.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express";
import request from "supertest";
import { adminRoutes } from "../../src/http/admin";
import { call, startTestServer, userBody, type Reply, type TestServer } from "../helpers/server";

/** The error's numeric code: the /v1 body's `code`, or SCIM's X-Orgscim-Error-Code header (its body keeps RFC 7644's members only). */
const codeOf = (r: Reply): number | undefined => {
  const h = r.headers.get("x-orgscim-error-code");
  return h !== null ? Number(h) : r.body?.code;
};

describe("GET /v1/openapi.json", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(() => s.close());

  it("answers with a strong ETag and Last-Modified, the same bytes every time", async () => {
    const a = await fetch(`${s.url}/v1/openapi.json`);
    const b = await fetch(`${s.url}/v1/openapi.json`);
    expect(a.status).toBe(200);
    expect(a.headers.get("etag")).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(a.headers.get("etag")).toBe(b.headers.get("etag"));
    expect(Date.parse(a.headers.get("last-modified")!)).toBeLessThanOrEqual(Date.now());
    expect(a.headers.get("cache-control")).toBe("no-cache");
    expect(await a.text()).toBe(await b.text());
  });

  it("answers 304 with no body to If-None-Match with its ETag, and to If-Modified-Since", async () => {
    const a = await fetch(`${s.url}/v1/openapi.json`);
    const etag = a.headers.get("etag")!;
    const byTag = await fetch(`${s.url}/v1/openapi.json`, { headers: { "if-none-match": etag } });
    expect(byTag.status).toBe(304);
    expect(await byTag.text()).toBe("");
    expect(byTag.headers.get("etag")).toBe(etag);
    const byDate = await fetch(`${s.url}/v1/openapi.json`, { headers: { "if-modified-since": a.headers.get("last-modified")! } });
    expect(byDate.status).toBe(304);
    const other = await fetch(`${s.url}/v1/openapi.json`, { headers: { "if-none-match": '"something-else"' } });
    expect(other.status).toBe(200);
  });

  it("does not take its server URL from the request's Host header (nothing a client sends chooses what is built)", async () => {
    const a = await call("GET", `${s.url}/v1/openapi.json`, null, undefined, { host: "evil.example" });
    expect(a.body.servers).toEqual([{ url: "/v1" }]);
  });

  it("names PUBLIC_URL's /v1 as its server when PUBLIC_URL is set", async () => {
    const p = await startTestServer({ PUBLIC_URL: "https://scim.example.com/" });
    try {
      const r = await call("GET", `${p.url}/v1/openapi.json`, null);
      expect(r.body.servers).toEqual([{ url: "https://scim.example.com/v1" }]);
    } finally {
      await p.close();
    }
  });
});

describe("the Admin Center's files", () => {
  it("are read once: a file changed or removed on disk after start is served as it was read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "orgscim-admin-"));
    try {
      writeFileSync(join(dir, "index.html"), "<!doctype html><title>one</title>");
      writeFileSync(join(dir, "app.js"), "export {};");
      const app = express().use("/admin", adminRoutes(dir));
      rmSync(join(dir, "app.js"));
      writeFileSync(join(dir, "index.html"), "<!doctype html><title>two</title>");
      const page = await request(app).get("/admin/");
      expect(page.text).toContain("one");
      const js = await request(app).get("/admin/app.js");
      expect(js.status).toBe(200);
      expect(js.headers["content-type"]).toMatch(/^text\/javascript/);
      const again = await request(app).get("/admin/app.js").set("if-none-match", js.headers.etag!);
      expect(again.status).toBe(304);
      expect((await request(app).get("/admin/other.js")).status).toBe(404);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the per-address budget of token-less requests (ANONYMOUS_PER_MINUTE)", () => {
  let s: TestServer;
  let token: string;
  beforeAll(async () => {
    s = await startTestServer({ ANONYMOUS_PER_MINUTE: "5" });
    token = (await s.newOrg({ domainEnforcement: false })).token;
  });
  afterAll(() => s.close());

  it("refuses the request past the budget with 429, code 9006 and Retry-After, on every token-less route; /healthz, /readyz and a valid token are not counted", async () => {
    const routes = ["/v1/openapi.json", "/admin/", "/admin/app.js", "/nowhere", "/v1/openapi.json"];
    for (const path of routes) {
      const r = await fetch(`${s.url}${path}`);
      expect([path, r.status < 429]).toEqual([path, true]);
      // neither probes nor authenticated calls spend the budget
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
      expect((await call("GET", `${s.url}/v1/Organization`, token)).status).toBe(200);
    }
    for (const path of ["/v1/openapi.json", "/admin/app.js", "/nowhere"]) {
      const r = await call("GET", `${s.url}${path}`, null);
      expect([path, r.status, codeOf(r)]).toEqual([path, 429, 9006]);
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(r.body.message).toMatch(/ANONYMOUS_PER_MINUTE/);
    }
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    expect((await call("POST", `${s.scim}/Users`, token, userBody("after-budget@acme.test"))).status).toBe(201);
  });
});

describe("the per-address budget of failed authentications (AUTH_FAILURES_PER_MINUTE)", () => {
  let s: TestServer;
  let token: string;
  beforeAll(async () => {
    s = await startTestServer({ AUTH_FAILURES_PER_MINUTE: "3" });
    token = (await s.newOrg({ domainEnforcement: false })).token;
  });
  afterAll(() => s.close());

  it("counts only failures: requests with a valid token spend nothing", async () => {
    for (let i = 0; i < 10; i++) expect((await call("GET", `${s.scim}/Users`, token)).status).toBe(200);
  });

  it("works out a request's address once (req.ip parses X-Forwarded-For at every read)", async () => {
    const own = Object.getOwnPropertyDescriptor(express.request, "ip")!;
    let reads = 0;
    Object.defineProperty(express.request, "ip", { ...own, get(this: express.Request) { reads++; return own.get!.call(this) as string | undefined; } });
    try {
      expect((await call("GET", `${s.scim}/Users`, token)).status).toBe(200); // the token's use, noted once a minute, may read it too
      reads = 0;
      expect((await call("GET", `${s.scim}/Users`, token)).status).toBe(200);
      expect(reads).toBe(1);
    } finally {
      Object.defineProperty(express.request, "ip", own);
    }
  });

  it("answers 401 to the first failures, then 429 code 9007 before looking the token up, on SCIM and /v1 alike", async () => {
    const attempts: Array<[string, string | null]> = [
      [`${s.scim}/Users`, "ost_nope"],
      [`${s.url}/v1/Organization`, null],
      [`${s.scim}/Users?access_token=x`, null],
    ];
    for (const [url, t] of attempts) {
      const r = await call("GET", url, t);
      expect([url, r.status]).toEqual([url, 401]);
      expect(r.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
    for (const url of [`${s.scim}/Users`, `${s.url}/v1/Organization`, `${s.scim}/Bulk`]) {
      const r = await call(url.endsWith("Bulk") ? "POST" : "GET", url, "ost_still_wrong", url.endsWith("Bulk") ? {} : undefined);
      expect([url, r.status, codeOf(r)]).toEqual([url, 429, 9007]);
      expect(r.body.detail ?? r.body.message).toMatch(/AUTH_FAILURES_PER_MINUTE/);
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(r.headers.get("www-authenticate")).toBeNull();
    }
  });

  it("while the address is over its budget, still serves a token that worked from it, and refuses one it has not seen", async () => {
    expect((await call("GET", `${s.scim}/Users`, token)).status).toBe(200);
    expect((await call("POST", `${s.scim}/Users`, token, userBody("known-token@acme.test"))).status).toBe(201);
    const fresh = (await s.newOrg({ domainEnforcement: false })).token;
    const r = await call("GET", `${s.scim}/Users`, fresh);
    expect([r.status, codeOf(r)]).toEqual([429, 9007]);
    // a known token's id with a wrong secret is looked up, fails, and is still refused
    const forged = `${token.slice(0, "osk_".length + 32 + 1)}${"A".repeat(43)}`;
    expect((await call("GET", `${s.scim}/Users`, forged)).status).toBe(429);
  });
});

describe("per-address budgets behind a proxy (TRUST_PROXY=1)", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer({ ANONYMOUS_PER_MINUTE: "2", TRUST_PROXY: "1" }); });
  afterAll(() => s.close());

  it("are kept per client address as the proxy reports it, and rotating the leftmost hops buys nothing", async () => {
    const as = (xff: string) => fetch(`${s.url}/v1/openapi.json`, { headers: { "x-forwarded-for": xff } });
    expect((await as("203.0.113.1")).status).toBe(200);
    expect((await as("203.0.113.1")).status).toBe(200);
    expect((await as("203.0.113.1")).status).toBe(429);
    // another client behind the same proxy has its own budget
    expect((await as("203.0.113.2")).status).toBe(200);
    // the client forging hops in front of its real address is still 203.0.113.1
    expect((await as("198.51.100.7, 203.0.113.1")).status).toBe(429);
    expect((await as("198.51.100.8, 203.0.113.1")).status).toBe(429);
  });
});

/** Writes `parts` to a raw connection, `gapMs` apart; resolves with what came back and when the server closed it. */
function slowClient(port: number, parts: string[], gapMs: number): Promise<{ reply: string; closedAfterMs: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    let reply = "";
    const socket = connect(port, "127.0.0.1");
    const timers: NodeJS.Timeout[] = [];
    socket.on("connect", () => parts.forEach((p, i) => timers.push(setTimeout(() => socket.writable && socket.write(p), i * gapMs))));
    socket.on("data", (d) => { reply += String(d); });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      timers.forEach(clearTimeout);
      resolve({ reply, closedAfterMs: Date.now() - started });
    });
  });
}

describe("slow senders (HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS)", () => {
  let s: TestServer;
  let token: string;
  beforeAll(async () => {
    s = await startTestServer({ HEADERS_TIMEOUT_MS: "400", REQUEST_TIMEOUT_MS: "800" });
    token = (await s.newOrg({ domainEnforcement: false })).token;
  });
  afterAll(() => s.close());

  it("answers 408 and closes a connection whose headers trickle in past HEADERS_TIMEOUT_MS", async () => {
    const trickle = Array.from({ length: 100 }, (_, i) => (i === 0 ? "GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\n" : `X-Slow-${i}: 1\r\n`));
    const r = await slowClient(s.running.port, trickle, 100);
    expect(r.reply).toMatch(/^HTTP\/1\.1 408/);
    // Closed by the server before the trickle would have ended (10 s): 400 ms and Node's check
    // interval, and what a loaded machine adds (the 408 itself says it was the timeout).
    expect(r.closedAfterMs).toBeLessThan(trickle.length * 100);
  });

  it("answers 408 and closes a connection whose body trickles in past REQUEST_TIMEOUT_MS, and nothing of it is applied", async () => {
    const body = JSON.stringify(userBody("slow-body@acme.test"));
    const head = `POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/scim+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const parts = [head, ...body.slice(0, 60).split("")];
    const r = await slowClient(s.running.port, parts, 100);
    expect(r.reply).toMatch(/^HTTP\/1\.1 408/);
    expect(r.closedAfterMs).toBeLessThan(parts.length * 100); // before the trickle would have ended (6.1 s)
    const found = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent('userName eq "slow-body@acme.test"')}`, token);
    expect(found.body.totalResults).toBe(0);
  });

  it("keeps an idle keep-alive connection open past HEADERS_TIMEOUT_MS (the timeout runs from a request's first byte)", async () => {
    const req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    const socket = connect(s.running.port, "127.0.0.1");
    let reply = "";
    socket.on("data", (d) => { reply += String(d); });
    await new Promise((r) => socket.once("connect", r));
    let closed = false;
    socket.on("close", () => { closed = true; });
    socket.on("error", () => undefined);
    const answers = () => reply.match(/HTTP\/1\.1 200/g)?.length ?? 0;
    socket.write(req);
    await new Promise((r) => setTimeout(r, 1_200)); // idle past HEADERS_TIMEOUT_MS (a late timer only idles longer)
    socket.write(req);
    // The second answer, or the server closing the connection; not a fixed 300 ms, which a loaded
    // machine can outlast.
    const deadline = Date.now() + 30_000;
    while (answers() < 2 && !closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    socket.destroy();
    expect({ answers: answers(), closedByServer: closed }).toEqual({ answers: 2, closedByServer: false });
  });
});
