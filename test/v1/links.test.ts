/**
 * Where /v1's links point (a 201's Location, a list's meta URLs): PUBLIC_URL when it is set, and
 * then no request header steers them, whatever TRUST_PROXY says; without it, the Host the client
 * sent, with X-Forwarded-Host/-Proto believed only from a peer TRUST_PROXY trusts, and then only
 * the value that peer wrote (the last); a Host no URL can be built from is a 400 before anything
 * is written. Real servers, requests over node:http (fetch cannot forge Host).
 */
import { request } from "node:http";
import type { z } from "zod";
import { ErrorBody } from "../../src/http/v1/openapi";
import { TokenCreated, TokenList } from "../../src/http/v1/tokens-routes";
import type { PageMeta } from "../../src/http/v1/paging";
import { startTestServer, type Reply, type TestServer } from "../helpers/server";
import { conforms } from "../helpers/v1";

/** A /v1 call with any headers (Host included), over node:http. */
function send(s: TestServer, method: string, path: string, token: string, headers: Record<string, string>, body?: unknown): Promise<Reply> {
  const payload = body === undefined ? "" : JSON.stringify(body);
  const h: Record<string, string> = { authorization: `Bearer ${token}`, ...headers };
  if (body !== undefined) Object.assign(h, { "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) });
  return new Promise((resolve, reject) => {
    const req = request(`${s.url}${path}`, { method, headers: h }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => { text += c; });
      res.on("end", () => {
        let parsed: unknown;
        try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: new Headers(Object.entries(res.headers).map(([k, v]) => [k, String(v)])), body: parsed, text });
      });
    });
    req.on("error", reject);
    req.end(payload);
  });
}

type PageMetaBody = z.infer<typeof PageMeta>;
const FORGED = { host: "evil.example", "x-forwarded-host": "forged.example", "x-forwarded-proto": "http" };

/** Every URL a list page answers, walked from page 0 to the end (PageSize=1: first, url, next and previous all appear). */
async function pageUrls(s: TestServer, token: string, headers: Record<string, string>): Promise<string[]> {
  const urls: string[] = [];
  let path: string | null = "/v1/Tokens?PageSize=1";
  while (path !== null) {
    const page: { meta: PageMetaBody } = conforms(TokenList, await send(s, "GET", path, token, headers));
    const m = page.meta;
    urls.push(...[m.first_page_url, m.url, m.previous_page_url, m.next_page_url].filter((u): u is string => u !== null));
    path = m.next_page_url === null ? null : m.next_page_url.slice(m.next_page_url.indexOf("/v1/")); // a proxy strips PUBLIC_URL's path
  }
  return urls;
}

async function withTokens(s: TestServer): Promise<string> {
  const o = await s.newOrg();
  for (const name of ["second", "third"]) await send(s, "POST", "/v1/Tokens", o.token, {}, { friendly_name: name, scopes: ["scim"] });
  return o.token;
}

describe("with PUBLIC_URL (and TRUST_PROXY trusting the peer)", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer({ PUBLIC_URL: "https://scim.example.com/base", TRUST_PROXY: "loopback" }); });
  afterAll(() => s.close());

  it("builds every page URL from PUBLIC_URL whatever Host, X-Forwarded-Host and X-Forwarded-Proto say", async () => {
    const token = await withTokens(s);
    const urls = await pageUrls(s, token, FORGED);
    expect(urls.length).toBeGreaterThanOrEqual(9); // 3 pages × (first, url) + previous + next
    for (const u of urls) expect(u).toMatch(/^https:\/\/scim\.example\.com\/base\/v1\/Tokens\?/);
  });

  it("answers a create's Location under PUBLIC_URL whatever the headers say", async () => {
    const { token } = await s.newOrg();
    const r = await send(s, "POST", "/v1/Tokens", token, FORGED, { friendly_name: "Okta", scopes: ["scim"] });
    expect(r.status).toBe(201);
    expect(r.headers.get("location")).toBe(`https://scim.example.com/base/v1/Tokens/${conforms(TokenCreated, r).sid}`);
  });

  it("does not read the Host at all: one no URL could be built from is not refused", async () => {
    const { token } = await s.newOrg();
    expect((await send(s, "GET", "/v1/Tokens", token, { host: "evil.example/#" })).status).toBe(200);
  });
});

