/** Org-role groups: memberships are grants (issue 4 rules), over real HTTP. */
import { orgRoleGroupId } from "../../src/domain/role-groups";
import { call, ORG_EXT, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const GROUP_EXT = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group";
let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

async function setup() {
  const admin = await s.newOrg({ domainEnforcement: false }, ["admin", "scim"]);
  const { issueToken } = await import("../../src/domain/tokens");
  const { systemClock } = await import("../../src/domain/clock");
  const scimOnly = (await issueToken(s.running.store, systemClock, { orgId: admin.org.id, name: "idp", scopes: ["scim"] })).plaintext;
  const mk = async (name: string) => (await call("POST", `${s.scim}/Users`, admin.token, userBody(`${name}-${Math.random().toString(36).slice(2, 8)}@acme.test`))).body.id as string;
  const role = async (id: string) => (await call("GET", `${s.scim}/Users/${id}`, admin.token)).body[ORG_EXT].orgRole as string;
  const g = (role: "owner" | "administrator" | "standard") => orgRoleGroupId(admin.org.id, role);
  return { org: admin.org, admin: admin.token, scimOnly, mk, role, g };
}

const add = (token: string, gid: string, ids: string[]) =>
  call("PATCH", `${s.scim}/Groups/${gid}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: ids.map((value) => ({ value })) }] });
const remove = (token: string, gid: string, id: string) =>
  call("PATCH", `${s.scim}/Groups/${gid}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "remove", path: `members[value eq "${id}"]` }] });

describe("built-in org-role groups", () => {
  it("exist in every organization with stable ids and predictable displayNames", async () => {
    const o = await setup();
    const r = await call("GET", `${s.scim}/Groups?excludedAttributes=members`, o.admin);
    const byName = Object.fromEntries(r.body.Resources.map((x: { displayName: string; id: string }) => [x.displayName, x.id]));
    expect(byName).toEqual({ Owner: o.g("owner"), Administrator: o.g("administrator"), "Standard User": o.g("standard") });
    expect(r.body.Resources[0][GROUP_EXT]).toEqual({ orgRole: "owner", builtin: true });
  });

  it("hold every new managed user in Standard User", async () => {
    const o = await setup();
    const u = await o.mk("new");
    expect(await o.role(u)).toBe("standard");
    const members = (await call("GET", `${s.scim}/Groups/${o.g("standard")}`, o.admin)).body.members.map((m: { value: string }) => m.value);
    expect(members).toContain(u);
  });

  it("make a user Administrator when an admin token adds them to Administrator, and move them out of Standard User", async () => {
    const o = await setup();
    const u = await o.mk("promote");
    expect((await add(o.admin, o.g("administrator"), [u])).status).toBe(204);
    expect(await o.role(u)).toBe("administrator");
    const std = (await call("GET", `${s.scim}/Groups/${o.g("standard")}`, o.admin)).body.members ?? [];
    expect(std.map((m: { value: string }) => m.value)).not.toContain(u);
    expect((await remove(o.admin, o.g("administrator"), u)).status).toBe(204);
    expect(await o.role(u)).toBe("standard");
  });

  it("refuse a scim-scope token joining someone to Administrator (403, audited, nothing changes)", async () => {
    const o = await setup();
    const u = await o.mk("escalate");
    const r = await add(o.scimOnly, o.g("administrator"), [u]);
    expect(r.status).toBe(403);
    expect(await o.role(u)).toBe("standard");
    const last = (await s.running.store.audit.list(o.org.id, { limit: 1 }))[0]!;
    expect(last).toMatchObject({ outcome: "refused", action: "group.update", targetId: o.g("administrator") });
  });

  it("refuse anyone joining the Owner group over SCIM, even with an admin token", async () => {
    const o = await setup();
    const u = await o.mk("owner-wannabe");
    expect((await add(o.admin, o.g("owner"), [u])).status).toBe(403);
    expect(await o.role(u)).toBe("standard");
  });

  it("refuse removing someone from Standard User: a managed user always holds one role", async () => {
    const o = await setup();
    const u = await o.mk("always");
    const r = await remove(o.admin, o.g("standard"), u);
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe("mutability");
  });

  it("cannot be renamed, emptied or deleted", async () => {
    const o = await setup();
    const rename = await call("PATCH", `${s.scim}/Groups/${o.g("administrator")}`, o.admin, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "displayName", value: "Admins" }] });
    expect(rename.status).toBe(400);
    const empty = await call("PATCH", `${s.scim}/Groups/${o.g("standard")}`, o.admin, { schemas: [PATCH_SCHEMA], Operations: [{ op: "remove", path: "members" }] });
    expect(empty.status).toBe(400);
    expect((await call("DELETE", `${s.scim}/Groups/${o.g("standard")}`, o.admin)).status).toBe(400);
  });

  it("accept Okta's rename-to-the-same-name that comes with every membership push", async () => {
    const o = await setup();
    const u = await o.mk("okta");
    const r = await call("PATCH", `${s.scim}/Groups/${o.g("administrator")}`, o.admin, { schemas: [PATCH_SCHEMA], Operations: [
      { op: "replace", value: { id: o.g("administrator"), displayName: "Administrator" } },
      { op: "add", path: "members", value: [{ value: u }] },
    ] });
    expect(r.status).toBe(204);
    expect(await o.role(u)).toBe("administrator");
  });

  it("are hidden, with their ids answering 404, when the organization turns role groups off", async () => {
    const o = await s.newOrg({ domainEnforcement: false, exposeRoleGroups: false });
    expect((await call("GET", `${s.scim}/Groups`, o.token)).body.totalResults).toBe(0);
    expect((await call("GET", `${s.scim}/Groups/${orgRoleGroupId(o.org.id, "standard")}`, o.token)).status).toBe(404);
    const u = await call("POST", `${s.scim}/Users`, o.token, userBody("hidden@acme.test"));
    expect(u.body.groups).toBeUndefined();
  });
});

