/**
 * The orgscim User extension over HTTP: its attributes filter and sort like any other
 * (`urn:...:orgscim:2.0:User:orgRole eq "administrator"`), and PATCH `remove` of one of them, or of
 * the whole extension, unassigns it (RFC 7644 §3.5.2.2): the attribute takes its default instead
 * of answering 204 and changing nothing. `remove active` cannot silently reactivate a suspended user.
 */
import { call, ORG_EXT, PATCH_SCHEMA, startTestServer, USER_SCHEMA, type TestServer } from "../helpers/server";

let s: TestServer;
let token: string;
beforeAll(async () => {
  s = await startTestServer();
  token = (await s.newOrg({ domainEnforcement: false })).token;
});
afterAll(() => s.close());

let n = 0;
async function user(ext: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<string> {
  n += 1;
  const r = await call("POST", `${s.scim}/Users`, token, { schemas: [USER_SCHEMA, ORG_EXT], userName: `ext${n}`, [ORG_EXT]: ext, ...extra });
  expect(r.status).toBe(201);
  return r.body.id as string;
}
const patch = (id: string, ...Operations: unknown[]) => call("PATCH", `${s.scim}/Users/${id}`, token, { schemas: [PATCH_SCHEMA], Operations });
const get = async (id: string) => (await call("GET", `${s.scim}/Users/${id}`, token)).body;
const ids = async (filter: string): Promise<string[]> => {
  const r = await call("GET", `${s.scim}/Users?count=1000&filter=${encodeURIComponent(filter)}`, token);
  expect(r.status).toBe(200);
  return r.body.Resources.map((u: { id: string }) => u.id).sort();
};

describe("filters on the orgscim extension", () => {
  let admin: string, twoFactor: string, plain: string;
  beforeAll(async () => {
    admin = await user({ orgRole: "administrator" });
    twoFactor = await user({ twoFactorRequired: true, passwordResetRequired: true });
    plain = await user();
  });

  it("finds administrators by orgRole, with or without the URN's case", async () => {
    expect(await ids(`${ORG_EXT}:orgRole eq "administrator"`)).toEqual([admin]);
    expect(await ids(`${ORG_EXT.toLowerCase()}:ORGROLE eq "Administrator"`)).toEqual([admin]);
    expect(await ids(`${ORG_EXT}:orgRole eq "standard" and userName sw "ext"`)).toEqual([twoFactor, plain].sort());
  });

  it("finds users by status and by the two booleans", async () => {
    expect(await ids(`${ORG_EXT}:status eq "managed" and userName sw "ext"`)).toEqual([admin, twoFactor, plain].sort());
    expect(await ids(`${ORG_EXT}:status eq "pending"`)).toEqual([]);
    expect(await ids(`${ORG_EXT}:twoFactorRequired eq true`)).toEqual([twoFactor]);
    expect(await ids(`${ORG_EXT}:passwordResetRequired eq true`)).toEqual([twoFactor]);
    expect(await ids(`not (${ORG_EXT}:twoFactorRequired eq true) and userName sw "ext"`)).toEqual([admin, plain].sort());
  });

  it("sorts by orgRole", async () => {
    const sorted = async (order: string) => (await call("GET", `${s.scim}/Users?filter=${encodeURIComponent('userName sw "ext"')}&sortBy=${ORG_EXT}:orgRole&sortOrder=${order}`, token)).body.Resources;
    expect((await sorted("ascending"))[0].id).toBe(admin);
    const descending = await sorted("descending");
    expect(descending[descending.length - 1].id).toBe(admin);
  });
});

describe("PATCH remove on the orgscim extension (RFC 7644 §3.5.2.2)", () => {
  it.each([
    ["twoFactorRequired", { twoFactorRequired: true }, { twoFactorRequired: false }],
    ["passwordResetRequired", { passwordResetRequired: true }, { passwordResetRequired: false }],
    ["orgRole", { orgRole: "administrator" }, { orgRole: "standard" }],
  ])("unassigns %s: it takes its default", async (attr, given, after) => {
    const id = await user(given);
    const r = await patch(id, { op: "remove", path: `${ORG_EXT}:${attr}` });
    expect(r.status).toBe(204);
    expect((await get(id))[ORG_EXT]).toMatchObject(after);
  });

  it("unassigns every attribute when the whole extension is removed", async () => {
    const id = await user({ orgRole: "administrator", twoFactorRequired: true, passwordResetRequired: true });
    expect((await patch(id, { op: "remove", path: ORG_EXT })).status).toBe(204);
    expect((await get(id))[ORG_EXT]).toMatchObject({ orgRole: "standard", twoFactorRequired: false, passwordResetRequired: false, status: "managed" });
  });

  it("refuses remove active with 400 mutability, and a suspended user stays suspended", async () => {
    const id = await user({}, { active: false });
    const r = await patch(id, { op: "remove", path: "active" });
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe("mutability");
    expect(r.body.detail).toContain("replace it with true");
    expect((await get(id)).active).toBe(false);
  });
});
