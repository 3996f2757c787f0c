/**
 * The conventions every /v1 operation keeps, generated from the operations /v1/openapi.json
 * declares (so a new route is checked without a change here): a method a path does not answer is
 * 405 with Allow; a body that is not JSON is 415; a query parameter the operation does not declare,
 * or a declared one in another case, is 400 naming it and the accepted ones; a create (201)
 * answers Location, and the resource is there.
 */
import { request } from "node:http";
import { ErrorBody } from "../../src/http/v1/openapi";
import { call, startTestServer, userBody, type Reply, type TestServer } from "../helpers/server";
import { conforms, v1 } from "../helpers/v1";

interface Param { name: string; in: string }
interface Operation { parameters?: Param[]; requestBody?: unknown; responses: Record<string, { headers?: Record<string, unknown> }>; security?: unknown[] }
interface Doc { paths: Record<string, Record<string, Operation>> }

let s: TestServer;
let token: string;
let doc: Doc;
let org: { user: string; account: string };

beforeAll(async () => {
  s = await startTestServer();
  const o = await s.newOrg();
  token = o.token;
  await s.verifyDomain(o.org.id, "acme.test");
  const user = (await call("POST", `${s.scim}/Users`, token, userBody("conventions@acme.test"))).body.id as string;
  const account = (await v1("POST", `${s.url}/v1/Accounts`, token, { friendly_name: "Conventions", owner_sid: user })).body.sid as string;
  org = { user, account };
  doc = (await (await fetch(`${s.url}/v1/openapi.json`)).json()) as Doc;
});
afterAll(() => s.close());

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];
/** Every operation of the document, read when the tests are collected (jest needs the list before beforeAll). */
const operations = (): { method: string; path: string; op: Operation }[] =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })));
/** A concrete URL path for a template: each {parameter} a syntactically plausible sid. */
const concrete = (path: string) => path.replace(/\{(\w+)\}/g, () => `ZZ${"0".repeat(32)}`);
const templateRe = (path: string) => new RegExp(`^${path.replace(/\{\w+\}/g, "[^/]+")}$`, "i");
/** The methods the document says a concrete path answers: every template that matches it (GET brings HEAD, OPTIONS always). */
function allowFor(url: string): string[] {
  const m = new Set(operations().filter((o) => templateRe(o.path).test(url)).map((o) => o.method));
  if (m.has("GET")) m.add("HEAD");
  m.add("OPTIONS");
  return [...m].sort();
}
const auth = (op: Operation) => (op.security && op.security.length === 0 ? null : token);
const errorOf = (r: Reply) => conforms(ErrorBody, r);

/** A request over node:http, which (unlike fetch) sends a body with any method, GET included. */
function raw(method: string, path: string, bearer: string | null, body: string, type: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-type": type, "content-length": String(Buffer.byteLength(body)) };
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    const req = request(`${s.url}${path}`, { method, headers }, (res) => {
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
    req.end(body);
  });
}

/**
 * The document is fetched in beforeAll; jest collects tests before it runs, so each convention is
 * one test that walks every operation and reports every failure at once.
 */
