/**
 * An operation that fails after part of it was written leaves nothing (docs/security.md case 52):
 * a group PATCH that adds a member and then renames the group to a name another group holds
 * writes the membership first and fails on the name (409 uniqueness, decided by the store's unique
 * index); a user PATCH that adds an email and then takes a userName another user holds, likewise.
 * A group PATCH that renames the group (its row is written first) and then adds a member nobody
 * is fails after the rename (400).
 * Sent alone, and as one operation of a /Bulk among others that succeed (operations batched in
 * one store transaction must still stand or fall alone, RFC 7644 §3.7): the failed operation's
 * part is gone, the others' writes stay. Real HTTP, real SQLite store.
 */
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";

jest.setTimeout(60_000);

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

let s: TestServer;
let token: string;
const tag = () => Math.random().toString(36).slice(2, 8);
beforeAll(async () => {
  s = await startTestServer();
  ({ token } = await s.newOrg({ domainEnforcement: false }));
});
afterAll(() => s.close());

async function made(path: string, body: unknown): Promise<Record<string, unknown>> {
  const r = await call("POST", `${s.scim}${path}`, token, body);
  expect(r.status).toBe(201);
  return r.body;
}

/** A group, a user, and the names another group and another user hold. */
async function fixture() {
  const t = tag();
  const user = await made("/Users", userBody(`member-${t}@half.test`));
  const target = await made("/Users", userBody(`target-${t}@half.test`));
  const group = await made("/Groups", { schemas: [GROUP], displayName: `Group ${t}` });
  const taken = await made("/Groups", { schemas: [GROUP], displayName: `Taken ${t}` });
  const takenUser = await made("/Users", userBody(`taken-${t}@half.test`));
  return {
    user, target, group, taken, takenUser,
    groupPatch: { schemas: [PATCH_SCHEMA], Operations: [
      { op: "add", path: "members", value: [{ value: user.id }] },
      { op: "replace", path: "displayName", value: taken.displayName },
    ] },
    // The group renamed (its row written first), then a member nobody is: refused 400 after the rename.
    renameThenUnknown: { schemas: [PATCH_SCHEMA], Operations: [
      { op: "replace", path: "displayName", value: `Renamed ${t}` },
      { op: "add", path: "members", value: [{ value: user.id }, { value: "US00000000000000000000000000000000" }] },
    ] },
    userPatch: { schemas: [PATCH_SCHEMA], Operations: [
      { op: "add", path: "emails", value: [{ value: `extra-${t}@half.test`, type: "home" }] },
      { op: "replace", path: "nickName", value: "half" },
      { op: "replace", path: "userName", value: takenUser.userName },
    ] },
  };
}

async function unchanged(f: Awaited<ReturnType<typeof fixture>>): Promise<void> {
  const g = await call("GET", `${s.scim}/Groups/${f.group.id as string}`, token);
  expect(g.body.displayName).toBe(f.group.displayName);
  expect(g.body.members ?? []).toEqual([]);
  expect((g.body.meta as { version: string }).version).toBe((f.group.meta as { version: string }).version);
  const u = await call("GET", `${s.scim}/Users/${f.user.id as string}`, token);
  expect(((u.body.groups ?? []) as Array<{ value: string }>).map((x) => x.value)).not.toContain(f.group.id);
  const t = await call("GET", `${s.scim}/Users/${f.target.id as string}`, token);
  expect(t.body.userName).toBe(f.target.userName);
  expect(t.body.nickName).toBeUndefined();
  expect((t.body.emails as unknown[]).length).toBe(1);
  expect((t.body.meta as { version: string }).version).toBe((f.target.meta as { version: string }).version);
}

describe("an operation failing after part of it was written", () => {
  it("sent alone, answers 409 and leaves the group and the user as they were", async () => {
    const f = await fixture();
    const g = await call("PATCH", `${s.scim}/Groups/${f.group.id as string}`, token, f.groupPatch);
    expect(g.status).toBe(409);
    const u = await call("PATCH", `${s.scim}/Users/${f.target.id as string}`, token, f.userPatch);
    expect(u.status).toBe(409);
    const r = await call("PATCH", `${s.scim}/Groups/${f.group.id as string}`, token, f.renameThenUnknown);
    expect(r.status).toBe(400);
    await unchanged(f);
  });

  it("in a /Bulk among operations that succeed, answers 409 for itself alone: its part is gone, the others stay", async () => {
    const f = await fixture();
    const t = tag();
    const r = await call("POST", `${s.scim}/Bulk`, token, { schemas: [BULK], Operations: [
      { method: "POST", path: "/Users", bulkId: "before", data: userBody(`before-${t}@half.test`) },
      { method: "PATCH", path: `/Groups/${f.group.id as string}`, data: f.groupPatch },
      { method: "PATCH", path: `/Users/${f.target.id as string}`, data: f.userPatch },
      { method: "PATCH", path: `/Groups/${f.group.id as string}`, data: f.renameThenUnknown },
      { method: "POST", path: "/Users", bulkId: "after", data: userBody(`after-${t}@half.test`) },
    ] });
    expect(r.status).toBe(200);
    expect((r.body.Operations as Array<{ status: string }>).map((o) => Number(o.status))).toEqual([201, 409, 409, 400, 201]);
    await unchanged(f);
    for (const n of ["before", "after"]) {
      const found = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent(`userName eq "${n}-${t}@half.test"`)}`, token);
      expect(found.body.totalResults).toBe(1);
    }
  });
});
