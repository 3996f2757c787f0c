/** Managed accounts and account roles through /v1, and account-role groups through SCIM. */
import { systemClock } from "../../src/domain/clock";
import { accountRoleGroupId } from "../../src/domain/account-roles";
import { issueToken } from "../../src/domain/tokens";
import { AccountBody, AccountPage, AccountUserList, RoleAssignmentBody, RoleAssignmentList, UserAccountList } from "../../src/http/v1/accounts-routes";
import { ErrorBody } from "../../src/http/v1/openapi";
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";
import { conforms, v1 } from "../helpers/v1";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

async function setup() {
  const o = await s.newOrg({ domainEnforcement: false });
  const mk = async (name: string) => (await call("POST", `${s.scim}/Users`, o.token, userBody(`${name}-${Math.random().toString(36).slice(2, 8)}@acme.test`))).body.id as string;
  const tokenFor = async (userId: string) => (await issueToken(s.running.store, systemClock, { orgId: o.org.id, name: "u", scopes: ["admin"], userId })).plaintext;
  const account = async (name: string, owner: string) => conforms(AccountBody, await v1("POST", `${s.url}/v1/Accounts`, o.token, { friendly_name: name, owner_sid: owner }));
  const grant = (token: string, account_sid: string, user_sid: string, role: string) => v1("POST", `${s.url}/v1/RoleAssignments`, token, { account_sid, user_sid, role });
  const roles = async (accountSid: string, userSid: string) =>
    conforms(AccountUserList, await v1("GET", `${s.url}/v1/Accounts/${accountSid}/Users`, o.token)).users.find((u) => u.user_sid === userSid)?.roles ?? [];
  return { ...o, mk, tokenFor, account, grant, roles };
}

describe("/v1/Accounts", () => {
  it("creates, lists, fetches, renames and closes an account", async () => {
    const o = await setup();
    const owner = await o.mk("owner");
    const a = await o.account("Production", owner);
    expect(a).toMatchObject({ friendly_name: "Production", owner_sid: owner, status: "active" });
    const list = conforms(AccountPage, await v1("GET", `${s.url}/v1/Accounts?PageSize=10`, o.token));
    expect(list.accounts.map((x) => x.sid)).toEqual([a.sid]);
    expect(list.meta.next_page_url).toBeNull();
    const renamed = conforms(AccountBody, await v1("POST", `${s.url}/v1/Accounts/${a.sid}`, o.token, { friendly_name: "Prod" }));
    expect(renamed.friendly_name).toBe("Prod");
    const closed = conforms(AccountBody, await v1("DELETE", `${s.url}/v1/Accounts/${a.sid}`, o.token));
    expect(closed.status).toBe("closed");
  });

  it("pages with PageSize and PageToken", async () => {
    const o = await setup();
    const owner = await o.mk("pager");
    for (let i = 0; i < 5; i++) await o.account(`A${i}`, owner);
    const p1 = conforms(AccountPage, await v1("GET", `${s.url}/v1/Accounts?PageSize=2`, o.token));
    expect(p1.accounts.map((a) => a.friendly_name)).toEqual(["A0", "A1"]);
    const p2 = conforms(AccountPage, await v1("GET", p1.meta.next_page_url!, o.token));
    expect(p2.accounts.map((a) => a.friendly_name)).toEqual(["A2", "A3"]);
    expect((await v1("GET", `${s.url}/v1/Accounts?PageSize=500`, o.token)).status).toBe(400);
  });

  it("refuses an owner who is not a managed user", async () => {
    const o = await setup();
    const r = await v1("POST", `${s.url}/v1/Accounts`, o.token, { friendly_name: "X", owner_sid: `US${"0".repeat(32)}` });
    expect(r.status).toBe(400);
    expect(conforms(ErrorBody, r).code).toBe(6502);
  });

  it("lets a Standard User create an account, owned by them, and nothing more", async () => {
    const o = await setup();
    const std = await o.mk("std");
    const token = await o.tokenFor(std);
    const r = await v1("POST", `${s.url}/v1/Accounts`, token, { friendly_name: "Mine" });
    expect(r.status).toBe(201);
    expect(conforms(AccountBody, r).owner_sid).toBe(std);
    expect((await v1("POST", `${s.url}/v1/Organization`, token, { domain_enforcement: false })).status).toBe(403);
  });

  it("answers another organization's account like an unknown one", async () => {
    const o = await setup();
    const other = await setup();
    const a = await o.account("Private", await o.mk("p"));
    const r = await v1("GET", `${s.url}/v1/Accounts/${a.sid}`, other.token);
    const unknown = await v1("GET", `${s.url}/v1/Accounts/AC${"0".repeat(32)}`, other.token);
    expect(r.status).toBe(404);
    expect(r.body.message.replace(a.sid, "X")).toBe(unknown.body.message.replace(`AC${"0".repeat(32)}`, "X"));
  });
});

