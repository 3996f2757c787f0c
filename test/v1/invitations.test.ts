/**
 * Invitations, the outbox and password resets end to end: a real server (SQLite), a real SMTP
 * server on loopback that receives what the outbox worker sends (the token is read out of the
 * received mail), and a clock the tests can move to expire tokens and reach retry times.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/config";
import type { Clock } from "../../src/domain/clock";
import { hashInvitationToken } from "../../src/domain/invitations";
import { newId } from "../../src/domain/ids";
import { drainOutbox } from "../../src/domain/outbox";
import { createOrganization } from "../../src/domain/orgs";
import { issueToken } from "../../src/domain/tokens";
import type { Store } from "../../src/domain/ports/store";
import type { Invitation, OrgSettings, OutboxMessage } from "../../src/domain/types";
import { AccountBody, AccountUserList } from "../../src/http/v1/accounts-routes";
import {
  AcceptResult, AccountInvitationResult, InvitationBody, InvitationPage, MemberPage, PasswordResetResult, RevokeResult,
} from "../../src/http/v1/invitations-routes";
import { ErrorBody } from "../../src/http/v1/openapi";
import { createSmtpMailer } from "../../src/infra/mailer";
import { startServer, type RunningServer } from "../../src/server";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { anOrg, aUser } from "../helpers/fixtures";
import { call, ORG_EXT, startTestServer, userBody, type TestServer } from "../helpers/server";
import { settledOutbox } from "../helpers/outbox";
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from "../helpers/smtp-server";
import { conforms, v1 } from "../helpers/v1";
import { mingoStore } from "../store/mingo-store";

/** A clock the tests move forward (and back) by `offsetMs`. */
const clock: Clock & { offsetMs: number } = { offsetMs: 0, now() { return new Date(Date.now() + this.offsetMs); } };

let smtp: TestSmtpServer;
let running: RunningServer;
let dir: string;
let url: string;
let scim: string;

beforeAll(async () => {
  smtp = await startSmtpServer();
  dir = mkdtempSync(join(tmpdir(), "orgscim-invitations-"));
  running = await startServer(loadConfig({
    PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", WRITES_SHED_LAG_MS: "0", DATABASE_URL: `sqlite:${join(dir, "test.db")}`,
    SMTP_URL: smtp.url, MAIL_FROM: "orgscim <no-reply@orgscim.test>", OUTBOX_INTERVAL_MS: "50", INVITATION_TTL_HOURS: "24",
    PUBLIC_URL: "https://orgscim.example.com", INVITATION_ACCEPT_PER_MINUTE: "0", // the budget: ./accept-budget.test.ts
  }), { clock });
  url = running.url;
  scim = `${url}/scim/v2`;
});
afterAll(async () => {
  await running.stop();
  await smtp.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  clock.offsetMs = 0;
});

const TOKEN = /oiv_[A-Za-z0-9_-]{43}/;
const tokenIn = (m: ReceivedMail): string => {
  const t = TOKEN.exec(m.text)?.[0];
  if (!t) throw new Error(`no token in the mail:\n${m.text}`);
  return t;
};
const unique = (name: string) => `${name}-${Math.random().toString(36).slice(2, 8)}`;
const mailTo = (address: string, subject?: RegExp) => smtp.waitFor((m) => m.to.includes(address) && (!subject || subject.test(m.subject)));
const accept = (token: string) => v1("POST", `${url}/v1/Invitations/Accept`, null, { token });

async function org(settings: Partial<OrgSettings> = {}, domains: string[] = []) {
  const o = await createOrganization(running.store, clock, { name: unique("Org"), settings });
  const token = (await issueToken(running.store, clock, { orgId: o.id, name: "admin", scopes: ["scim", "admin"] })).plaintext;
  for (const name of domains) {
    await running.store.domains.insert({
      id: newId("DM"), orgId: o.id, name, state: "verified", challenge: "orgscim-domain-verification=test", created: clock.now().toISOString(), verifiedAt: clock.now().toISOString(),
    });
  }
  const managed = async (email: string) => {
    const r = await call("POST", `${scim}/Users`, token, userBody(email));
    expect(r.status).toBe(201);
    return r.body.id as string;
  };
  const account = async (owner: string) => conforms(AccountBody, await v1("POST", `${url}/v1/Accounts`, token, { friendly_name: unique("Acct"), owner_sid: owner }));
  const tokenFor = async (userId: string) => (await issueToken(running.store, clock, { orgId: o.id, name: "u", scopes: ["admin"], userId })).plaintext;
  const accountRoles = async (accountSid: string, userSid: string) =>
    conforms(AccountUserList, await v1("GET", `${url}/v1/Accounts/${accountSid}/Users`, token)).users.find((u) => u.user_sid === userSid);
  const members = async (status: string) => conforms(MemberPage, await v1("GET", `${url}/v1/Users?Status=${status}&PageSize=100`, token)).users;
  return { org: o, token, managed, account, tokenFor, accountRoles, members };
}

