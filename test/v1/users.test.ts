/** /v1/Users/:sid (the console's user page) and /v1/AuditEvents. */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { AccountBody } from "../../src/http/v1/accounts-routes";
import { AuditEventPage } from "../../src/http/v1/audit-routes";
import { EndMembershipResult, UserBody } from "../../src/http/v1/users-routes";
import { call, ORG_EXT, startTestServer, userBody, type TestServer } from "../helpers/server";
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
  return { ...o, mk, tokenFor };
}

describe("the General tab", () => {
  it("shows and updates name, org role and two-factor requirement", async () => {
    const o = await setup();
    const u = await o.mk("general");
    const before = conforms(UserBody, await v1("GET", `${s.url}/v1/Users/${u}`, o.token));
    expect(before).toMatchObject({ status: "managed", org_role: "standard", two_factor_required: false });
    const after = conforms(UserBody, await v1("POST", `${s.url}/v1/Users/${u}`, o.token, { given_name: "Grace", family_name: "Hopper", org_role: "administrator", two_factor_required: true }));
    expect(after).toMatchObject({ given_name: "Grace", family_name: "Hopper", org_role: "administrator", two_factor_required: true });
    const scim = await call("GET", `${s.scim}/Users/${u}`, o.token);
    expect(scim.body[ORG_EXT]).toMatchObject({ orgRole: "administrator", twoFactorRequired: true });
  });

  it("transfers ownership: the new Owner is Owner, the previous one Administrator", async () => {
    const o = await setup();
    const first = await o.mk("first");
    const second = await o.mk("second");
    conforms(UserBody, await v1("POST", `${s.url}/v1/Users/${first}`, o.token, { org_role: "owner" }));
    const ownerToken = await o.tokenFor(first);
    const r = await v1("POST", `${s.url}/v1/Users/${second}`, ownerToken, { org_role: "owner" });
    expect(conforms(UserBody, r).org_role).toBe("owner");
    expect(conforms(UserBody, await v1("GET", `${s.url}/v1/Users/${first}`, o.token)).org_role).toBe("administrator");
  });

  it("lets only the Owner transfer ownership, not an Administrator acting for themselves", async () => {
    const o = await setup();
    const admin = await o.mk("admin");
    await v1("POST", `${s.url}/v1/Users/${admin}`, o.token, { org_role: "administrator" });
    const r = await v1("POST", `${s.url}/v1/Users/${admin}`, await o.tokenFor(admin), { org_role: "owner" });
    expect(r.status).toBe(403);
  });

  it("refuses a Standard User's token", async () => {
    const o = await setup();
    const std = await o.mk("std");
    expect((await v1("POST", `${s.url}/v1/Users/${std}`, await o.tokenFor(std), { given_name: "X" })).status).toBe(403);
  });
});

describe("Remove user and Delete user", () => {
  it("requires the acknowledgement", async () => {
    const o = await setup();
    const u = await o.mk("ack");
    const r = await v1("POST", `${s.url}/v1/Users/${u}/Remove`, o.token, {});
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/acknowledge/);
  });

  it("removes a user and gives their accounts to the chosen new owner", async () => {
    const o = await setup();
    const leaver = await o.mk("leaver");
    const heir = await o.mk("heir");
    const a = conforms(AccountBody, await v1("POST", `${s.url}/v1/Accounts`, o.token, { friendly_name: "Leaver's", owner_sid: leaver }));
    const r = conforms(EndMembershipResult, await v1("POST", `${s.url}/v1/Users/${leaver}/Remove`, o.token, { acknowledge: true, new_owner_sid: heir }));
    expect(r).toEqual({ sid: leaver, action: "removed", accounts_handed_over: [{ account_sid: a.sid, new_owner_sid: heir }] });
    expect((await call("GET", `${s.scim}/Users/${leaver}`, o.token)).status).toBe(404);
    expect(conforms(AccountBody, await v1("GET", `${s.url}/v1/Accounts/${a.sid}`, o.token)).owner_sid).toBe(heir);
  });

  it("deletes a user irreversibly, keeping only their id in the audit trail", async () => {
    const o = await setup();
    const gone = await o.mk("erased");
    const r = conforms(EndMembershipResult, await v1("POST", `${s.url}/v1/Users/${gone}/Delete`, o.token, { acknowledge: true }));
    expect(r.action).toBe("deleted");
    const events = conforms(AuditEventPage, await v1("GET", `${s.url}/v1/AuditEvents?Action=user.delete`, o.token)).audit_events;
    expect(events[0]).toMatchObject({ target_sid: gone, before: { id: gone } });
  });

  it("refuses a new owner who is not an active managed user, and changes nothing", async () => {
    const o = await setup();
    const leaver = await o.mk("leaver2");
    const a = conforms(AccountBody, await v1("POST", `${s.url}/v1/Accounts`, o.token, { friendly_name: "Kept", owner_sid: leaver }));
    const r = await v1("POST", `${s.url}/v1/Users/${leaver}/Remove`, o.token, { acknowledge: true, new_owner_sid: `US${"9".repeat(32)}` });
    expect(r.status).toBe(400);
    expect((await call("GET", `${s.scim}/Users/${leaver}`, o.token)).status).toBe(200);
    expect(conforms(AccountBody, await v1("GET", `${s.url}/v1/Accounts/${a.sid}`, o.token)).owner_sid).toBe(leaver);
  });

  it("never removes the Owner", async () => {
    const o = await setup();
    const owner = await o.mk("owner");
    await v1("POST", `${s.url}/v1/Users/${owner}`, o.token, { org_role: "owner" });
    expect((await v1("POST", `${s.url}/v1/Users/${owner}/Remove`, o.token, { acknowledge: true })).status).toBe(409);
  });
});

describe("/v1/AuditEvents", () => {
  it("records every change made through SCIM and the admin API, with actor, and pages", async () => {
    const o = await setup();
    const u = await o.mk("audited");
    await v1("POST", `${s.url}/v1/Users/${u}`, o.token, { given_name: "A" });
    const page1 = conforms(AuditEventPage, await v1("GET", `${s.url}/v1/AuditEvents?PageSize=2`, o.token));
    expect(page1.audit_events.map((e) => e.action)).toEqual(["user.update", "user.create"]);
    expect(page1.audit_events[0]!.actor).toMatch(/^TK/);
    const page2 = conforms(AuditEventPage, await v1("GET", page1.meta.next_page_url!, o.token));
    expect([page1.meta.page, page2.meta.page, page2.meta.previous_page_url]).toEqual([0, 1, page1.meta.first_page_url]);
    expect(page2.audit_events.map((e) => e.action)).toContain("organization.create");
  });

  it("filters refusals", async () => {
    const o = await setup();
    const std = await o.mk("std");
    await v1("POST", `${s.url}/v1/Organization`, await o.tokenFor(std), { domain_enforcement: true });
    const refused = conforms(AuditEventPage, await v1("GET", `${s.url}/v1/AuditEvents?Outcome=refused`, o.token));
    expect(refused.audit_events).toHaveLength(1);
    expect(refused.audit_events[0]!.reason).toMatch(/Owner or Administrator/);
  });
});