describe("account roles", () => {
  it("are not exclusive: Developer and Billing Manager together", async () => {
    const o = await setup();
    const a = await o.account("Roles", await o.mk("owner"));
    const u = await o.mk("dev");
    expect((await o.grant(o.token, a.sid, u, "developer")).status).toBe(201);
    expect((await o.grant(o.token, a.sid, u, "billing_manager")).status).toBe(201);
    expect((await o.roles(a.sid, u)).sort()).toEqual(["billing_manager", "developer"]);
  });

  it("clear the others when Administrator is granted, and never show Administrator beside another", async () => {
    const o = await setup();
    const a = await o.account("Admin", await o.mk("owner"));
    const u = await o.mk("admin");
    await o.grant(o.token, a.sid, u, "developer");
    await o.grant(o.token, a.sid, u, "support");
    const g = conforms(RoleAssignmentBody, await o.grant(o.token, a.sid, u, "administrator"));
    expect(await o.roles(a.sid, u)).toEqual(["administrator"]);
    const direct = conforms(RoleAssignmentList, await v1("GET", `${s.url}/v1/RoleAssignments?UserSid=${u}`, o.token));
    expect(direct.role_assignments.map((x) => x.role)).toEqual(["administrator"]);
    const lesser = await o.grant(o.token, a.sid, u, "developer");
    expect(lesser.status).toBe(409);
    expect(lesser.body.message).toMatch(/includes Developer/);
    expect((await v1("DELETE", `${s.url}/v1/RoleAssignments/${g.sid}`, o.token)).status).toBe(204);
    expect(await o.roles(a.sid, u)).toEqual([]);
  });

  it("let an account's Administrator manage that account's users, and no other account", async () => {
    const o = await setup();
    const mine = await o.account("Mine", await o.mk("owner"));
    const theirs = await o.account("Theirs", await o.mk("owner2"));
    const accAdmin = await o.mk("acc-admin");
    await o.grant(o.token, mine.sid, accAdmin, "administrator");
    const token = await o.tokenFor(accAdmin);
    const u = await o.mk("managed-by-acc-admin");
    expect((await o.grant(token, mine.sid, u, "support")).status).toBe(201);
    const refused = await o.grant(token, theirs.sid, u, "support");
    expect(refused.status).toBe(403);
    expect((await s.running.store.audit.list(o.org.id, { limit: 1 }))[0]).toMatchObject({ outcome: "refused", action: "role_assignment.create" });
  });

  it("let an org Administrator grant themselves any role on any account, as the seed says", async () => {
    const o = await setup();
    const a = await o.account("Any", await o.mk("owner"));
    const admin = await o.mk("org-admin");
    await call("PATCH", `${s.scim}/Groups/${(await import("../../src/domain/role-groups")).orgRoleGroupId(o.org.id, "administrator")}`, o.token,
      { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: [{ value: admin }] }] });
    expect((await o.grant(await o.tokenFor(admin), a.sid, admin, "administrator")).status).toBe(201);
  });

  it("are driven by identity providers through the account's role groups", async () => {
    const o = await setup();
    const a = await o.account("Pushed", await o.mk("owner"));
    const u = await o.mk("pushed");
    const gid = accountRoleGroupId(a.sid, "developer");
    const g = await call("GET", `${s.scim}/Groups/${gid}`, o.token);
    expect(g.body.displayName).toBe(`${a.sid}:Developer`);
    await call("PATCH", `${s.scim}/Groups/${gid}`, o.token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: [{ value: u }] }] });
    expect(await o.roles(a.sid, u)).toEqual(["developer"]);
    const tab = conforms(UserAccountList, await v1("GET", `${s.url}/v1/Users/${u}/Accounts?Role=developer`, o.token));
    expect(tab.accounts.map((x) => x.account.sid)).toEqual([a.sid]);
    expect(conforms(UserAccountList, await v1("GET", `${s.url}/v1/Users/${u}/Accounts?Role=support`, o.token)).accounts).toEqual([]);
  });

  it("keep a role another source still grants when one group drops the user", async () => {
    const o = await setup();
    const a = await o.account("Two", await o.mk("owner"));
    const u = await o.mk("two");
    await o.grant(o.token, a.sid, u, "support");
    const pushed = await call("POST", `${s.scim}/Groups`, o.token, {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Support team",
      "urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group": { accountSid: a.sid, accountRole: "support" }, members: [{ value: u }],
    });
    expect(pushed.status).toBe(201);
    await call("PATCH", `${s.scim}/Groups/${pushed.body.id}`, o.token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "remove", path: `members[value eq "${u}"]` }] });
    expect(await o.roles(a.sid, u)).toEqual(["support"]);
    await call("PATCH", `${s.scim}/Groups/${pushed.body.id}`, o.token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: [{ value: u }] }] });
    const direct = (await s.running.store.groups.groupsOfUser(o.org.id, u)).find((g) => g.id === accountRoleGroupId(a.sid, "support"))!;
    await call("PATCH", `${s.scim}/Groups/${direct.id}`, o.token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "remove", path: `members[value eq "${u}"]` }] });
    expect(await o.roles(a.sid, u)).toEqual(["support"]);
  });
});

