/**
 * A 304 Not Modified says "the representation you hold is the current one" (RFC 9110 §13.2.2,
 * §15.4.5). GET /Users/{id} and GET /Groups/{id} compare If-None-Match with the resource's own
 * version (meta.version), but a user's representation carries its `groups` and a group's its
 * `members` (each with the user's display), and a user's orgscim orgRole is its effective role, its
 * groups' grant included, all of which change without that version: a user added to or taken out
 * of a group, a group renamed or deleted, a member renamed or deleted. A client that
 * revalidates its copy (an HTTP cache, an app reading a user's groups to decide what they may do)
 * was told 304 and kept a user in a group they had left (docs/security.md case 64).
 *
 * The rule, whatever the server's versions cover: an answer 304 to If-None-Match with the ETag a
 * representation was given with only while GET answers that same representation. And an answer
 * that leaves those memberships out (excludedAttributes=groups, attributes without members) is
 * still answered 304 while the version holds. Real HTTP, real SQLite store.
 */
import { call, PATCH_SCHEMA, startTestServer, userBody, type Reply, type TestServer } from "../helpers/server";

jest.setTimeout(60_000);

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const GROUP_EXT = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group";
const USER_EXT = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";

let s: TestServer;
let token = "";
beforeAll(async () => {
  s = await startTestServer();
  token = (await s.newOrg({ domainEnforcement: false })).token;
});
afterAll(() => s.close());

const tag = () => Math.random().toString(36).slice(2, 8);
const get = (path: string, headers: Record<string, string> = {}): Promise<Reply> => call("GET", `${s.scim}${path}`, token, undefined, headers);
const ok = async (r: Promise<Reply>): Promise<Reply> => {
  const x = await r;
  expect(x.status).toBeLessThan(300);
  return x;
};
const patchGroup = (id: string, ops: unknown[]) => ok(call("PATCH", `${s.scim}/Groups/${id}`, token, { schemas: [PATCH_SCHEMA], Operations: ops }));
const newUser = async (): Promise<string> => (await ok(call("POST", `${s.scim}/Users`, token, userBody(`c-${tag()}@acme.test`, { displayName: "Before" })))).body.id as string;
const newGroup = async (members: string[]): Promise<string> =>
  (await ok(call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP], displayName: `G ${tag()}`, members: members.map((value) => ({ value })) }))).body.id as string;

/**
 * The representation at `path` (with `query`) now, then `change`; then GET with If-None-Match the
 * ETag it was given with: a 304 only when GET answers the same text as before.
 */
async function revalidated(path: string, change: () => Promise<unknown>, query = ""): Promise<{ status: number; same: boolean }> {
  const held = await get(`${path}${query}`);
  expect(held.status).toBe(200);
  await change();
  const r = await get(`${path}${query}`, { "If-None-Match": held.headers.get("etag")! });
  const now = await get(`${path}${query}`);
  return { status: r.status, same: now.text === held.text };
}
const honest = (x: { status: number; same: boolean }) => expect({ ...x, notModified: x.status === 304 }).toEqual({ ...x, notModified: x.same });

describe("If-None-Match on a user, whose groups change without its version", () => {
  it("after the user joins a group", async () => {
    const u = await newUser();
    const g = await newGroup([]);
    honest(await revalidated(`/Users/${u}`, () => patchGroup(g, [{ op: "add", path: "members", value: [{ value: u }] }])));
  });
  it("after the user leaves a group", async () => {
    const u = await newUser();
    const g = await newGroup([u]);
    honest(await revalidated(`/Users/${u}`, () => patchGroup(g, [{ op: "remove", path: `members[value eq "${u}"]` }])));
  });
  it("after the user's group is renamed", async () => {
    const u = await newUser();
    const g = await newGroup([u]);
    honest(await revalidated(`/Users/${u}`, () => patchGroup(g, [{ op: "replace", path: "displayName", value: `Renamed ${tag()}` }])));
  });
  it("after the user's group is deleted", async () => {
    const u = await newUser();
    const g = await newGroup([u]);
    honest(await revalidated(`/Users/${u}`, () => ok(call("DELETE", `${s.scim}/Groups/${g}`, token))));
  });
  it("after the user joins a group bound to the Administrator role, the answer left without its groups (its orgscim orgRole is the effective one)", async () => {
    const u = await newUser();
    const g = await ok(call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP, GROUP_EXT], displayName: `Admins ${tag()}`, [GROUP_EXT]: { orgRole: "administrator" } }));
    const joined = await revalidated(`/Users/${u}`, () => patchGroup(g.body.id as string, [{ op: "add", path: "members", value: [{ value: u }] }]), "?excludedAttributes=groups");
    expect(joined.same).toBe(false); // standard, then administrator
    honest(joined);
    honest(await revalidated(`/Users/${u}`, () => patchGroup(g.body.id as string, [{ op: "remove", path: `members[value eq "${u}"]` }]), `?attributes=${encodeURIComponent(`${USER_EXT}:orgRole`)}`));
  });
  it("is still 304 when the answer leaves out the groups and the effective orgRole, whatever the memberships did", async () => {
    const u = await newUser();
    const g = await newGroup([]);
    expect(await revalidated(`/Users/${u}`, async () => undefined, `?excludedAttributes=groups,${USER_EXT}`)).toEqual({ status: 304, same: true });
    expect(await revalidated(`/Users/${u}`, async () => undefined, "?attributes=userName,emails")).toEqual({ status: 304, same: true });
    expect(await revalidated(`/Users/${u}`, () => patchGroup(g, [{ op: "add", path: "members", value: [{ value: u }] }]), `?excludedAttributes=groups,${USER_EXT}:orgRole`)).toEqual({ status: 304, same: true });
    expect(await revalidated(`/Users/${u}`, () => patchGroup(g, [{ op: "remove", path: `members[value eq "${u}"]` }]), `?excludedAttributes=groups,${USER_EXT}`)).toEqual({ status: 304, same: true });
  });
});

describe("If-None-Match on a group, whose members change without its version", () => {
  it("after a member is renamed", async () => {
    const u = await newUser();
    const g = await newGroup([u]);
    honest(await revalidated(`/Groups/${g}`, () => ok(call("PATCH", `${s.scim}/Users/${u}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "displayName", value: "After" }] }))));
  });
  it("after a member is deleted", async () => {
    const u = await newUser();
    const g = await newGroup([u]);
    honest(await revalidated(`/Groups/${g}`, () => ok(call("DELETE", `${s.scim}/Users/${u}`, token))));
  });
  it("is still 304 when the answer leaves the members out, whatever the members did", async () => {
    const u = await newUser();
    const g = await newGroup([u]);
    expect(await revalidated(`/Groups/${g}`, async () => undefined, "?excludedAttributes=members")).toEqual({ status: 304, same: true });
    expect(await revalidated(`/Groups/${g}`, () => ok(call("DELETE", `${s.scim}/Users/${u}`, token)), "?excludedAttributes=members")).toEqual({ status: 304, same: true });
  });
});