describe("invitations to the organization", () => {
  it("end to end: invite → the mail arrives over SMTP → accept → a managed user with the org role", async () => {
    const o = await org({ domainEnforcement: true }, ["acme-e2e.test"]);
    const email = `${unique("jane")}@acme-e2e.test`;
    const r = await v1("POST", `${url}/v1/Invitations`, o.token, { email, org_role: "administrator" });
    expect(r.status).toBe(201);
    const inv = conforms(InvitationBody, r);
    expect(inv).toMatchObject({ email, kind: "organization", status: "pending", org_role: "administrator", new_user: true, account_sid: null });

    // A pending member: visible over SCIM with status pending, listed under Status=pending.
    const pending = await call("GET", `${scim}/Users/${inv.user_sid}`, o.token);
    expect(pending.status).toBe(200);
    expect(pending.body[ORG_EXT].status).toBe("pending");
    expect((await o.members("pending")).map((u) => u.sid)).toContain(inv.user_sid);
    expect((await o.members("managed")).map((u) => u.sid)).not.toContain(inv.user_sid);
    const listed = conforms(InvitationPage, await v1("GET", `${url}/v1/Invitations?Status=pending`, o.token));
    expect(listed.invitations.map((i) => i.sid)).toEqual([inv.sid]);

    const mail = await mailTo(email);
    expect(mail.from).toBe("no-reply@orgscim.test");
    expect(mail.subject).toMatch(/invited to join/);
    expect(mail.text).toMatch(/^https:\/\/orgscim\.example\.com\/admin\/accept#token=oiv_[A-Za-z0-9_-]{43}$/m); // the accept page; the token after the #
    expect(mail.text).toContain(`If you have no user for ${email} yet, one is created when you accept`);
    const token = tokenIn(mail);

    // At rest: the invitation keeps only the token's SHA-256; the sent mail's body is purged.
    const stored = await running.store.invitations.get(o.org.id, inv.sid);
    expect(stored?.tokenHash).toBe(hashInvitationToken(token));
    expect(JSON.stringify(stored)).not.toContain(token);
    const [row] = await settledOutbox(running.store, inv.sid);
    expect(row).toMatchObject({ status: "sent", text: null, attempts: 1, lastError: null, kind: "invitation" });

    const a = await accept(token);
    expect(a.status).toBe(200);
    expect(conforms(AcceptResult, a)).toMatchObject({ invitation_sid: inv.sid, kind: "organization", organization_sid: o.org.id, user_sid: inv.user_sid, status: "managed", org_role: "administrator" });

    const managed = await call("GET", `${scim}/Users/${inv.user_sid}`, o.token);
    expect(managed.body[ORG_EXT]).toMatchObject({ status: "managed", orgRole: "administrator" });
    expect(managed.body.groups.map((g: { display: string }) => g.display)).toContain("Administrator");
    expect((await o.members("managed")).find((u) => u.sid === inv.user_sid)).toMatchObject({ status: "managed", org_role: "administrator", email });
    expect(conforms(InvitationBody, await v1("GET", `${url}/v1/Invitations/${inv.sid}`, o.token)).status).toBe("accepted");

    // Single use; a welcome mail follows; each change left one audit event.
    const again = await accept(token);
    expect(again.status).toBe(400);
    expect(conforms(ErrorBody, again).code).toBe(6607);
    expect((await mailTo(email, /Welcome/)).text).toContain("You are now a member");
    const audit = await running.store.audit.list(o.org.id, { limit: 50 });
    expect(audit.filter((e) => e.action === "invitation.create")).toHaveLength(1);
    expect(audit.filter((e) => e.action === "invitation.accept")).toHaveLength(1);
    expect(audit.find((e) => e.action === "invitation.accept")?.actor).toBe(`invitation:${inv.sid}/${inv.user_sid}`);
  });

  it("invites a user another organization manages as anyone else, and accepting waits until that organization removes them (docs/tenancy.md)", async () => {
    const a = await org({ domainEnforcement: false });
    const b = await org({ domainEnforcement: false });
    const email = `${unique("henry")}@shared.test`;
    const inA = await a.managed(email);
    const inv = conforms(InvitationBody, await v1("POST", `${url}/v1/Invitations`, b.token, { email, org_role: "standard" }));
    expect(inv).toMatchObject({ status: "pending", new_user: true });
    const mail = await mailTo(email);
    expect(mail.text).toContain("if you have one, you keep it");
    expect(conforms(ErrorBody, await accept(tokenIn(mail))).code).toBe(6613);
    expect((await call("DELETE", `${scim}/Users/${inA}`, a.token)).status).toBe(204);
    expect(conforms(AcceptResult, await accept(tokenIn(mail)))).toMatchObject({ status: "managed", org_role: "standard" });
    expect((await call("GET", `${scim}/Users/${inv.user_sid}`, b.token)).body[ORG_EXT].status).toBe("managed");
  });

  it("refuses an unverified domain under domain enforcement for the organization, not for an account", async () => {
    const o = await org({ domainEnforcement: true }, ["acme-dom.test"]);
    const r = await v1("POST", `${url}/v1/Invitations`, o.token, { email: "someone@unverified.test", org_role: "standard" });
    expect(r.status).toBe(400);
    expect(conforms(ErrorBody, r).code).toBe(4006);
    const acct = await o.account(await o.managed(`${unique("owner")}@acme-dom.test`));
    const ok = await v1("POST", `${url}/v1/Accounts/${acct.sid}/Invitations`, o.token, { email: "someone@unverified.test", roles: ["support"] });
    expect(ok.status).toBe(201);
    expect(conforms(AccountInvitationResult, ok).outcome).toBe("invited");
  });

  it("refuses to invite a managed user again, and a second live invitation", async () => {
    const o = await org({ domainEnforcement: false });
    const email = `${unique("dup")}@acme.test`;
    await o.managed(email);
    const r = await v1("POST", `${url}/v1/Invitations`, o.token, { email, org_role: "standard" });
    expect(r.status).toBe(409);
    expect(conforms(ErrorBody, r).code).toBe(6603);
    const other = `${unique("twice")}@acme.test`;
    const first = conforms(InvitationBody, await v1("POST", `${url}/v1/Invitations`, o.token, { email: other, org_role: "standard" }));
    const second = await v1("POST", `${url}/v1/Invitations`, o.token, { email: other.toUpperCase(), org_role: "standard" });
    expect(second.status).toBe(409);
    expect(conforms(ErrorBody, second).message).toContain(first.sid);
    expect((await v1("POST", `${url}/v1/Invitations`, o.token, { email: "not-an-email", org_role: "standard" })).status).toBe(400);
    expect((await v1("POST", `${url}/v1/Invitations`, o.token, { email: other, org_role: "owner" })).status).toBe(400);
  });
});

describe("invitations to an account", () => {
  it("makes an external email an independent member; accepting grants the roles on the account", async () => {
    const o = await org({ domainEnforcement: true }, ["acme-acct.test"]);
    const acct = await o.account(await o.managed(`${unique("owner")}@acme-acct.test`));
    const email = `${unique("contractor")}@external.test`;
    const r = await v1("POST", `${url}/v1/Accounts/${acct.sid}/Invitations`, o.token, { email, roles: ["developer", "billing_manager"] });
    expect(r.status).toBe(201);
    const out = conforms(AccountInvitationResult, r);
    expect(out).toMatchObject({ outcome: "invited", account_sid: acct.sid, roles: ["billing_manager", "developer"] });
    expect(out.invitation).toMatchObject({ kind: "account", account_sid: acct.sid, org_role: null, status: "pending" });

    // Independent: listed by /v1, invisible over SCIM.
    expect((await o.members("independent")).find((u) => u.sid === out.user_sid)).toMatchObject({ status: "independent", org_role: null, email });
    expect((await call("GET", `${scim}/Users/${out.user_sid}`, o.token)).status).toBe(404);
    expect((await call("GET", `${scim}/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}`, o.token)).body.totalResults).toBe(0);
    expect(await o.accountRoles(acct.sid, out.user_sid)).toBeUndefined();

    const mail = await mailTo(email);
    expect(mail.subject).toContain(acct.friendly_name);
    expect(mail.text).toContain("Billing Manager, Developer");
    const a = conforms(AcceptResult, await accept(tokenIn(mail)));
    expect(a).toMatchObject({ kind: "account", status: "independent", org_role: null, account_sid: acct.sid, roles: ["billing_manager", "developer"] });
    expect(await o.accountRoles(acct.sid, out.user_sid)).toMatchObject({ status: "independent", roles: ["billing_manager", "developer"] });
    expect((await call("GET", `${scim}/Users/${out.user_sid}`, o.token)).status).toBe(404);
    expect((await mailTo(email, /Welcome/)).text).toContain(acct.friendly_name);
  });

  it("answers 409 (not 500) when an identity provider provisions an independent user's email", async () => {
    const o = await org({ domainEnforcement: false });
    const acct = await o.account(await o.managed(`${unique("owner")}@acme.test`));
    const email = `${unique("ext")}@ext.test`;
    const out = conforms(AccountInvitationResult, await v1("POST", `${url}/v1/Accounts/${acct.sid}/Invitations`, o.token, { email, roles: ["support"] }));
    const r = await call("POST", `${scim}/Users`, o.token, userBody(email));
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ scimType: "uniqueness" });
    expect(r.headers.get("x-orgscim-error-code")).toBe("6612");
    expect(r.body.detail).toContain(out.user_sid);
  });

  it("gives a managed member the roles at once, without an invitation or a mail; Administrator clears the others", async () => {
    const o = await org({ domainEnforcement: false });
    const acct = await o.account(await o.managed(`${unique("owner")}@acme.test`));
    const email = `${unique("member")}@acme.test`;
    const member = await o.managed(email);
    const r = await v1("POST", `${url}/v1/Accounts/${acct.sid}/Invitations`, o.token, { email, roles: ["developer"] });
    expect(r.status).toBe(200); // nothing was created at a new URL: no 201, no Location
    expect(conforms(AccountInvitationResult, r)).toEqual({ outcome: "granted", user_sid: member, account_sid: acct.sid, roles: ["developer"], invitation: null });
    expect((await o.accountRoles(acct.sid, member))?.roles).toEqual(["developer"]);
    const admin = conforms(AccountInvitationResult, await v1("POST", `${url}/v1/Accounts/${acct.sid}/Invitations`, o.token, { email, roles: ["administrator", "support"] }));
    expect(admin.roles).toEqual(["administrator"]);
    expect((await o.accountRoles(acct.sid, member))?.roles).toEqual(["administrator"]);
    // A lesser role beside Administrator is refused, as POST /v1/RoleAssignments refuses it.
    const lesser = await v1("POST", `${url}/v1/Accounts/${acct.sid}/Invitations`, o.token, { email, roles: ["support"] });
    expect(lesser.status).toBe(409);
    expect(conforms(ErrorBody, lesser).code).toBe(6504);
    expect(await running.store.invitations.listForUser(o.org.id, member)).toEqual([]);
    expect(await running.store.outbox.list({ orgId: o.org.id, limit: 10 })).toEqual([]);
  });

  it("lets an account's Administrator invite to that account only; a Standard User's token is refused (403, audited)", async () => {
    const o = await org({ domainEnforcement: false });
    const owner = await o.managed(`${unique("owner")}@acme.test`);
    const mine = await o.account(owner);
    const other = await o.account(owner);
    const std = await o.managed(`${unique("std")}@acme.test`);
    await v1("POST", `${url}/v1/RoleAssignments`, o.token, { account_sid: mine.sid, user_sid: std, role: "administrator" });
    const token = await o.tokenFor(std);

    const orgInvite = await v1("POST", `${url}/v1/Invitations`, token, { email: `${unique("x")}@acme.test`, org_role: "standard" });
    expect(orgInvite.status).toBe(403);
    expect((await v1("GET", `${url}/v1/Invitations`, token)).status).toBe(403);
    expect((await v1("GET", `${url}/v1/Users?Status=pending`, token)).status).toBe(403);
    expect((await v1("POST", `${url}/v1/Users/${owner}/PasswordReset`, token)).status).toBe(403);
    expect((await v1("POST", `${url}/v1/Accounts/${other.sid}/Invitations`, token, { email: `${unique("y")}@ext.test`, roles: ["support"] })).status).toBe(403);
    const ok = await v1("POST", `${url}/v1/Accounts/${mine.sid}/Invitations`, token, { email: `${unique("z")}@ext.test`, roles: ["support"] });
    expect(ok.status).toBe(201);
    const inv = conforms(AccountInvitationResult, ok).invitation!;
    expect((await v1("POST", `${url}/v1/Invitations/${inv.sid}/Resend`, token)).status).toBe(200);

    const refusals = (await running.store.audit.list(o.org.id, { limit: 100 })).filter((e) => e.outcome === "refused");
    expect(refusals.map((e) => e.action).sort()).toEqual(["invitation.create", "invitation.create", "invitation.list", "user.list", "user.password_reset"]);
  });
});