describe("binding pushed groups to account roles", () => {
  it("binds by the displayName convention orgscim:account:<sid>:<role>", async () => {
    const o = await setup();
    const a = await o.account("Conv", await o.mk("owner"));
    const u = await o.mk("conv");
    const g = await call("POST", `${s.scim}/Groups`, o.token, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: `orgscim:account:${a.sid}:developer`, members: [{ value: u }] });
    expect(g.body["urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group"]).toMatchObject({ accountSid: a.sid, accountRole: "developer" });
    expect(await o.roles(a.sid, u)).toEqual(["developer"]);
  });

  it("refuses a binding to an account the organization does not have", async () => {
    const o = await setup();
    const r = await call("POST", `${s.scim}/Groups`, o.token, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Ghost",
      "urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group": { accountSid: `AC${"1".repeat(32)}`, accountRole: "support" } });
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe("invalidValue");
  });
});

describe("removing the owner of accounts", () => {
  it("hands their accounts to the organization's successor, and audits it", async () => {
    const o = await setup();
    const leaver = await o.mk("leaver");
    const heir = await o.mk("heir");
    await v1("POST", `${s.url}/v1/Organization`, o.token, { successor_user_sid: heir });
    const a = await o.account("Handed", leaver);
    expect((await call("DELETE", `${s.scim}/Users/${leaver}`, o.token)).status).toBe(204);
    expect(conforms(AccountBody, await v1("GET", `${s.url}/v1/Accounts/${a.sid}`, o.token)).owner_sid).toBe(heir);
    const actions = (await s.running.store.audit.list(o.org.id, { limit: 3 })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["user.remove", "account.owner.transfer"]));
  });

  it("refuses, losing nothing, when there is no successor and no Owner", async () => {
    const o = await setup();
    const leaver = await o.mk("alone");
    const a = await o.account("Orphan", leaver);
    const r = await call("DELETE", `${s.scim}/Users/${leaver}`, o.token);
    expect(r.status).toBe(409);
    expect(r.body.detail).toMatch(/successor/);
    expect((await call("GET", `${s.scim}/Users/${leaver}`, o.token)).status).toBe(200);
    expect(conforms(AccountBody, await v1("GET", `${s.url}/v1/Accounts/${a.sid}`, o.token)).owner_sid).toBe(leaver);
  });
});
