/**
 * The audit log records what a change changed, the same way whichever door it came through: SCIM
 * PUT and PATCH, /Bulk, and /v1 each leave before/after holding only the changed attributes (and
 * the ids that say whose), with old and new values, and never a password.
 */
import { call, startTestServer, USER_SCHEMA, PATCH_SCHEMA, userBody, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

async function setup() {
  const o = await s.newOrg();
  const domain = `corp-${Math.random().toString(36).slice(2, 8)}.test`;
  await s.verifyDomain(o.org.id, domain);
  const body = userBody(`grace@${domain}`, { name: { givenName: "Grace", familyName: "Brewster" }, title: "Engineer" });
  const id = (await call("POST", `${s.scim}/Users`, o.token, body)).body.id as string;
  const latest = async (action: string) => (await v1("GET", `${s.url}/v1/AuditEvents?TargetSid=${id}&Action=${action}&PageSize=1`, o.token)).body.audit_events[0];
  return { o, id, body, latest, domain };
}

describe("audit before/after", () => {
  it("SCIM PUT that changes familyName records familyName's old and new value, the version, and nothing else", async () => {
    const { o, id, body, latest } = await setup();
    expect((await call("PUT", `${s.scim}/Users/${id}`, o.token, { ...body, name: { givenName: "Grace", familyName: "Hopper" } })).status).toBe(200);
    const e = await latest("user.update");
    expect({ before: e.before, after: e.after }).toEqual({
      before: { version: 1, attributes: { name: { familyName: "Brewster" } } },
      after: { version: 2, attributes: { name: { familyName: "Hopper" } } },
    });
  });

  it("/v1 POST /Users/{sid} records the same shape for the same change", async () => {
    const { o, id, latest } = await setup();
    expect((await v1("POST", `${s.url}/v1/Users/${id}`, o.token, { family_name: "Hopper", two_factor_required: true })).status).toBe(200);
    const e = await latest("user.update");
    expect(e.before).toEqual({ twoFactorRequired: false, version: 1, attributes: { name: { familyName: "Brewster" } } });
    expect(e.after).toMatchObject({ twoFactorRequired: true, version: 2, attributes: { name: { familyName: "Hopper" } } });
  });

  it("SCIM PATCH with a password records the other change and never the password", async () => {
    const { o, id, latest } = await setup();
    const r = await call("PATCH", `${s.scim}/Users/${id}`, o.token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "title", value: "Lead" }, { op: "replace", path: "password", value: "Sup3r-Secret!" }] });
    expect([200, 204]).toContain(r.status);
    const e = await latest("user.update");
    expect(JSON.stringify(e)).not.toContain("Sup3r-Secret!");
    expect(e.before.attributes).toEqual({ title: "Engineer" });
    expect(e.after.attributes).toEqual({ title: "Lead" });
  });

  it("/Bulk records the change like a single request", async () => {
    const { o, id, body, latest } = await setup();
    const r = await call("POST", `${s.scim}/Bulk`, o.token, { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations: [{ method: "PUT", path: `/Users/${id}`, data: { ...body, schemas: [USER_SCHEMA], displayName: "Amazing Grace" } }] });
    expect(r.body.Operations[0].status).toBe("200");
    const e = await latest("user.update");
    expect(e.before).toEqual({ displayName: null, version: 1, attributes: {} });
    expect(e.after).toEqual({ displayName: "Amazing Grace", version: 2, attributes: { displayName: "Amazing Grace" } });
  });
});
