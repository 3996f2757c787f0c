/**
 * Reopening a closed account (POST /v1/Accounts/{sid}/Reopen), over real HTTP on a real store:
 * who may (the organization's Owner and Administrators, as for closing), who may not however they
 * stand to the account (its Standard User owner, its Administrator through a group the identity
 * provider binds, an Administrator of another account, a token with the scim scope only, another
 * organization), what comes back (the account, empty role groups; not the direct roles closing
 * ended; the identity provider's bindings grant again), and a closed account's owner who left.
 */
import { systemClock } from "../../src/domain/clock";
import { accountRoleGroupId } from "../../src/domain/account-roles";
import { issueToken } from "../../src/domain/tokens";
import { AccountBody, AccountReopened, AccountUserList } from "../../src/http/v1/accounts-routes";
import { GroupPage } from "../../src/http/v1/groups-routes";
import { ErrorBody } from "../../src/http/v1/openapi";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";
import { conforms, v1 } from "../helpers/v1";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const GROUP_EXT = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group";
const ORG_EXT = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

async function setup() {
  const o = await s.newOrg({ domainEnforcement: false });
  const api = (method: string, path: string, body?: unknown, token = o.token) => v1(method, `${s.url}/v1${path}`, token, body);
  const mk = async (name: string, orgRole = "standard") =>
    (await call("POST", `${s.scim}/Users`, o.token, userBody(`${name}-${Math.random().toString(36).slice(2, 8)}@acme.test`, { [ORG_EXT]: { orgRole } }))).body.id as string;
  const tokenFor = async (userId: string | null, scopes: ("admin" | "scim")[] = ["admin"]) =>
    (await issueToken(s.running.store, systemClock, { orgId: o.org.id, name: "t", scopes, userId, ...(userId ? {} : { ceiling: "owner" as const }) })).plaintext;
  const closed = async (owner: string) => {
    const a = conforms(AccountBody, await api("POST", "/Accounts", { friendly_name: `Closed ${Math.random().toString(36).slice(2, 6)}`, owner_sid: owner }));
    expect((await api("DELETE", `/Accounts/${a.sid}`)).status).toBe(200);
    return a.sid;
  };
  const status = async (sid: string) => (await s.running.store.accounts.get(o.org.id, sid))?.status;
  const events = async (action: string) => (await s.running.store.audit.list(o.org.id, { limit: 50, action }));
  return { o, api, mk, tokenFor, closed, status, events };
}

