/**
 * Provisioning errors (docs/provisioning-errors.md) attacked for what they keep: an identity
 * provider sends a user's password (Okta's "Sync password"), and orgscim promises never to keep
 * one. Every way a request carrying a password can be refused for its content — a taken userName,
 * an unverified domain, a bad value beside it, malformed JSON under each content type and method,
 * /Bulk (malformed, and an operation refused), the strict profile (password unknown there), a body
 * too deep, too wide or too large — is sent, and the password is then looked for in what
 * /v1/ProvisioningErrors answers, in the audit log's answer, and in every byte of the store's files.
 * Another organization sees none of the records. Real HTTP, real SQLite store.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";

jest.setTimeout(60_000);

const SECRET = `pw-${Math.random().toString(36).slice(2, 12)}-Zq9`;
const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

let s: TestServer;
let compatible: string;
let strict: string;
let other: string;
beforeAll(async () => {
  s = await startTestServer({ BODY_LIMIT: "8kb" });
  const c = await s.newOrg();
  compatible = c.token;
  await s.verifyDomain(c.org.id, "acme.test");
  const st = await s.newOrg({ scimProfile: "strict" });
  strict = st.token;
  await s.verifyDomain(st.org.id, "strict.test");
  other = (await s.newOrg()).token;
});
afterAll(() => s.close());

const withPassword = (name: string, over: Record<string, unknown> = {}) => userBody(name, { password: SECRET, ...over });

describe("a password sent in a request refused for its content", () => {
  let userId = "";
  const refusals: [string, () => Promise<number>][] = [];
  const refused = (label: string, send: () => Promise<{ status: number }>) => refusals.push([label, async () => (await send()).status]);

  beforeAll(async () => {
    const made = await call("POST", `${s.scim}/Users`, compatible, withPassword("taken@acme.test"));
    expect(made.status).toBe(201);
    userId = made.body.id;
  });

  refused("409 a userName taken", () => call("POST", `${s.scim}/Users`, compatible, withPassword("TAKEN@acme.test")));
  refused("400 an unverified domain", () => call("POST", `${s.scim}/Users`, compatible, withPassword("someone@unverified.test")));
  refused("400 a bad value beside it", () => call("POST", `${s.scim}/Users`, compatible, withPassword("bad@acme.test", { active: "perhaps" })));
  refused("400 malformed JSON (scim+json)", () => call("POST", `${s.scim}/Users`, compatible, `{"userName":"m@acme.test","password":"${SECRET}",`));
  refused("400 malformed JSON (json)", () => call("POST", `${s.scim}/Users`, compatible, `{"password":"${SECRET}"`, { "content-type": "application/json" }));
  refused("400 a bare string body", () => call("POST", `${s.scim}/Users`, compatible, `"${SECRET}"`));
  refused("400 malformed PUT", () => call("PUT", `${s.scim}/Users/${userId}`, compatible, `{"password": ${SECRET}}`));
  refused("400 malformed PATCH", () => call("PATCH", `${s.scim}/Users/${userId}`, compatible, `{"Operations":[{"op":"replace","path":"password","value":"${SECRET}"`));
  refused("400 PATCH: a bad value beside the password", () => call("PATCH", `${s.scim}/Users/${userId}`, compatible, {
    schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", value: { password: SECRET, active: "perhaps" } }],
  }));
  refused("400 PATCH: the password at a path with a filter", () => call("PATCH", `${s.scim}/Users/${userId}`, compatible, {
    schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "name[givenName eq 1]", value: SECRET }],
  }));
  refused("400 a password as an object", () => call("POST", `${s.scim}/Users`, compatible, userBody("obj@acme.test", { password: { value: SECRET }, active: 7 })));
  refused("400 strict: password is unknown", () => call("POST", `${s.scim}/Users`, strict, withPassword("strict@strict.test")));
  refused("400 strict: PATCH of password", () => call("PATCH", `${s.scim}/Users/${userId}`, strict, {
    schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "password", value: SECRET }],
  }));
  refused("400 a body nested too deep", () => call("POST", `${s.scim}/Users`, compatible, `{"password":"${SECRET}","x":${"[".repeat(200)}${"]".repeat(200)}}`));
  refused("400 an object too wide", () => call("POST", `${s.scim}/Users`, compatible, `{"password":"${SECRET}",${Array(1100).fill('"a":0').join(",")}}`));
  refused("413 a body over BODY_LIMIT", () => call("POST", `${s.scim}/Users`, compatible, JSON.stringify(withPassword("big@acme.test", { nickName: "x".repeat(10_000) }))));
  refused("400 /Bulk malformed", () => call("POST", `${s.scim}/Bulk`, compatible, `{"schemas":["${BULK}"],"Operations":[{"method":"POST","path":"/Users","data":{"password":"${SECRET}"`));
  refused("200 /Bulk with operations refused", () => call("POST", `${s.scim}/Bulk`, compatible, {
    schemas: [BULK], Operations: [
      { method: "POST", path: "/Users", bulkId: "a", data: withPassword("taken@acme.test") },
      { method: "POST", path: "/Users", bulkId: "b", data: withPassword("elsewhere@unverified.test") },
      { method: "PATCH", path: `/Users/${userId}`, data: { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", value: { password: SECRET, active: "no" } }] } },
    ],
  }));

  it("is refused every way (the attack reached the recorder)", async () => {
    const statuses: [string, number][] = [];
    for (const [label, send] of refusals) statuses.push([label, await send()]);
    for (const [label, status] of statuses) expect([label, status]).toEqual([label, Number(label.slice(0, 3))]);
  });

  it("is recorded for each, and the password is in none of the records", async () => {
    const counts = await v1("GET", `${s.url}/v1/ProvisioningErrors/Counts`, compatible);
    // Each single refusal is one record, the refused /Bulk operations one each (3), the strict org's two its own.
    expect(counts.body.recorded).toBeGreaterThanOrEqual(refusals.length - 1 - 2 + 3);
    const page = await v1("GET", `${s.url}/v1/ProvisioningErrors?PageSize=100`, compatible);
    expect(page.status).toBe(200);
    expect(page.body.provisioning_errors.length).toBe(counts.body.retained);
    expect(page.text).not.toContain(SECRET);
    const strictPage = await v1("GET", `${s.url}/v1/ProvisioningErrors?PageSize=100`, strict);
    expect(strictPage.body.provisioning_errors.length).toBe(2);
    expect(strictPage.text).not.toContain(SECRET);
  });

  it("is in no audit event and nowhere in the store's files", async () => {
    const audit = await v1("GET", `${s.url}/v1/AuditEvents?PageSize=100`, compatible);
    expect(audit.status).toBe(200);
    expect(audit.text).not.toContain(SECRET);
    const files = readdirSync(s.dir).filter((f) => f.startsWith("test.db"));
    expect(files).toContain("test.db");
    for (const f of files) expect([f, readFileSync(join(s.dir, f)).includes(SECRET)]).toEqual([f, false]);
  });

  it("is seen by no other organization: its list and counts are empty", async () => {
    const page = await v1("GET", `${s.url}/v1/ProvisioningErrors?PageSize=100`, other);
    expect(page.status).toBe(200);
    expect(page.body.provisioning_errors).toEqual([]);
    const counts = await v1("GET", `${s.url}/v1/ProvisioningErrors/Counts`, other);
    expect(counts.body).toEqual({ recorded: 0, retained: 0, dropped: 0 });
  });
});