describe("resend, revoke, expiry", () => {
  it("resend sends a new token and invalidates the old one", async () => {
    const o = await org({ domainEnforcement: false });
    const email = `${unique("resend")}@acme.test`;
    const inv = conforms(InvitationBody, await v1("POST", `${url}/v1/Invitations`, o.token, { email, org_role: "standard" }));
    const first = tokenIn(await mailTo(email));
    const r = await v1("POST", `${url}/v1/Invitations/${inv.sid}/Resend`, o.token);
    expect(r.status).toBe(200);
    expect(conforms(InvitationBody, r).status).toBe("pending");
    const second = await smtp.waitFor((m) => m.to.includes(email) && tokenIn(m) !== first);
    const old = await accept(first);
    expect(old.status).toBe(400);
    expect(conforms(ErrorBody, old).code).toBe(6605);
    expect((await accept(tokenIn(second))).status).toBe(200);
    expect((await v1("POST", `${url}/v1/Invitations/${inv.sid}/Resend`, o.token)).status).toBe(409);
  });

  it("revoke removes a user created only for the invitation, and the token stops working", async () => {
    const o = await org({ domainEnforcement: false });
    const email = `${unique("revoke")}@acme.test`;
    const inv = conforms(InvitationBody, await v1("POST", `${url}/v1/Invitations`, o.token, { email, org_role: "standard" }));
    const token = tokenIn(await mailTo(email));
    const r = await v1("DELETE", `${url}/v1/Invitations/${inv.sid}`, o.token);
    expect(r.status).toBe(200);
    expect(conforms(RevokeResult, r)).toMatchObject({ member: "removed", invitation: { status: "revoked" } });
    expect((await call("GET", `${scim}/Users/${inv.user_sid}`, o.token)).status).toBe(404);
    const refused = await accept(token);
    expect(refused.status).toBe(400);
    expect(conforms(ErrorBody, refused).code).toBe(6608);
    expect(conforms(RevokeResult, await v1("DELETE", `${url}/v1/Invitations/${inv.sid}`, o.token)).member).toBe("kept");
    expect((await v1("POST", `${url}/v1/Invitations/${inv.sid}/Resend`, o.token)).status).toBe(409);
    // The email can be invited again.
    expect((await v1("POST", `${url}/v1/Invitations`, o.token, { email, org_role: "standard" })).status).toBe(201);
  });

  it("an independent member invited to the organization and revoked is independent again, keeping its account roles", async () => {
    const o = await org({ domainEnforcement: false });
    const acct = await o.account(await o.managed(`${unique("owner")}@acme.test`));
    const email = `${unique("indep")}@ext.test`;
    const viaAccount = conforms(AccountInvitationResult, await v1("POST", `${url}/v1/Accounts/${acct.sid}/Invitations`, o.token, { email, roles: ["support"] }));
    await accept(tokenIn(await mailTo(email)));
    const inv = conforms(InvitationBody, await v1("POST", `${url}/v1/Invitations`, o.token, { email, org_role: "standard" }));
    expect(inv).toMatchObject({ user_sid: viaAccount.user_sid, new_user: false });
    expect((await o.members("pending")).map((u) => u.sid)).toContain(viaAccount.user_sid);
    expect(conforms(RevokeResult, await v1("DELETE", `${url}/v1/Invitations/${inv.sid}`, o.token)).member).toBe("independent");
    expect((await o.members("independent")).map((u) => u.sid)).toContain(viaAccount.user_sid);
    expect((await o.accountRoles(acct.sid, viaAccount.user_sid))?.roles).toEqual(["support"]);
  });

  it("an expired token is refused with a clear message; Resend makes a working one", async () => {
    const o = await org({ domainEnforcement: false });
    const email = `${unique("late")}@acme.test`;
    const inv = conforms(InvitationBody, await v1("POST", `${url}/v1/Invitations`, o.token, { email, org_role: "standard" }));
    expect(Date.parse(inv.date_expires) - Date.parse(inv.date_created)).toBe(24 * 3600_000);
    const token = tokenIn(await mailTo(email));
    clock.offsetMs = 25 * 3600_000;
    const r = await accept(token);
    expect(r.status).toBe(400);
    expect(conforms(ErrorBody, r)).toMatchObject({ code: 6606 });
    expect(r.body.message).toContain("expired");
    expect(conforms(InvitationBody, await v1("GET", `${url}/v1/Invitations/${inv.sid}`, o.token)).status).toBe("expired");
    expect(conforms(InvitationPage, await v1("GET", `${url}/v1/Invitations?Status=expired`, o.token)).invitations.map((i) => i.sid)).toEqual([inv.sid]);
    expect(conforms(InvitationPage, await v1("GET", `${url}/v1/Invitations?Status=pending`, o.token)).invitations).toEqual([]);
    expect((await v1("POST", `${url}/v1/Invitations/${inv.sid}/Resend`, o.token)).status).toBe(200);
    const fresh = await smtp.waitFor((m) => m.to.includes(email) && tokenIn(m) !== token);
    expect((await accept(tokenIn(fresh))).status).toBe(200);
  });

  it("accepting needs no bearer token and refuses an unknown one", async () => {
    const r = await accept(`oiv_${"A".repeat(43)}`);
    expect(r.status).toBe(400);
    expect(conforms(ErrorBody, r).code).toBe(6605);
    expect((await v1("POST", `${url}/v1/Invitations/Accept`, null, { token: "x", extra: 1 })).status).toBe(400);
    // Everything else under /v1 still needs a token.
    expect((await v1("GET", `${url}/v1/Invitations`, null)).status).toBe(401);
    const doc = (await v1("GET", `${url}/v1/openapi.json`, null)).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/Invitations", "/Invitations/Accept", "/Invitations/{sid}/Resend", "/Accounts/{sid}/Invitations", "/Users", "/Users/{sid}/PasswordReset"]));
  });
});