describe("reopening a closed account", () => {
  it("lets an Administrator reopen it: active again, audited with the real actor, direct roles not back, the identity provider's bindings granting again", async () => {
    const { o, api, mk, tokenFor, status, events } = await setup();
    const owner = await mk("owner");
    const dev = await mk("dev");
    const idpMember = await mk("idp-member");
    const a = conforms(AccountBody, await api("POST", "/Accounts", { friendly_name: "Mobile", owner_sid: owner }));
    expect((await api("POST", "/RoleAssignments", { account_sid: a.sid, user_sid: dev, role: "developer" })).status).toBe(201);
    const pushed = await call("POST", `${s.scim}/Groups`, o.token, { schemas: [GROUP], displayName: "Mobile support", [GROUP_EXT]: { accountSid: a.sid, accountRole: "support" }, members: [{ value: idpMember }] });
    expect(pushed.status).toBe(201);
    expect((await api("DELETE", `/Accounts/${a.sid}`)).status).toBe(200);

    // While closed, a grant says what is possible.
    const refused = conforms(ErrorBody, await api("POST", "/RoleAssignments", { account_sid: a.sid, user_sid: dev, role: "developer" }));
    expect(refused.code).toBe(6503);
    expect(refused.message).toContain(`POST /v1/Accounts/${a.sid}/Reopen`);

    const admin = await mk("admin", "administrator");
    const reopened = conforms(AccountBody, await api("POST", `/Accounts/${a.sid}/Reopen`, {}, await tokenFor(admin)));
    expect(reopened).toMatchObject({ sid: a.sid, status: "active", owner_sid: owner, friendly_name: "Mobile" });
    expect(await status(a.sid)).toBe("active");
    const [event] = await events("account.reopen");
    expect(event).toMatchObject({ outcome: "success", targetType: "Account", targetId: a.sid });
    expect(event!.actor).toContain(admin);
    expect(event!.before).toMatchObject({ status: "closed" });
    expect(event!.after).toMatchObject({ status: "active" });

    const users = conforms(AccountUserList, await api("GET", `/Accounts/${a.sid}/Users`)).users;
    expect(users.map((u) => [u.user_sid, u.roles]).sort()).toEqual([[idpMember, ["support"]], [owner, []]].sort());
    // The role groups exist again: a grant works.
    expect((await api("POST", "/RoleAssignments", { account_sid: a.sid, user_sid: dev, role: "developer" })).status).toBe(201);
    expect(await s.running.store.groups.get(o.org.id, accountRoleGroupId(a.sid, "administrator"))).not.toBeNull();
  });

  it("says which of the identity provider's groups grant again: in the answer, in GET /v1/Groups?Account=, and in the audit event", async () => {
    const { o, api, mk, closed, events } = await setup();
    const owner = await mk("owner");
    const [m1, m2, m3] = [await mk("m1"), await mk("m2"), await mk("m3")];
    const sid = conforms(AccountBody, await api("POST", "/Accounts", { friendly_name: "Regrant", owner_sid: owner })).sid;
    const other = conforms(AccountBody, await api("POST", "/Accounts", { friendly_name: "Unrelated", owner_sid: owner })).sid;
    const group = async (name: string, account: string, role: string, members: string[]) => {
      const r = await call("POST", `${s.scim}/Groups`, o.token, { schemas: [GROUP], displayName: name, [GROUP_EXT]: { accountSid: account, accountRole: role }, members: members.map((value) => ({ value })) });
      expect(r.status).toBe(201);
      return r.body.id as string;
    };
    const admins = await group("Regrant admins", sid, "administrator", [m1, m2]);
    const devs = await group("Regrant devs", sid, "developer", [m3]);
    await group("Unrelated devs", other, "developer", [m1]);
    expect((await api("DELETE", `/Accounts/${sid}`)).status).toBe(200);

    // Before reopening, the console can list them (the Groups read, narrowed to the account).
    const listed = conforms(GroupPage, await api("GET", `/Groups?Account=${sid}`));
    expect(listed.groups.map((g) => [g.sid, g.binding?.account_role, g.member_count])).toEqual([[admins, "administrator", 2], [devs, "developer", 1]]);

    const reopened = conforms(AccountReopened, await api("POST", `/Accounts/${sid}/Reopen`, {}));
    expect(reopened.groups_granting_again.map((g) => [g.sid, g.display_name, g.binding?.account_role, g.member_count]))
      .toEqual([[admins, "Regrant admins", "administrator", 2], [devs, "Regrant devs", "developer", 1]]);
    const [event] = await events("account.reopen");
    expect(event!.after).toMatchObject({ status: "active", groupsGrantingAgain: [admins, devs] });
    // Reopening an open account changes nothing and lets nobody back in.
    expect(conforms(AccountReopened, await api("POST", `/Accounts/${sid}/Reopen`, {})).groups_granting_again).toEqual([]);
    // A closed account without bound groups: an empty list; another organization's account: none of ours.
    const bare = await closed(owner);
    expect(conforms(AccountReopened, await api("POST", `/Accounts/${bare}/Reopen`, {})).groups_granting_again).toEqual([]);
    const elsewhere = await s.newOrg({ domainEnforcement: false });
    expect(conforms(GroupPage, await v1("GET", `${s.url}/v1/Groups?Account=${sid}`, elsewhere.token)).groups).toEqual([]);
  });

  it("refuses (403, still closed, one refused audit event) a Standard User who owns it, its Administrator through an identity provider's group, and an Administrator of another account", async () => {
    const { o, api, mk, tokenFor, status, events } = await setup();
    const stdOwner = await mk("std-owner");
    const viaGroup = await mk("via-group");
    const otherAdmin = await mk("other-admin");
    const a = conforms(AccountBody, await api("POST", "/Accounts", { friendly_name: "Held", owner_sid: stdOwner }));
    // A group the IdP binds survives closing: its member still counts as the account's Administrator.
    expect((await call("POST", `${s.scim}/Groups`, o.token, { schemas: [GROUP], displayName: "Held admins", [GROUP_EXT]: { accountSid: a.sid, accountRole: "administrator" }, members: [{ value: viaGroup }] })).status).toBe(201);
    expect((await api("DELETE", `/Accounts/${a.sid}`)).status).toBe(200);
    const elsewhere = conforms(AccountBody, await api("POST", "/Accounts", { friendly_name: "Theirs", owner_sid: otherAdmin }));
    expect((await api("POST", "/RoleAssignments", { account_sid: elsewhere.sid, user_sid: otherAdmin, role: "administrator" })).status).toBe(201);

    for (const who of [stdOwner, viaGroup, otherAdmin]) {
      const before = (await events("account.reopen")).length;
      const r = await api("POST", `/Accounts/${a.sid}/Reopen`, {}, await tokenFor(who));
      expect([r.status, conforms(ErrorBody, r).message]).toEqual([403, expect.stringMatching(/^Not allowed: a Standard User may not reopen a closed account.*Only an Owner or Administrator may/)]);
      expect(await status(a.sid)).toBe("closed");
      const after = await events("account.reopen");
      expect(after.length).toBe(before + 1);
      expect(after[0]).toMatchObject({ outcome: "refused" });
      expect(after[0]!.actor).toContain(who);
    }
    // The Standard User owner cannot slip a new owner in either.
    expect((await api("POST", `/Accounts/${a.sid}/Reopen`, { owner_sid: stdOwner }, await tokenFor(stdOwner))).status).toBe(403);
  });

  it("refuses a token with the scim scope only (an identity provider's) before anything", async () => {
    const { api, mk, tokenFor, closed, status } = await setup();
    const sid = await closed(await mk("owner"));
    const r = await api("POST", `/Accounts/${sid}/Reopen`, {}, await tokenFor(null, ["scim"]));
    expect(r.status).toBe(403);
    expect(conforms(ErrorBody, r).message).toMatch(/lacks the required scope/);
    expect(await status(sid)).toBe("closed");
  });

  it("answers another organization's Owner exactly as for an account that exists nowhere, and changes nothing", async () => {
    const { mk, closed, status } = await setup();
    const sid = await closed(await mk("owner"));
    const other = await s.newOrg();
    const nowhere = `AC${"0".repeat(32)}`;
    const theirs = await v1("POST", `${s.url}/v1/Accounts/${sid}/Reopen`, other.token, {});
    const none = await v1("POST", `${s.url}/v1/Accounts/${nowhere}/Reopen`, other.token, {});
    expect(theirs.status).toBe(404);
    expect([theirs.status, theirs.text.replace(sid, "<sid>")]).toEqual([none.status, none.text.replace(nowhere, "<sid>")]);
    expect(await status(sid)).toBe("closed");
  });

  it("asks for a new owner when the closed account's owner left, and reopens it with one (an active managed user only)", async () => {
    const { o, api, mk, closed, status, events } = await setup();
    const leaver = await mk("leaver");
    const heir = await mk("heir");
    const sid = await closed(leaver);
    // Removing a user hands over open accounts only: the closed one keeps its owner.
    expect((await api("POST", `/Users/${leaver}/Remove`, { acknowledge: true })).status).toBe(200);
    const refused = conforms(ErrorBody, await api("POST", `/Accounts/${sid}/Reopen`, {}));
    expect(refused).toMatchObject({ status: 400, code: 6502 });
    expect(refused.message).toMatch(/cannot own an account: no such user in this organization.*reopen it with a new owner: owner_sid/);
    expect(await status(sid)).toBe("closed");
    // A suspended user cannot take it either.
    const suspended = await mk("suspended");
    expect((await call("PATCH", `${s.scim}/Users/${suspended}`, o.token, { schemas: [PATCH], Operations: [{ op: "replace", path: "active", value: false }] })).status).toBe(204);
    for (const [candidate, why] of [[suspended, /suspended/], [`US${"0".repeat(32)}`, /no such user/]] as const) {
      const bad = conforms(ErrorBody, await api("POST", `/Accounts/${sid}/Reopen`, { owner_sid: candidate }));
      expect([bad.code, bad.message]).toEqual([6502, expect.stringMatching(why)]);
      expect(await status(sid)).toBe("closed");
    }
    const reopened = conforms(AccountBody, await api("POST", `/Accounts/${sid}/Reopen`, { owner_sid: heir }));
    expect(reopened).toMatchObject({ status: "active", owner_sid: heir });
    expect((await events("account.reopen"))[0]).toMatchObject({ outcome: "success", before: { ownerId: leaver }, after: { ownerId: heir } });
  });

  it("changes nothing when the account is open (no event), and refuses a new owner there with the way to change it", async () => {
    const { api, mk, events } = await setup();
    const owner = await mk("owner");
    const a = conforms(AccountBody, await api("POST", "/Accounts", { friendly_name: "Open", owner_sid: owner }));
    const same = conforms(AccountBody, await api("POST", `/Accounts/${a.sid}/Reopen`, {}));
    expect(same).toEqual(a);
    expect((await events("account.reopen")).filter((e) => e.outcome === "success")).toEqual([]);
    const r = conforms(ErrorBody, await api("POST", `/Accounts/${a.sid}/Reopen`, { owner_sid: await mk("other") }));
    expect(r.status).toBe(400);
    expect(r.message).toContain(`POST /v1/Accounts/${a.sid}`);
    expect((await api("POST", `/Accounts/${a.sid}/Reopen`, { owner: "x" })).status).toBe(400);
  });
});
