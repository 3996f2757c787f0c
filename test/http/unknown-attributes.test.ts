/**
 * Issue 16, silent loss: an attribute, sub-attribute or schema URN the resource type does not have
 * is refused with 400 invalidSyntax and nothing is written (interop profile §5.3), on POST, PUT,
 * PATCH and /Bulk; only the identity-provider extras of src/scim/quirks.ts (IDP_EXTRAS) are
 * accepted and discarded, knowingly.
 */
import { IDP_EXTRAS } from "../../src/scim/quirks";
import { call, PATCH_SCHEMA, startTestServer, USER_SCHEMA, userBody, type TestServer } from "../helpers/server";

let s: TestServer;
let token: string;
const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

beforeAll(async () => {
  s = await startTestServer();
  token = (await s.newOrg({ domainEnforcement: false })).token;
});
afterAll(() => s.close());

const count = async (userName: string) =>
  (await call("GET", `${s.scim}/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`, token)).body.totalResults as number;

const unknownUserBodies: [string, (u: string) => Record<string, unknown>, string][] = [
  ["an unknown core attribute (Microsoft's misspelled 'adreses')", (u) => userBody(u, { adreses: [{ country: "Germany" }] }), "adreses"],
  ["an unknown sub-attribute", (u) => userBody(u, { name: { givenName: "A", nickname2: "x" } }), "nickname2"],
  ["an unknown attribute of a known extension", (u) => userBody(u, { schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { departmnt: "x" } }), "departmnt"],
  ["an unknown extension URN as a key", (u) => userBody(u, { "urn:example:params:scim:schemas:extension:acme:2.0:User": { x: 1 } }), "urn:example"],
  ["an unknown extension URN in schemas", (u) => userBody(u, { schemas: [USER_SCHEMA, "urn:example:params:scim:schemas:extension:acme:2.0:User"] }), "urn:example"],
  ["the Group extension's URN on a User", (u) => userBody(u, { "urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group": { orgRole: "standard" } }), "orgscim:2.0:Group"],
];

describe("POST and PUT /Users refuse what the User does not have", () => {
  it.each(unknownUserBodies)("POST with %s answers 400 invalidSyntax naming it and creates nothing", async (_, make, named) => {
    const userName = `post-${named.replace(/[^a-z0-9]/gi, "")}@x.test`;
    const r = await call("POST", `${s.scim}/Users`, token, make(userName));
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe("invalidSyntax");
    expect(r.body.detail).toContain(named);
    expect(r.body.detail).toContain("nothing was changed");
    expect(await count(userName)).toBe(0);
  });

  it.each(unknownUserBodies)("PUT with %s answers 400 and changes nothing", async (_, make) => {
    const u = await call("POST", `${s.scim}/Users`, token, userBody(`put-${Math.random().toString(36).slice(2)}@x.test`));
    const r = await call("PUT", `${s.scim}/Users/${u.body.id}`, token, { ...make(u.body.userName), displayName: "Changed" });
    expect(r.status).toBe(400);
    const after = await call("GET", `${s.scim}/Users/${u.body.id}`, token);
    expect(after.body.meta.version).toBe(u.body.meta.version);
    expect(after.body.displayName).toBe(u.body.displayName);
  });
});

describe("PATCH refuses unknown targets", () => {
  it.each([
    ["a path-less unknown attribute", { op: "replace", value: { adreses: "x" } }],
    ["an unknown path", { op: "replace", path: "adreses", value: "x" }],
    ["an unknown sub-attribute path", { op: "replace", path: "name.nickname2", value: "x" }],
  ])("answers 400 to %s", async (_, op) => {
    const u = await call("POST", `${s.scim}/Users`, token, userBody(`patch-${Math.random().toString(36).slice(2)}@x.test`));
    const r = await call("PATCH", `${s.scim}/Users/${u.body.id}`, token, { schemas: [PATCH_SCHEMA], Operations: [op] });
    expect(r.status).toBe(400);
    expect(r.body.scimType).toMatch(/invalidSyntax|invalidPath/);
  });
});

describe("/Bulk refuses the same, per operation", () => {
  it("answers the operation 400 and runs the others", async () => {
    const r = await call("POST", `${s.scim}/Bulk`, token, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
      Operations: [
        { method: "POST", path: "/Users", bulkId: "a", data: userBody("bulk-bad@x.test", { adreses: [] }) },
        { method: "POST", path: "/Users", bulkId: "b", data: userBody("bulk-good@x.test") },
      ],
    });
    expect(r.body.Operations.map((o: { status: string }) => o.status)).toEqual(["400", "201"]);
    expect(await count("bulk-bad@x.test")).toBe(0);
  });
});

describe("identity-provider extras are accepted and discarded, knowingly", () => {
  it("lists exactly password on User and Entra's ADSCIM URN on Group", () => {
    expect([...IDP_EXTRAS.attributes.entries()].map(([k, v]) => [k, [...v]])).toEqual([[USER_SCHEMA, ["password"]]]);
    expect([...IDP_EXTRAS.schemas.entries()].map(([k, v]) => [k, [...v]])).toEqual([[GROUP_SCHEMA, ["http://schemas.microsoft.com/2006/11/resourcemanagement/adscim/2.0/group"]]]);
  });

  it("takes a User's password on POST, PUT and PATCH (Okta's password sync) and never returns it", async () => {
    const u = await call("POST", `${s.scim}/Users`, token, userBody("pw@x.test", { password: "Secret-123" }));
    expect(u.status).toBe(201);
    expect(JSON.stringify(u.body)).not.toContain("Secret-123");
    expect((await call("PUT", `${s.scim}/Users/${u.body.id}`, token, userBody("pw@x.test", { password: "Secret-456" }))).status).toBe(200);
    const p = await call("PATCH", `${s.scim}/Users/${u.body.id}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", value: { password: "Secret-789" } }, { op: "replace", path: "password", value: "x" }] });
    expect(p.status).toBe(204);
    expect(JSON.stringify((await call("GET", `${s.scim}/Users/${u.body.id}`, token)).body)).not.toMatch(/Secret|password"/);
  });

  it("takes Entra's ADSCIM Group URN in a Group's schemas", async () => {
    const r = await call("POST", `${s.scim}/Groups`, token, {
      schemas: [GROUP_SCHEMA, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"], displayName: "Entra group",
    });
    expect(r.status).toBe(201);
  });

  it("refuses a password on a Group (an extra only where an IdP sends it)", async () => {
    const r = await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP_SCHEMA], displayName: "pw group", password: "x" });
    expect(r.status).toBe(400);
  });
});
