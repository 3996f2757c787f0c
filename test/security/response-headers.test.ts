/**
 * Every answer carries the security headers, whatever route and whatever outcome (the hot read
 * path is being trimmed: a response written without express's machinery must not lose one), and
 * the headers a client relies on: SCIM's content type and ETag, /v1's content type, Location on a
 * create, Retry-After on a 429, the Bearer challenge on a 401. Real HTTP, real SQLite store.
 */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { call, PATCH_SCHEMA, startTestServer, userBody, type Reply, type TestServer } from "../helpers/server";

jest.setTimeout(60_000);

const SECURITY: Record<string, string> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "cache-control": "no-store",
  "strict-transport-security": "max-age=31536000; includeSubDomains",
};
const SCIM_JSON = /^application\/scim\+json; charset=utf-8$/;
const V1_JSON = /^application\/json; charset=utf-8$/;

let s: TestServer;
let limited: TestServer;
let token: string;
let scimOnly: string;
let userId = "";
let groupId = "";
beforeAll(async () => {
  s = await startTestServer();
  const o = await s.newOrg({ domainEnforcement: false });
  token = o.token;
  scimOnly = (await issueToken(s.running.store, systemClock, { orgId: o.org.id, name: "idp", scopes: ["scim"] })).plaintext;
  const u = await call("POST", `${s.scim}/Users`, token, userBody("headers@acme.test"));
  userId = u.body.id;
  const g = await call("POST", `${s.scim}/Groups`, token, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Headers", members: [{ value: userId }] });
  groupId = g.body.id;
  limited = await startTestServer({ RATE_LIMIT_TOKEN_RPS: "1", RATE_LIMIT_TOKEN_BURST: "1" });
});
afterAll(async () => { await s.close(); await limited.close(); });

interface Expectation { status: number; type?: RegExp; etag?: boolean; location?: boolean; retryAfter?: boolean; challenge?: boolean }

function check(label: string, r: Reply, want: Expectation): string[] {
  const wrong: string[] = [];
  if (r.status !== want.status) wrong.push(`${label}: status ${r.status}, not ${want.status}`);
  for (const [h, v] of Object.entries(SECURITY)) if (r.headers.get(h) !== v) wrong.push(`${label}: ${h} = ${r.headers.get(h)}`);
  if (want.type && !want.type.test(r.headers.get("content-type") ?? "")) wrong.push(`${label}: content-type ${r.headers.get("content-type")}`);
  if (want.etag && !/^W\/"\d+"$/.test(r.headers.get("etag") ?? "")) wrong.push(`${label}: etag ${r.headers.get("etag")}`);
  if (want.location && !r.headers.get("location")) wrong.push(`${label}: no Location`);
  if (want.retryAfter && !r.headers.get("retry-after")) wrong.push(`${label}: no Retry-After`);
  if (want.challenge && !/^Bearer /.test(r.headers.get("www-authenticate") ?? "")) wrong.push(`${label}: no Bearer challenge`);
  if (r.headers.get("x-powered-by")) wrong.push(`${label}: x-powered-by`);
  return wrong;
}

describe("every answer", () => {
  it("carries the security headers and its protocol's headers, on the hot routes and their errors", async () => {
    const enc = encodeURIComponent;
    const cases: [string, () => Promise<Reply>, Expectation][] = [
      ["GET /Users/:id", () => call("GET", `${s.scim}/Users/${userId}`, token), { status: 200, type: SCIM_JSON, etag: true }],
      ["HEAD /Users/:id", () => call("HEAD", `${s.scim}/Users/${userId}`, token), { status: 200, type: SCIM_JSON, etag: true }],
      ["GET /Users/:id?attributes", () => call("GET", `${s.scim}/Users/${userId}?attributes=userName`, token), { status: 200, type: SCIM_JSON, etag: true }],
      ["GET /Users filter eq", () => call("GET", `${s.scim}/Users?filter=${enc('userName eq "headers@acme.test"')}`, token), { status: 200, type: SCIM_JSON }],
      ["GET /Users filter miss", () => call("GET", `${s.scim}/Users?filter=${enc('userName eq "nobody@acme.test"')}`, token), { status: 200, type: SCIM_JSON }],
      ["GET /Users cursor", () => call("GET", `${s.scim}/Users?cursor=&count=10`, token), { status: 200, type: SCIM_JSON }],
      ["POST /Users/.search", () => call("POST", `${s.scim}/Users/.search`, token, { schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], count: 1 }), { status: 200, type: SCIM_JSON }],
      ["GET /Groups/:id", () => call("GET", `${s.scim}/Groups/${groupId}`, token), { status: 200, type: SCIM_JSON, etag: true }],
      ["POST /Users", () => call("POST", `${s.scim}/Users`, token, userBody(`h-${Math.random().toString(36).slice(2, 8)}@acme.test`)), { status: 201, type: SCIM_JSON, etag: true, location: true }],
      ["PATCH /Users/:id", () => call("PATCH", `${s.scim}/Users/${userId}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "nickName", value: "n" }] }), { status: 204, etag: true }],
      ["GET /Users/:missing", () => call("GET", `${s.scim}/Users/00000000-0000-4000-8000-000000000000`, token), { status: 404, type: SCIM_JSON }],
      ["GET /Users/:id no token", () => call("GET", `${s.scim}/Users/${userId}`, null), { status: 401, type: SCIM_JSON, challenge: true }],
      ["GET /Users/:id bad token", () => call("GET", `${s.scim}/Users/${userId}`, "osk_00000000000000000000000000000000_nope"), { status: 401, type: SCIM_JSON, challenge: true }],
      ["GET /Users bad filter", () => call("GET", `${s.scim}/Users?filter=${enc("userName zz 1")}`, token), { status: 400, type: SCIM_JSON }],
      ["POST /Users text/plain", () => call("POST", `${s.scim}/Users`, token, "x", { "content-type": "text/plain" }), { status: 415, type: SCIM_JSON }],
      ["POST /Users malformed", () => call("POST", `${s.scim}/Users`, token, "{"), { status: 400, type: SCIM_JSON }],
      ["PUT /Users (no such route)", () => call("PUT", `${s.scim}/Users`, token, {}), { status: 404, type: SCIM_JSON }],
      ["PUT /GroupMembers 405", () => call("PUT", `${s.scim}/GroupMembers`, token, {}), { status: 405, type: SCIM_JSON }],
      ["GET /ServiceProviderConfig", () => call("GET", `${s.scim}/ServiceProviderConfig`, token), { status: 200, type: SCIM_JSON }],
      ["GET /v1/Users/:sid", () => call("GET", `${s.url}/v1/Users/${userId}`, token), { status: 200, type: V1_JSON }],
      ["GET /v1/Me", () => call("GET", `${s.url}/v1/Me`, token), { status: 200, type: V1_JSON }],
      ["GET /v1/Users/:sid scim scope", () => call("GET", `${s.url}/v1/Users/${userId}`, scimOnly), { status: 403, type: V1_JSON }],
      ["GET /v1/Users/:sid no token", () => call("GET", `${s.url}/v1/Users/${userId}`, null), { status: 401, type: V1_JSON, challenge: true }],
      ["GET /v1/nope", () => call("GET", `${s.url}/v1/Nope`, token), { status: 404, type: V1_JSON }],
      ["GET /nope", () => call("GET", `${s.url}/nope`, null), { status: 404, type: V1_JSON }],
      ["GET /healthz", () => call("GET", `${s.url}/healthz`, null), { status: 200 }],
    ];
    const wrong: string[] = [];
    for (const [label, send, want] of cases) wrong.push(...check(label, await send(), want));
    expect(wrong).toEqual([]);
  });

  it("carries them on a 429 of the rate limit, with Retry-After, on both APIs", async () => {
    const o = await limited.newOrg({ domainEnforcement: false });
    const wrong: string[] = [];
    for (const [label, url, type] of [["SCIM", `${limited.scim}/Users?count=1`, SCIM_JSON], ["/v1", `${limited.url}/v1/Me`, V1_JSON]] as const) {
      let r = await call("GET", url, o.token);
      for (let i = 0; i < 20 && r.status !== 429; i++) r = await call("GET", url, o.token);
      wrong.push(...check(`${label} 429`, r, { status: 429, type, retryAfter: true }));
    }
    expect(wrong).toEqual([]);
  });
});
