/**
 * The WAL's fsync runs off the event loop (55919f9): every write must still be answered only once
 * an fsync that covers its commit completed, through every door that writes, not only POST /Users
 * (test/http/durable-answers.test.ts). Each door below is sent while every fsync is held back: no
 * answer may arrive while they are held (one that did would be an acknowledgement of a write a
 * power cut could lose); released, each answers its success. Then a failed fsync: every door
 * answers 503, none acknowledges. Real HTTP, the real SQLite store at DURABILITY=full with its real
 * fsync, held or failed through the store's `syncWal` option.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withEvents } from "../../src/domain/events-capture";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { switchableSync } from "../helpers/switchable-sync";
import { call, PATCH_SCHEMA, startTestServer, userBody, type Reply, type TestServer } from "../helpers/server";

jest.setTimeout(120_000);

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const JSON_TYPE = { "content-type": "application/json" };

let dir: string;
let s: TestServer;
let token: string;
const f = switchableSync();
const tag = () => Math.random().toString(36).slice(2, 8);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "orgscim-ack-durable-"));
  const store = withEvents(openSqliteStore({ path: join(dir, "ack.db"), durability: "full", syncWal: f.sync }));
  s = await startTestServer({ DURABILITY: "full" }, { store });
  token = (await s.newOrg({ domainEnforcement: false })).token;
});
afterAll(async () => {
  f.release();
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

const scim = (method: string, path: string, body?: unknown) => () => call(method, `${s.scim}${path}`, token, body);
const v1 = (method: string, path: string, body?: unknown) => () => call(method, `${s.url}/v1${path}`, token, body, body === undefined ? {} : JSON_TYPE);
const ok = async (r: Promise<Reply>) => {
  const x = await r;
  if (x.status >= 300) throw new Error(`setup answered ${x.status} ${x.text}`);
  return x.body;
};

/** Each door: made ready with fsyncs passing, then the write itself. */
const DOORS: [string, () => Promise<() => Promise<Reply>>][] = [
  ["SCIM POST /Users", async () => scim("POST", "/Users", userBody(`d-${tag()}@acme.test`))],
  ["SCIM PUT /Users/:id", async () => { const u = await ok(scim("POST", "/Users", userBody(`d-${tag()}@acme.test`))()); return scim("PUT", `/Users/${u.id}`, userBody(u.userName, { nickName: "put" })); }],
  ["SCIM PATCH /Users/:id", async () => { const u = await ok(scim("POST", "/Users", userBody(`d-${tag()}@acme.test`))()); return scim("PATCH", `/Users/${u.id}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "active", value: false }] }); }],
  ["SCIM DELETE /Users/:id", async () => { const u = await ok(scim("POST", "/Users", userBody(`d-${tag()}@acme.test`))()); return scim("DELETE", `/Users/${u.id}`); }],
  ["SCIM POST /Groups", async () => scim("POST", "/Groups", { schemas: [GROUP], displayName: `G ${tag()}` })],
  ["SCIM PATCH /Groups/:id (add member)", async () => {
    const u = await ok(scim("POST", "/Users", userBody(`d-${tag()}@acme.test`))());
    const g = await ok(scim("POST", "/Groups", { schemas: [GROUP], displayName: `G ${tag()}` })());
    return scim("PATCH", `/Groups/${g.id}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: [{ value: u.id }] }] });
  }],
  ["SCIM DELETE /Groups/:id", async () => { const g = await ok(scim("POST", "/Groups", { schemas: [GROUP], displayName: `G ${tag()}` })()); return scim("DELETE", `/Groups/${g.id}`); }],
  ["SCIM POST /GroupMembers", async () => {
    const u = await ok(scim("POST", "/Users", userBody(`d-${tag()}@acme.test`))());
    const g = await ok(scim("POST", "/Groups", { schemas: [GROUP], displayName: `G ${tag()}` })());
    return scim("POST", "/GroupMembers", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:GroupMember"], group: { value: g.id }, member: { value: u.id } });
  }],
  ["SCIM POST /Bulk", async () => scim("POST", "/Bulk", { schemas: [BULK], Operations: [
    { method: "POST", path: "/Users", bulkId: "a", data: userBody(`b-${tag()}@acme.test`) },
    { method: "POST", path: "/Users", bulkId: "b", data: userBody(`b-${tag()}@acme.test`) },
  ] })],
  ["/v1 POST /Tokens", async () => v1("POST", "/Tokens", { friendly_name: `t-${tag()}`, scopes: ["scim"] })],
  ["/v1 DELETE /Tokens/:sid", async () => { const t = await ok(v1("POST", "/Tokens", { friendly_name: `t-${tag()}`, scopes: ["scim"] })()); return v1("DELETE", `/Tokens/${t.sid}`); }],
  ["/v1 POST /Tokens/:sid/Rotate", async () => { const t = await ok(v1("POST", "/Tokens", { friendly_name: `t-${tag()}`, scopes: ["scim"] })()); return v1("POST", `/Tokens/${t.sid}/Rotate`, {}); }],
  ["/v1 POST /Users/:sid", async () => { const u = await ok(scim("POST", "/Users", userBody(`d-${tag()}@acme.test`))()); return v1("POST", `/Users/${u.id}`, { display_name: "Renamed", two_factor_required: true }); }],
  ["/v1 POST /Invitations", async () => v1("POST", "/Invitations", { email: `i-${tag()}@acme.test`, org_role: "standard" })],
  ["/v1 POST /Accounts", async () => { const u = await ok(scim("POST", "/Users", userBody(`d-${tag()}@acme.test`))()); return v1("POST", "/Accounts", { friendly_name: `A ${tag()}`, owner_sid: u.id }); }],
  ["/v1 POST /OAuthClients", async () => v1("POST", "/OAuthClients", { friendly_name: `c-${tag()}`, scopes: ["scim"] })],
  ["/v1 POST /Domains", async () => v1("POST", "/Domains", { domain_name: `d${tag()}.example.com` })],
  ["/v1 POST /Users/:sid/Remove", async () => { const u = await ok(scim("POST", "/Users", userBody(`d-${tag()}@acme.test`))()); return v1("POST", `/Users/${u.id}/Remove`, { acknowledge: true }); }],
];

describe("a write, through every door that writes", () => {
  it.each(DOORS.map(([name, ready]) => [name, ready] as const))("%s is answered only after the fsync covering it", async (_name, ready) => {
    const send = await ready();
    f.hold();
    let answered: Reply | null = null;
    const pending = send().then((r) => { answered = r; return r; });
    try {
      for (let i = 0; i < 100 && f.held.length === 0 && answered === null; i++) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 200)); // an answer sent on COMMIT would have arrived by now
      expect(answered).toBeNull();
      expect(f.held.length).toBeGreaterThan(0);
    } finally {
      f.release();
    }
    const r = await pending;
    expect([r.status < 300, r.status, r.text.slice(0, 200)]).toEqual([true, r.status, r.text.slice(0, 200)]);
  });
});

describe("once an fsync failed", () => {
  it("every door answers 503 and none acknowledges; reads are still served", async () => {
    const sends: [string, () => Promise<Reply>][] = [];
    for (const [name, ready] of DOORS) sends.push([name, await ready()]);
    f.fail();
    const wrong: string[] = [];
    for (const [name, send] of sends) {
      const r = await send();
      if (r.status !== 503) wrong.push(`${name}: ${r.status}`);
    }
    expect(wrong).toEqual([]);
    expect((await call("GET", `${s.scim}/Users?count=1`, token)).status).toBe(200);
  });
});