describe("without PUBLIC_URL or TRUST_PROXY", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(() => s.close());

  it("names the Host the client asked for and ignores X-Forwarded-Host and X-Forwarded-Proto", async () => {
    const token = await withTokens(s);
    for (const u of await pageUrls(s, token, { host: "scim.internal:8080", "x-forwarded-host": "forged.example", "x-forwarded-proto": "https" })) {
      expect(u).toMatch(/^http:\/\/scim\.internal:8080\/v1\/Tokens\?/);
    }
  });

  it.each([["evil.example/#"], ["evil.example?x="], ["user@evil.example"], ["evil.example:80:80"], ["a b"]])(
    "refuses Host %j with 400 naming it, and creates nothing", async (host) => {
      const { token } = await s.newOrg();
      const before = conforms(TokenList, await send(s, "GET", "/v1/Tokens", token, {})).tokens.length;
      const r = await send(s, "POST", "/v1/Tokens", token, { host }, { friendly_name: "x", scopes: ["scim"] });
      expect(r.status).toBe(400);
      expect(conforms(ErrorBody, r).message).toMatch(/The Host header .* is not a host name/);
      expect(conforms(TokenList, await send(s, "GET", "/v1/Tokens", token, {})).tokens).toHaveLength(before);
    });

  it("accepts an IPv6 literal Host with a port", async () => {
    const { token } = await s.newOrg();
    const r = await send(s, "POST", "/v1/Tokens", token, { host: "[::1]:8443" }, { friendly_name: "x", scopes: ["scim"] });
    expect(r.headers.get("location")).toMatch(/^http:\/\/\[::1\]:8443\/v1\/Tokens\/TK/);
  });
});

describe("without PUBLIC_URL, behind a proxy TRUST_PROXY trusts", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer({ TRUST_PROXY: "loopback" }); });
  afterAll(() => s.close());

  it("believes the value the trusted proxy wrote (the last), not one the client put before it", async () => {
    const token = await withTokens(s);
    const headers = { host: "10.0.0.5:3000", "x-forwarded-host": "forged.example, scim.example.com", "x-forwarded-proto": "http, https" };
    for (const u of await pageUrls(s, token, headers)) expect(u).toMatch(/^https:\/\/scim\.example\.com\/v1\/Tokens\?/);
  });

  it("refuses a forwarded host no URL can be built from, naming X-Forwarded-Host, and an unknown forwarded scheme", async () => {
    const { token } = await s.newOrg();
    const bad = await send(s, "GET", "/v1/Tokens", token, { "x-forwarded-host": "evil.example/#" });
    expect(bad.status).toBe(400);
    expect(conforms(ErrorBody, bad).message).toContain("X-Forwarded-Host");
    const scheme = await send(s, "GET", "/v1/Tokens", token, { "x-forwarded-proto": "javascript" });
    expect(scheme.status).toBe(400);
    expect(conforms(ErrorBody, scheme).message).toContain("X-Forwarded-Proto");
  });
});

describe("without PUBLIC_URL, TRUST_PROXY trusting other addresses than the peer's", () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer({ TRUST_PROXY: "10.0.0.0/8" }); });
  afterAll(() => s.close());

  it("ignores X-Forwarded-Host and X-Forwarded-Proto from an untrusted peer (127.0.0.1)", async () => {
    const { token } = await s.newOrg();
    const r = await send(s, "POST", "/v1/Tokens", token, { host: "scim.internal", "x-forwarded-host": "forged.example", "x-forwarded-proto": "https" }, { friendly_name: "x", scopes: ["scim"] });
    expect(r.headers.get("location")).toMatch(/^http:\/\/scim\.internal\/v1\/Tokens\/TK/);
  });
});