describe("users by status, password reset, outbox delivery", () => {
  it("lists users by status with paging", async () => {
    const o = await org({ domainEnforcement: false });
    for (let i = 0; i < 3; i++) await o.managed(`${unique("m")}@acme.test`);
    await v1("POST", `${url}/v1/Invitations`, o.token, { email: `${unique("p")}@acme.test`, org_role: "standard" });
    const p1 = conforms(MemberPage, await v1("GET", `${url}/v1/Users?Status=managed&PageSize=2`, o.token));
    expect(p1.users).toHaveLength(2);
    expect(p1.meta.next_page_url).toMatch(/^https:\/\/orgscim\.example\.com\/v1\/Users\?/); // PUBLIC_URL names the links (./links.test.ts)
    const p2 = conforms(MemberPage, await v1("GET", p1.meta.next_page_url!.replace("https://orgscim.example.com", url), o.token));
    expect(p2.users).toHaveLength(1);
    expect(p2.meta.next_page_url).toBeNull();
    expect(conforms(MemberPage, await v1("GET", `${url}/v1/Users`, o.token)).users).toHaveLength(4);
    expect((await v1("GET", `${url}/v1/Users?Status=gone`, o.token)).status).toBe(400);
  });

  it("password reset sets passwordResetRequired (audited) and mails the user", async () => {
    const o = await org({ domainEnforcement: false });
    const email = `${unique("reset")}@acme.test`;
    const id = await o.managed(email);
    const before = await call("GET", `${scim}/Users/${id}`, o.token);
    const r = await v1("POST", `${url}/v1/Users/${id}/PasswordReset`, o.token);
    expect(r.status).toBe(200);
    expect(conforms(PasswordResetResult, r)).toMatchObject({ user_sid: id, password_reset_required: true });
    const after = await call("GET", `${scim}/Users/${id}`, o.token);
    expect(after.body[ORG_EXT].passwordResetRequired).toBe(true);
    expect(after.body.meta.version).not.toBe(before.body.meta.version);
    expect((await mailTo(email, /new password/)).text).toContain("choose a new password");
    expect((await running.store.audit.list(o.org.id, { limit: 10, action: "user.password_reset" }))).toHaveLength(1);

    const pending = conforms(InvitationBody, await v1("POST", `${url}/v1/Invitations`, o.token, { email: `${unique("p")}@acme.test`, org_role: "standard" }));
    const refused = await v1("POST", `${url}/v1/Users/${pending.user_sid}/PasswordReset`, o.token);
    expect(refused.status).toBe(409);
    expect(conforms(ErrorBody, refused).code).toBe(6610);
    expect((await v1("POST", `${url}/v1/Users/US${"0".repeat(32)}/PasswordReset`, o.token)).status).toBe(404);
  });

  it("retries a refused mail with backoff and records the error", async () => {
    const o = await org({ domainEnforcement: false });
    const email = `${unique("retry")}@acme.test`;
    smtp.failNext(1, email);
    const inv = conforms(InvitationBody, await v1("POST", `${url}/v1/Invitations`, o.token, { email, org_role: "standard" }));
    const deadline = Date.now() + 5000;
    let row = (await running.store.outbox.list({ ref: inv.sid, limit: 1 }))[0]!;
    while (row.lastError === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      row = (await running.store.outbox.list({ ref: inv.sid, limit: 1 }))[0]!;
    }
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row.lastError).toContain("451");
    expect(row.text).toMatch(TOKEN);
    expect(Date.parse(row.nextAttemptAt) - Date.now()).toBeGreaterThan(20_000);
    expect(smtp.refused).toContainEqual([email]);
    clock.offsetMs = 31_000; // past the first backoff (30 s)
    const mail = await mailTo(email);
    expect(tokenIn(mail)).toBeDefined();
    expect((await settledOutbox(running.store, inv.sid, 1))[0]).toMatchObject({ status: "sent", attempts: 2, text: null });
  });
});