describe("every /v1 operation of /v1/openapi.json", () => {
  it("finds the operations it checks", () => {
    expect(operations().length).toBeGreaterThan(30);
    expect(operations().map((o) => `${o.method} ${o.path}`)).toContain("GET /Users");
  });

  it("answers 405 with Allow for every method a path does not answer, and 204 with Allow to OPTIONS", async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const path of Object.keys(doc.paths)) {
      const url = concrete(path);
      const allow = allowFor(url);
      for (const method of METHODS.filter((m) => !allow.includes(m))) {
        for (const who of [token, null]) {
          const r = await call(method, `${s.url}/v1${url}`, who);
          checked++;
          const got = (r.headers.get("allow") ?? "").split(/,\s*/).sort();
          if (r.status !== 405 || got.join() !== allow.join()) { problems.push(`${method} ${path} (${who ? "token" : "no token"}): ${r.status} Allow: ${got.join()} (want 405 ${allow.join()})`); continue; }
          const e = errorOf(r);
          if (e.code !== 1017 || e.status !== 405 || !e.message.includes(method) || !e.more_info.endsWith("#1017")) problems.push(`${method} ${path}: ${r.text}`);
        }
      }
      const o = await call("OPTIONS", `${s.url}/v1${url}`, null);
      if (o.status !== 204 || (o.headers.get("allow") ?? "").split(/,\s*/).sort().join() !== allow.join()) problems.push(`OPTIONS ${path}: ${o.status} ${o.headers.get("allow")}`);
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });

  it("answers 415 to a body that is not JSON, on every operation", async () => {
    const problems: string[] = [];
    for (const { method, path, op } of operations()) {
      for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/xml"]) {
        const r = await raw(method, `/v1${concrete(path)}`, auth(op), "friendly_name=x", type);
        if (r.status !== 415) { problems.push(`${method} ${path} ${type}: ${r.status} ${r.text.slice(0, 200)}`); continue; }
        const e = errorOf(r);
        if (e.code !== 1006 || !e.message.includes(type) || !/application\/json/.test(e.message)) problems.push(`${method} ${path}: ${r.text}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("answers 400 naming a query parameter the operation does not declare, and the ones it accepts", async () => {
    const problems: string[] = [];
    for (const { method, path, op } of operations()) {
      const accepted = (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name);
      const tries: [string, RegExp[]][] = [["Bogus", []], ...accepted.map((a): [string, RegExp[]] => [a.toLowerCase() === a ? a.toUpperCase() : a.toLowerCase(), [new RegExp(`did you mean '${a}'`)]])];
      for (const [name, extra] of tries) {
        const r = await call(method, `${s.url}/v1${concrete(path)}?${encodeURIComponent(name)}=1`, auth(op));
        if (r.status !== 400) { problems.push(`${method} ${path}?${name}: ${r.status} ${r.text.slice(0, 200)}`); continue; }
        const e = errorOf(r);
        const wanted = [new RegExp(`'${name}'`), ...extra, ...(accepted.length ? accepted.map((a) => new RegExp(`\\b${a}\\b`)) : [/takes no query parameters/])];
        const missing = wanted.filter((re) => !re.test(e.message));
        if (e.code !== 1016 || missing.length) problems.push(`${method} ${path}?${name}: code ${e.code}, message lacks ${missing.join(" ")}: ${e.message}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("changes nothing when it refuses an unknown parameter on a create", async () => {
    const before = (await v1("GET", `${s.url}/v1/Accounts?PageSize=100`, token)).body.accounts.length as number;
    const r = await v1("POST", `${s.url}/v1/Accounts?friendly_name=x`, token, { friendly_name: "Not made" });
    expect(r.status).toBe(400);
    expect((await v1("GET", `${s.url}/v1/Accounts?PageSize=100`, token)).body.accounts.length).toBe(before);
  });

  /** A request that creates one resource, per create of the document; a new create fails the test until it is listed. */
  const CREATES: Record<string, () => { path: string; body: unknown }> = {
    "POST /Accounts": () => ({ path: "/Accounts", body: { friendly_name: "Located", owner_sid: org.user } }),
    "POST /Tokens": () => ({ path: "/Tokens", body: { friendly_name: "Located", scopes: ["scim"] } }),
    "POST /Domains": () => ({ path: "/Domains", body: { domain_name: `located-${Date.now().toString(36)}.example.com` } }),
    "POST /RoleAssignments": () => ({ path: "/RoleAssignments", body: { account_sid: org.account, user_sid: org.user, role: "developer" } }),
    "POST /Invitations": () => ({ path: "/Invitations", body: { email: `invited-${Date.now().toString(36)}@acme.test`, org_role: "standard" } }),
    "POST /Accounts/{sid}/Invitations": () => ({ path: `/Accounts/${org.account}/Invitations`, body: { email: `outside-${Date.now().toString(36)}@elsewhere.test`, roles: ["support"] } }),
  };

  it("declares Location on every 201 and answers it: the resource is there", async () => {
    const creates = operations().filter((o) => o.op.responses["201"]);
    expect(creates.map((o) => `${o.method} ${o.path}`).filter((k) => !CREATES[k])).toEqual([]);
    const problems: string[] = [];
    for (const { method, path, op } of creates) {
      if (!op.responses["201"]!.headers?.Location) problems.push(`${method} ${path}: the document declares no Location header`);
      const { path: at, body } = CREATES[`${method} ${path}`]!();
      const r = await v1(method, `${s.url}/v1${at}`, token, body);
      const location = r.headers.get("location");
      const sid = (r.body?.sid ?? r.body?.invitation?.sid) as string | undefined;
      if (r.status !== 201 || !location || !sid || !location.endsWith(`/${sid}`) || !location.startsWith(`${s.url}/v1/`)) { problems.push(`${method} ${path}: ${r.status} Location ${location} ${r.text.slice(0, 200)}`); continue; }
      const rel = new URL(location).pathname.slice("/v1".length);
      const there = allowFor(rel);
      if (there.includes("GET")) {
        const got = await v1("GET", location, token);
        if (got.status !== 200 || got.body.sid !== sid) problems.push(`GET ${location}: ${got.status}`);
      } else if (!there.includes("DELETE")) problems.push(`${location}: answers neither GET nor DELETE`);
    }
    expect(problems).toEqual([]);
  });

  it("answers 200 without Location when an account invitation grants a managed user's roles at once (nothing new is created)", async () => {
    const r = await v1("POST", `${s.url}/v1/Accounts/${org.account}/Invitations`, token, { email: "conventions@acme.test", roles: ["support"] });
    expect(r.status).toBe(200);
    expect(r.body.outcome).toBe("granted");
    expect(r.headers.get("location")).toBeNull();
  });
});
