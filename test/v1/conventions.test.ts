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
interface Doc { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, JsonSchema> } }
interface JsonSchema { $ref?: string; type?: string | string[]; properties?: Record<string, JsonSchema>; items?: JsonSchema; required?: string[] }

let s: TestServer;
let token: string;
let doc: Doc;
let org: { user: string; account: string; other: string; rotatable: string; group: string };

beforeAll(async () => {
  s = await startTestServer();
  const o = await s.newOrg();
  token = o.token;
  await s.verifyDomain(o.org.id, "acme.test");
  const user = (await call("POST", `${s.scim}/Users`, token, userBody("conventions@acme.test"))).body.id as string;
  const account = (await v1("POST", `${s.url}/v1/Accounts`, token, { friendly_name: "Conventions", owner_sid: user })).body.sid as string;
  const other = (await call("POST", `${s.scim}/Users`, token, userBody("conventions-other@acme.test"))).body.id as string;
  const second = (await v1("POST", `${s.url}/v1/Accounts`, token, { friendly_name: "Conventions 2", owner_sid: other })).body.sid as string;
  for (const [acct, u, role] of [[account, user, "developer"], [account, other, "support"], [second, user, "billing_manager"]] as const) {
    await v1("POST", `${s.url}/v1/RoleAssignments`, token, { account_sid: acct, user_sid: u, role });
  }
  const rotatable = (await v1("POST", `${s.url}/v1/Tokens`, token, { friendly_name: "Second", scopes: ["scim"] })).body.sid as string;
  for (const name of ["Client 1", "Client 2"]) await v1("POST", `${s.url}/v1/OAuthClients`, token, { friendly_name: name, scopes: ["scim"] });
  for (const name of ["Stream 1", "Stream 2"]) await v1("POST", `${s.url}/v1/EventStreams`, token, { friendly_name: name, delivery: "poll" });
  await v1("POST", `${s.url}/v1/Domains`, token, { domain_name: "second.example.com" });
  for (const who of ["a", "b"]) await v1("POST", `${s.url}/v1/Invitations`, token, { email: `pending-${who}@acme.test`, org_role: "standard" });
  const scimGroup = async (displayName: string, members: string[]) =>
    (await call("POST", `${s.scim}/Groups`, token, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName, members: members.map((value) => ({ value })) })).body.id as string;
  const group = await scimGroup("Conventions A", [user, other]);
  await scimGroup("Conventions B", []);
  // Two SCIM requests refused for their content (a userName taken), for GET /ProvisioningErrors.
  for (let i = 0; i < 2; i++) await call("POST", `${s.scim}/Users`, token, userBody("conventions@acme.test"));
  org = { user, account, other, rotatable, group };
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

  /** What a list needs to answer several items (its path's sid, a required filter); a new list fails the test until it is listed. */
  const LISTS: Record<string, () => { path: string; query?: Record<string, string> }> = {
    "/Tokens": () => ({ path: "/Tokens" }),
    "/ProvisioningErrors": () => ({ path: "/ProvisioningErrors" }),
    "/OAuthClients": () => ({ path: "/OAuthClients" }),
    "/EventStreams": () => ({ path: "/EventStreams" }),
    "/Accounts": () => ({ path: "/Accounts" }),
    "/Accounts/{sid}/Users": () => ({ path: `/Accounts/${org.account}/Users` }),
    "/RoleAssignments": () => ({ path: "/RoleAssignments", query: { AccountSid: org.account } }),
    "/Users/{sid}/Accounts": () => ({ path: `/Users/${org.user}/Accounts` }),
    "/Users": () => ({ path: "/Users" }),
    "/Invitations": () => ({ path: "/Invitations" }),
    "/Domains": () => ({ path: "/Domains" }),
    "/AuditEvents": () => ({ path: "/AuditEvents" }),
    "/Groups": () => ({ path: "/Groups" }),
    "/Outbox": () => ({ path: "/Outbox" }),
    "/Groups/{sid}/Members": () => ({ path: `/Groups/${org.group}/Members` }),
  };
  const resolve = (x: JsonSchema | undefined): JsonSchema | undefined => (x?.$ref ? doc.components?.schemas?.[x.$ref.split("/").pop()!] : x);
  /** The name of the array of objects a GET's success body holds at its top level (a list), or null. */
  const listKey = (op: Operation): string | null => {
    const body = resolve((op.responses["200"] as { content?: Record<string, { schema?: JsonSchema }> } | undefined)?.content?.["application/json"]?.schema);
    return Object.entries(body?.properties ?? {}).find(([, v]) => resolve(v)?.type === "array" && resolve(resolve(v)?.items)?.type === "object")?.[0] ?? null;
  };
  const PAGE_KEYS = ["first_page_url", "key", "next_page_url", "page", "page_size", "previous_page_url", "url"];

  it("pages every list the same way: PageSize and PageToken declared, the meta envelope, every item exactly once", async () => {
    const lists = operations().filter((o) => o.method === "GET" && listKey(o.op));
    expect(lists.length).toBeGreaterThanOrEqual(9);
    expect(lists.map((o) => o.path).filter((p) => !LISTS[p])).toEqual([]);
    const problems: string[] = [];
    for (const { path, op } of lists) {
      const key = listKey(op)!;
      const declared = (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name);
      if (!declared.includes("PageSize") || !declared.includes("PageToken")) problems.push(`GET ${path}: declares ${declared.join()} (no PageSize/PageToken)`);
      const body = resolve((op.responses["200"] as { content: Record<string, { schema: JsonSchema }> }).content["application/json"]!.schema)!;
      if (Object.keys(body.properties ?? {}).sort().join() !== [key, "meta"].sort().join()) problems.push(`GET ${path}: body holds ${Object.keys(body.properties ?? {}).join()}, not {${key}, meta}`);
      const { path: at, query = {} } = LISTS[path]!();
      const q = new URLSearchParams(query).toString();
      const whole = await v1("GET", `${s.url}/v1${at}?${q}${q ? "&" : ""}PageSize=100`, token);
      if (whole.status !== 200) { problems.push(`GET ${at}: ${whole.status} ${whole.text.slice(0, 200)}`); continue; }
      const all = whole.body[key] as unknown[];
      if (all.length < 2 || whole.body.meta.next_page_url !== null) problems.push(`GET ${at}: ${all.length} items, next ${whole.body.meta.next_page_url} (the test needs 2 to 99)`);
      const walked: unknown[] = [];
      let next: string | null = `${s.url}/v1${at}?${q}${q ? "&" : ""}PageSize=1`;
      for (let n = 0; next && n <= all.length; n++) {
        const r = await v1("GET", next, token);
        const meta = r.body?.meta as Record<string, unknown> | undefined;
        if (r.status !== 200 || !meta) { problems.push(`GET ${next}: ${r.status} ${r.text.slice(0, 200)}`); break; }
        if (Object.keys(meta).sort().join() !== PAGE_KEYS.join() || meta.key !== key || meta.page !== n || meta.page_size !== 1) problems.push(`GET ${at} page ${n}: meta ${JSON.stringify(meta)}`);
        if (n === 0 && meta.previous_page_url !== null) problems.push(`GET ${at}: the first page has a previous page`);
        if (n === 1 && meta.previous_page_url !== meta.first_page_url) problems.push(`GET ${at}: the second page's previous is not the first`);
        if ((r.body[key] as unknown[]).length !== 1) problems.push(`GET ${at} page ${n}: ${(r.body[key] as unknown[]).length} items for PageSize=1`);
        walked.push(...(r.body[key] as unknown[]));
        next = meta.next_page_url as string | null;
      }
      if (JSON.stringify(walked) !== JSON.stringify(all)) problems.push(`GET ${at}: pages of 1 hold ${walked.length} items, one page ${all.length}, or in another order`);
    }
    expect(problems).toEqual([]);
  });

  /** A request that creates one resource, per create of the document; a new create fails the test until it is listed. */
  const CREATES: Record<string, () => { path: string; body: unknown }> = {
    "POST /Accounts": () => ({ path: "/Accounts", body: { friendly_name: "Located", owner_sid: org.user } }),
    "POST /Tokens": () => ({ path: "/Tokens", body: { friendly_name: "Located", scopes: ["scim"] } }),
    "POST /OAuthClients": () => ({ path: "/OAuthClients", body: { friendly_name: "Located", scopes: ["scim"] } }),
    "POST /EventStreams": () => ({ path: "/EventStreams", body: { friendly_name: "Located", delivery: "poll" } }),
    "POST /Tokens/{sid}/Rotate": () => ({ path: `/Tokens/${org.rotatable}/Rotate`, body: { overlap_seconds: 60 } }),
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
      if (!allowFor(rel).includes("GET")) { problems.push(`${location}: the document has no GET there (a Location a client cannot read)`); continue; }
      const got = await v1("GET", location, token);
      if (got.status !== 200 || got.body.sid !== sid) problems.push(`GET ${location}: ${got.status}`);
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