describe("without SMTP_URL", () => {
  let plain: TestServer;
  beforeAll(async () => {
    plain = await startTestServer();
  });
  afterAll(() => plain.close());

  it("keeps the mail in the outbox; drainOutbox sends it when a mailer is given", async () => {
    const o = await plain.newOrg({ domainEnforcement: false });
    const email = `${unique("queued")}@acme.test`;
    const inv = conforms(InvitationBody, await v1("POST", `${plain.url}/v1/Invitations`, o.token, { email, org_role: "standard" }));
    await new Promise((r) => setTimeout(r, 200));
    const [row] = await plain.running.store.outbox.list({ ref: inv.sid, limit: 10 });
    expect(row).toMatchObject({ status: "pending", attempts: 0, to: email, kind: "invitation" });
    const token = TOKEN.exec(row!.text ?? "")?.[0];
    expect(token).toBeDefined();
    expect(smtp.messages.some((m) => m.to.includes(email))).toBe(false);

    const mailer = createSmtpMailer(smtp.url, "orgscim <ops@orgscim.test>");
    try {
      const report = await drainOutbox({ store: plain.running.store, clock: { now: () => new Date() }, mailer });
      expect(report).toEqual({ sent: 1, retrying: 0, failed: 0 });
    } finally {
      mailer.close();
    }
    expect(tokenIn(await mailTo(email))).toBe(token);
    expect((await plain.running.store.outbox.get(row!.orgId, row!.id))).toMatchObject({ status: "sent", text: null });
    expect((await v1("POST", `${plain.url}/v1/Invitations/Accept`, null, { token })).status).toBe(200);
  });
});

