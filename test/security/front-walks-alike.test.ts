/**
 * The server's application answers a SCIM request walked flat (src/http/app-front.ts, the request
 * and response born with the application's prototypes since d76d7ba) as express's own walk answers
 * it. express walks every request itself while its request tracing channel has subscribers
 * (`traced()`), so each request below is sent twice on the real application, in twin organizations
 * made alike: once walked flat, once by express. Compared: the status, every response header but
 * the date and the request id, and the body, with ids, times and the port named by their first
 * appearance (docs/security.md case 95).
 */
import dc from "node:diagnostics_channel";
import { call, ORG_EXT, PATCH_SCHEMA, startTestServer, userBody, USER_SCHEMA, type TestServer } from "../helpers/server";

jest.setTimeout(120_000);

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

interface Twin { token: string; std: string; user: string; group: string; tag: string }

async function twin(tag: string): Promise<Twin> {
  const o = await s.newOrg({ domainEnforcement: false });
  const user = (await call("POST", `${s.scim}/Users`, o.token, userBody(`ann-${tag}@acme.test`, { externalId: `ext-${tag}` }))).body.id as string;
  const stdUser = (await call("POST", `${s.scim}/Users`, o.token, userBody(`std-${tag}@acme.test`))).body.id as string;
  const group = (await call("POST", `${s.scim}/Groups`, o.token, { schemas: [GROUP], displayName: `team-${tag}`, members: [{ value: user }] })).body.id as string;
  const { issueToken } = await import("../../src/domain/tokens");
  const { systemClock } = await import("../../src/domain/clock");
  const std = (await issueToken(s.running.store, systemClock, { orgId: o.org.id, name: "std", scopes: ["scim"], userId: stdUser })).plaintext;
  return { token: o.token, std, user, group, tag };
}

type Req = (t: Twin) => { method: string; path: string; body?: unknown; headers?: Record<string, string>; as?: "std" | "none" };
const REQUESTS: Record<string, Req> = {
  "GET a user": (t) => ({ method: "GET", path: `/Users/${t.user}` }),
  "GET a user, mount in upper case": (t) => ({ method: "GET", path: `/Users/${t.user}` }),
  "GET a user projected": (t) => ({ method: "GET", path: `/Users/${t.user}?attributes=userName,groups` }),
  "GET a missing user": () => ({ method: "GET", path: "/Users/US0000" }),
  "GET a user without a token": (t) => ({ method: "GET", path: `/Users/${t.user}`, as: "none" }),
  "GET a user, If-None-Match": (t) => ({ method: "GET", path: `/Users/${t.user}`, headers: { "if-none-match": 'W/"1"' } }),
  "GET users filtered": (t) => ({ method: "GET", path: `/Users?filter=${encodeURIComponent(`userName sw "ann-${t.tag}"`)}` }),
  "GET users, a bad filter": () => ({ method: "GET", path: "/Users?filter=userName%20eq" }),
  "GET users as a Standard User": () => ({ method: "GET", path: "/Users", as: "std" }),
  "GET a group": (t) => ({ method: "GET", path: `/Groups/${t.group}` }),
  "GET groups": () => ({ method: "GET", path: "/Groups?count=5" }),
  "GET an unknown resource type": () => ({ method: "GET", path: "/Nope/abc" }),
  "GET the ServiceProviderConfig": () => ({ method: "GET", path: "/ServiceProviderConfig" }),
  "POST a user": (t) => ({ method: "POST", path: "/Users", body: userBody(`new-${t.tag}@acme.test`) }),
  "POST a taken userName": (t) => ({ method: "POST", path: "/Users", body: userBody(`ann-${t.tag}@acme.test`) }),
  "POST a user asking for Owner": (t) => ({ method: "POST", path: "/Users", body: userBody(`own-${t.tag}@acme.test`, { schemas: [USER_SCHEMA, ORG_EXT], [ORG_EXT]: { orgRole: "owner" } }) }),
  "POST a user, not JSON": () => ({ method: "POST", path: "/Users", body: "{nope" }),
  "POST a user as a Standard User": (t) => ({ method: "POST", path: "/Users", body: userBody(`s-${t.tag}@acme.test`), as: "std" }),
  "PATCH a member in": (t) => ({ method: "PATCH", path: `/Groups/${t.group}`, body: { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: [{ value: t.user }] }] } }),
  "PATCH a member out": (t) => ({ method: "PATCH", path: `/Groups/${t.group}`, body: { schemas: [PATCH_SCHEMA], Operations: [{ op: "remove", path: `members[value eq "${t.user}"]` }] } }),
  "PATCH an unknown member in": (t) => ({ method: "PATCH", path: `/Groups/${t.group}`, body: { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: [{ value: "US0000" }] }] } }),
  "PATCH a group, a stale If-Match": (t) => ({ method: "PATCH", path: `/Groups/${t.group}`, body: { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "displayName", value: `x-${t.tag}` }] }, headers: { "if-match": 'W/"999"' } }),
  "PATCH a user, answered with attributes": (t) => ({ method: "PATCH", path: `/Users/${t.user}?attributes=displayName`, body: { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "displayName", value: "Ann" }] } }),
  "PUT a user": (t) => ({ method: "PUT", path: `/Users/${t.user}`, body: userBody(`ann-${t.tag}@acme.test`, { displayName: "Put" }) }),
  "DELETE a missing group": () => ({ method: "DELETE", path: "/Groups/GP0000" }),
  "POST a Bulk": (t) => ({ method: "POST", path: "/Bulk", body: { schemas: [BULK], Operations: [{ method: "POST", path: "/Users", bulkId: "b", data: userBody(`bulk-${t.tag}@acme.test`) }] } }),
  "DELETE a user": (t) => ({ method: "DELETE", path: `/Users/${t.user}` }),
};

