/**
 * Cursors and page tokens reveal nothing beyond the caller's own data: a SCIM cursor (RFC 9865)
 * and a /v1 PageToken have one length whatever the position (they used to carry the store-wide
 * row number, which showed how many users other organizations create), differ each time they are
 * issued, answer 400 invalidCursor (SCIM) or 400 naming PageToken (/v1) when changed or when
 * another organization's, and keep working across a restart and on a second instance of the same
 * store (the key is kept in the store).
 */
import { loadConfig } from "../../src/config/config";
import { startServer } from "../../src/server";
import { call } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { newOrg, scimCreate, startTestServer, uniqueDomain, uniqueLocal, type OrgHandle, type TestServer } from "./helpers";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(async () => { await s.close(); });

async function withUsers(count: number): Promise<OrgHandle> {
  const o = await newOrg(s, false);
  const domain = uniqueDomain("page");
  for (let i = 0; i < count; i++) expect((await scimCreate(s, o, `${uniqueLocal()}@${domain}`)).status).toBe(201);
  return o;
}
const page = (base: string, o: OrgHandle, cursor: string, count = 1) =>
  call("GET", `${base}/Users?count=${count}&cursor=${encodeURIComponent(cursor)}`, o.token);
/** Another character in the middle of a token, so its bytes change but its shape does not. */
const tamper = (t: string, at = Math.floor(t.length / 2)) => t.slice(0, at) + (t[at] === "A" ? "B" : "A") + t.slice(at + 1);

describe("SCIM cursors", () => {
  it("have one length and no readable position, whatever other organizations wrote in between, and change each time", async () => {
    const a = await withUsers(3);
    const first = await page(s.scim, a, "");
    await withUsers(40); // another organization's rows move the store-wide row number on
    const again = await page(s.scim, a, "");
    const later = await page(s.scim, a, again.body.nextCursor as string);
    const cursors = [first.body.nextCursor, again.body.nextCursor, later.body.nextCursor] as string[];
    expect(cursors.every((c) => typeof c === "string")).toBe(true);
    expect(new Set(cursors.map((c) => c.length)).size).toBe(1);
    expect(cursors[0]).not.toBe(cursors[1]); // same position, different token
    for (const c of cursors) expect(Buffer.from(c, "base64url").toString("latin1")).not.toMatch(/s:\d/);
    // the two tokens of one position lead to the same page
    const [p1, p2] = [await page(s.scim, a, cursors[0]!), await page(s.scim, a, cursors[1]!)];
    expect(p1.body.Resources.map((r: { id: string }) => r.id)).toEqual(p2.body.Resources.map((r: { id: string }) => r.id));
  });

  it("answer 400 invalidCursor when changed, when another organization's, or when of another resource type", async () => {
    const a = await withUsers(3);
    const b = await withUsers(3);
    const cursor = (await page(s.scim, a, "")).body.nextCursor as string;
    for (const at of [0, 5, Math.floor(cursor.length / 2), cursor.length - 1]) {
      const r = await page(s.scim, a, tamper(cursor, at));
      expect([r.status, r.body.scimType, r.headers.get("x-orgscim-error-code")]).toEqual([400, "invalidCursor", "2004"]);
    }
    const foreign = await page(s.scim, b, cursor);
    expect([foreign.status, foreign.body.scimType]).toEqual([400, "invalidCursor"]);
    const groups = await call("GET", `${s.scim}/Groups?count=1&cursor=${encodeURIComponent(cursor)}`, a.token);
    expect([groups.status, groups.body.scimType]).toEqual([400, "invalidCursor"]);
    const oldShape = await page(s.scim, a, Buffer.from("s:1").toString("base64url"));
    expect([oldShape.status, oldShape.body.scimType]).toEqual([400, "invalidCursor"]);
  });

  it("work after a restart and on a second instance of the same store", async () => {
    const a = await withUsers(3);
    const cursor = (await page(s.scim, a, "")).body.nextCursor as string;
    const second = await startServer(loadConfig({ PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", WRITES_SHED_LAG_MS: "0", DATABASE_URL: `sqlite:${s.dir}/test.db` }));
    try {
      const there = await page(`${second.url}/scim/v2`, a, cursor);
      const here = await page(s.scim, a, cursor);
      expect(there.status).toBe(200);
      expect(there.body.Resources.map((r: { id: string }) => r.id)).toEqual(here.body.Resources.map((r: { id: string }) => r.id));
    } finally {
      await second.stop();
    }
  });
});

describe("/v1 page tokens", () => {
  const tokenOf = (url: string | null) => (url ? new URL(url).searchParams.get("PageToken") : null);

  it("seal the offset: one length, no readable position, refused (400 naming PageToken) when changed or another organization's", async () => {
    const a = await withUsers(4);
    const b = await withUsers(4);
    const p1 = await v1("GET", `${s.url}/v1/Users?PageSize=1`, a.token);
    const t1 = tokenOf(p1.body.meta.next_page_url)!;
    const p2 = await v1("GET", `${s.url}/v1/Users?PageSize=1&PageToken=${encodeURIComponent(t1)}`, a.token);
    expect(p2.status).toBe(200);
    expect(p2.body.users[0].sid).not.toBe(p1.body.users[0].sid);
    const t2 = tokenOf(p2.body.meta.next_page_url)!;
    expect(t2.length).toBe(t1.length);
    expect(t1).not.toMatch(/^PT\d+$/);
    for (const bad of [tamper(t1), "PT1", "PT50"]) {
      const r = await v1("GET", `${s.url}/v1/Users?PageSize=1&PageToken=${encodeURIComponent(bad)}`, a.token);
      expect([r.status, r.body.code]).toEqual([400, 1003]);
      expect(r.body.message).toMatch(/PageToken/);
    }
    const foreign = await v1("GET", `${s.url}/v1/Users?PageSize=1&PageToken=${encodeURIComponent(t1)}`, b.token);
    expect([foreign.status, foreign.body.code]).toEqual([400, 1003]);
    // a token of one list does not page another
    const other = await v1("GET", `${s.url}/v1/Invitations?PageSize=1&PageToken=${encodeURIComponent(t1)}`, a.token);
    expect(other.status).toBe(400);
  });

  it("seal the audit trail's position too: another organization's token is refused", async () => {
    const a = await withUsers(3);
    const b = await withUsers(3);
    const p1 = await v1("GET", `${s.url}/v1/AuditEvents?PageSize=1`, a.token);
    const t = new URL(p1.body.meta.next_page_url as string).searchParams.get("PageToken")!;
    expect(t).not.toMatch(/^AE/);
    expect((await v1("GET", `${s.url}/v1/AuditEvents?PageSize=1&PageToken=${encodeURIComponent(t)}`, a.token)).status).toBe(200);
    const foreign = await v1("GET", `${s.url}/v1/AuditEvents?PageSize=1&PageToken=${encodeURIComponent(t)}`, b.token);
    expect([foreign.status, foreign.body.code]).toEqual([400, 1003]);
    const raw = await v1("GET", `${s.url}/v1/AuditEvents?PageSize=1&PageToken=${p1.body.audit_events[0].sid}`, a.token);
    expect(raw.status).toBe(400);
  });
});