/**
 * The store methods invitations and the outbox use, on both stores: SQLite, and the MongoDB
 * repositories over the mingo double of test/store (not a mongod; contract.mongo.test.ts is).
 */
describe.each([
  ["sqlite", (): Store => openSqliteStore({ path: ":memory:" })],
  ["mongo store (mingo double)", (): Store => mingoStore()],
])("store methods for invitations and the outbox: %s", (_name, open) => {
  it("reads independent members only when asked, finds members by primary email, lists them by status", async () => {
    const s = open();
    const org = anOrg(); await s.orgs.insert(org);
    const u1 = aUser(org.id, { userName: "a@x.test" });
    const u2 = aUser(org.id, { userName: "B@x.test", status: "independent", orgRole: null });
    const u3 = aUser(org.id, { userName: "c@x.test", status: "pending" });
    for (const u of [u1, u2, u3]) await s.users.insert(u);
    expect(await s.users.get(org.id, u2.id)).toBeNull();
    expect(await s.users.get(org.id, u2.id, { includeIndependent: true })).toEqual(u2);
    expect((await s.users.findByPrimaryEmail(org.id, "b@X.test"))?.id).toBe(u2.id);
    expect(await s.users.findByPrimaryEmail(anOrg().id, "b@x.test")).toBeNull();
    expect((await s.users.listByStatus(org.id, { offset: 0, limit: 10 })).items.map((u) => u.id)).toEqual([u1.id, u2.id, u3.id]);
    expect(await s.users.listByStatus(org.id, { status: "independent", offset: 0, limit: 10 })).toEqual({ total: 1, items: [u2] });
    expect(await s.users.listByStatus(org.id, { offset: 1, limit: 1 })).toMatchObject({ total: 3, items: [{ id: u2.id }] });
    expect([...await s.groups.existingUserIds(org.id, [u1.id, u2.id])]).toEqual([u1.id]);
    expect([...await s.groups.existingUserIds(org.id, [u1.id, u2.id], { includeIndependent: true })].sort()).toEqual([u1.id, u2.id].sort());
  });

  it("finds invitations by token hash, updates them by compare-and-set, lists them by state", async () => {
    const s = open();
    const org = anOrg(); await s.orgs.insert(org);
    const user = aUser(org.id); await s.users.insert(user);
    const legacy: Invitation = {
      id: newId("IV"), orgId: org.id, userId: user.id, email: "c@x.test", tokenHash: "h0", expires: "2030-01-01T00:00:00.000Z",
      created: "2026-01-01T00:00:00.000Z", acceptedAt: null, revokedAt: null,
    };
    const inv: Invitation = {
      ...legacy, id: newId("IV"), tokenHash: "h1", created: "2026-01-02T00:00:00.000Z", kind: "account", orgRole: null, accountId: newId("AC"),
      accountRoles: ["developer"], createdMember: true, newLogin: false, priorStatus: null,
    };
    const old: Invitation = { ...legacy, id: newId("IV"), tokenHash: "h2", expires: "2020-01-01T00:00:00.000Z", created: "2026-01-03T00:00:00.000Z" };
    for (const i of [legacy, inv, old]) await s.invitations.insert(i);
    expect(await s.invitations.get(org.id, legacy.id)).toEqual(legacy);
    expect(await s.invitations.findByTokenHash("h1")).toEqual(inv);
    expect(await s.invitations.update({ ...inv, tokenHash: "h9" }, "hX")).toBe(false);
    expect(await s.invitations.update({ ...inv, tokenHash: "h9" }, "h1")).toBe(true);
    expect(await s.invitations.findByTokenHash("h1")).toBeNull();
    expect(await s.invitations.update({ ...inv, tokenHash: "h9", acceptedAt: "2026-02-01T00:00:00.000Z" }, "h9")).toBe(true);
    expect(await s.invitations.update({ ...inv, tokenHash: "h9", revokedAt: "2026-02-01T00:00:00.000Z" }, "h9")).toBe(false);
    const now = "2026-06-01T00:00:00.000Z";
    const ids = async (state?: "pending" | "accepted" | "revoked" | "expired") =>
      (await s.invitations.list(org.id, { ...(state ? { state } : {}), now, offset: 0, limit: 10 })).items.map((i) => i.id);
    expect(await ids()).toEqual([legacy.id, inv.id, old.id]);
    expect(await ids("pending")).toEqual([legacy.id]);
    expect(await ids("accepted")).toEqual([inv.id]);
    expect(await ids("expired")).toEqual([old.id]);
    expect(await ids("revoked")).toEqual([]);
    expect(await s.invitations.list(org.id, { now, offset: 1, limit: 1 })).toMatchObject({ total: 3, items: [{ id: inv.id }] });
  });

  it("keeps the outbox: due rows, claims by attempts, cancelling by ref", async () => {
    const s = open();
    const m: OutboxMessage = {
      id: `EM${"1".repeat(32)}`, orgId: anOrg().id, kind: "invitation", ref: "IVa", to: "b@x.test", subject: "S", text: "T", status: "pending",
      created: "2026-01-01T00:00:00.000Z", sentAt: null, attempts: 0, lastError: null, nextAttemptAt: "2026-01-01T00:00:00.000Z",
    };
    const later: OutboxMessage = { ...m, id: `EM${"2".repeat(32)}`, ref: "IVb", created: "2026-01-02T00:00:00.000Z", nextAttemptAt: "2027-01-01T00:00:00.000Z" };
    await s.outbox.insert(m); await s.outbox.insert(later);
    expect(await s.outbox.get(m.orgId, m.id)).toEqual(m);
    expect((await s.outbox.listDue("2026-06-01T00:00:00.000Z", 10)).map((x) => x.id)).toEqual([m.id]);
    expect(await s.outbox.update({ ...m, attempts: 1 }, 1)).toBe(false);
    expect(await s.outbox.update({ ...m, attempts: 1, lastError: "e" }, 0)).toBe(true);
    expect(await s.outbox.get(m.orgId, m.id)).toMatchObject({ attempts: 1, lastError: "e" });
    expect((await s.outbox.list({ limit: 10 })).map((x) => x.id)).toEqual([later.id, m.id]);
    expect((await s.outbox.list({ ref: "IVb", limit: 10 })).map((x) => x.id)).toEqual([later.id]);
    expect((await s.outbox.list({ orgId: m.orgId!, status: "pending", limit: 1 })).map((x) => x.id)).toEqual([later.id]);
    expect(await s.outbox.cancelPending(m.orgId!, "IVa")).toBe(1);
    expect(await s.outbox.get(m.orgId, m.id)).toMatchObject({ status: "cancelled", text: null });
    expect(await s.outbox.cancelPending(m.orgId!, "IVa")).toBe(0);
  });
});