/** Names ids, times, tags and the port by their first appearance, so twin organizations' answers compare. */
function normalized(text: string, t: Twin): string {
  const names = new Map<string, string>();
  return text.split(t.tag).join("TAG").replace(/[A-Z]{2}[0-9a-f]{32}|\d{4}-\d\d-\d\dT[\d:.]+Z|127\.0\.0\.1:\d+/g, (m) => {
    if (!names.has(m)) names.set(m, `<${names.size}>`);
    return names.get(m)!;
  });
}

const SKIP = new Set(["date", "x-request-id", "keep-alive", "connection"]);
async function ask(t: Twin, r: ReturnType<Req>, upper: boolean): Promise<string> {
  const token = r.as === "none" ? null : r.as === "std" ? t.std : t.token;
  const base = upper ? s.scim.replace("/scim/v2", "/SCIM/V2") : s.scim;
  const a = await call(r.method, `${base}${r.path}`, token, r.body, r.headers ?? {});
  const headers = [...a.headers].filter(([k]) => !SKIP.has(k)).map(([k, v]) => `${k}: ${v}`).sort().join("\n");
  return normalized(`${a.status}\n${headers}\n\n${a.text}`, t);
}

it.each(Object.keys(REQUESTS))("%s: the same answer walked flat and by express", async (name) => {
  const flat = await twin(`tw${Math.random().toString(36).slice(2, 9)}`);
  const viaExpress = await twin(`tw${Math.random().toString(36).slice(2, 9)}`);
  const upper = name.includes("upper case");
  const first = await ask(flat, REQUESTS[name]!(flat), upper);
  const channel = dc.tracingChannel("express.router.request");
  const sub = () => undefined;
  channel.start.subscribe(sub);
  let second: string;
  try {
    second = await ask(viaExpress, REQUESTS[name]!(viaExpress), upper);
  } finally {
    channel.start.unsubscribe(sub);
  }
  expect(second).toEqual(first);
});