describe("groups an identity provider pushes", () => {
  it("grant nothing while unbound, and their members' role once bound later", async () => {
    const o = await setup();
    const u = await o.mk("later");
    const g = (await call("POST", `${s.scim}/Groups`, o.admin, { schemas: [GROUP], displayName: "IT Admins", members: [{ value: u }] })).body;
    expect(await o.role(u)).toBe("standard");
    const bind = await call("PATCH", `${s.scim}/Groups/${g.id}`, o.admin, { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: `${GROUP_EXT}:orgRole`, value: "administrator" }] });
    expect(bind.status).toBe(204);
    expect(await o.role(u)).toBe("administrator");
  });

  it("bind by the displayName convention orgscim:role:<role>", async () => {
    const o = await setup();
    const u = await o.mk("convention");
    const g = (await call("POST", `${s.scim}/Groups`, o.admin, { schemas: [GROUP], displayName: "orgscim:role:administrator", members: [{ value: u }] })).body;
    expect(g[GROUP_EXT].orgRole).toBe("administrator");
    expect(await o.role(u)).toBe("administrator");
  });

  it("never remove a role that another source still grants", async () => {
    const o = await setup();
    const u = await o.mk("two-sources");
    const mkBound = async (name: string) => (await call("POST", `${s.scim}/Groups`, o.admin, { schemas: [GROUP], displayName: name, [GROUP_EXT]: { orgRole: "administrator" }, members: [{ value: u }] })).body.id as string;
    const a = await mkBound("Admins A");
    await mkBound("Admins B");
    await remove(o.admin, a, u);
    expect(await o.role(u)).toBe("administrator");
  });

  it("refuse a scim-scope token binding a group to Administrator, or changing the members of such a group", async () => {
    const o = await setup();
    const u = await o.mk("bind-refused");
    const r = await call("POST", `${s.scim}/Groups`, o.scimOnly, { schemas: [GROUP], displayName: "Sneaky", [GROUP_EXT]: { orgRole: "administrator" }, members: [{ value: u }] });
    expect(r.status).toBe(403);
    const bound = (await call("POST", `${s.scim}/Groups`, o.admin, { schemas: [GROUP], displayName: "Real Admins", [GROUP_EXT]: { orgRole: "administrator" } })).body.id;
    expect((await add(o.scimOnly, bound, [u])).status).toBe(403);
    expect(await o.role(u)).toBe("standard");
  });

  it("refuse a pending user in a group that grants an org role", async () => {
    const o = await setup();
    const invited = await call("POST", `${s.url}/v1/Invitations`, o.admin, { email: "pending-person@shared.test", org_role: "standard" }, { "content-type": "application/json" });
    const pending = (await call("GET", `${s.scim}/Users/${invited.body.user_sid}`, o.admin)).body;
    expect(pending[ORG_EXT].status).toBe("pending");
    const r = await add(o.admin, o.g("administrator"), [pending.id]);
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/only managed users/);
  });
});
