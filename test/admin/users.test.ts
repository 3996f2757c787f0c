/**
 * The Admin Center's Users section in Chromium: sign-in (token in memory only), invite → pending →
 * accept → managed, resend and revoke, the General and Accounts tabs, and the Remove user and
 * Delete user flows with the seed's acknowledgements and a new owner for the user's accounts.
 */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { call, userBody } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { adminEnv, describeBrowser, openSession, type Session } from "./browser";

jest.setTimeout(90_000);

const ACK = "I have reviewed and acknowledge the points above";
const REMOVE_BULLETS = [
  "This user will be removed from the Organization.",
  "This user will lose access to all managed accounts.",
  "The user will lose access to any role granted by the Organization.",
  "Access to managed accounts can still be granted in the future.",
  "The Organization will no longer be able to control the lifecycle or setting of the user.",
];
const DELETE_BULLETS = [
  "This action deletes the data associated with the users, but not the accounts the user owns or has access to.",
  "The user will lose all access immediately.",
  "All user data will be deleted immediately.",
  "This action can not be reversed.",
];

describeBrowser("Admin Center: users", () => {
  const env = adminEnv();
  let s: Session;
  afterEach(async () => {
    await s?.close();
  });

  const unique = (label: string) => `${label}-${Math.random().toString(36).slice(2, 8)}`;

  /** An organization with a verified domain, its admin token, and a user maker. */
  async function org() {
    const o = await env.server.newOrg();
    const domain = `${unique("corp")}.test`;
    await env.server.verifyDomain(o.org.id, domain);
    const mk = async (local: string, given = "Given", family = "Family") => {
      const r = await call("POST", `${env.server.scim}/Users`, o.token, userBody(`${local}@${domain}`, { name: { givenName: given, familyName: family } }));
      expect(r.status).toBe(201);
      return r.body.id as string;
    };
    const api = (method: string, path: string, body?: unknown) => v1(method, `${env.server.url}/v1${path}`, o.token, body);
    return { ...o, domain, mk, api };
  }

  /** The invitation token from the outbox (no SMTP server: the pending mail keeps its body). */
  async function invitationToken(orgId: string, email: string): Promise<string> {
    const mails = await env.server.running.store.outbox.list({ orgId, status: "pending", limit: 50 });
    const mail = mails.find((m) => m.kind === "invitation" && m.to === email);
    const token = /oiv_[A-Za-z0-9_-]+/.exec(mail?.text ?? "")?.[0];
    if (!token) throw new Error(`no pending invitation mail to ${email}`);
    return token;
  }

  it("signs in with a token kept in memory only: an unknown token is refused beside the field, a reload asks again", async () => {
    const o = await org();
    s = await openSession(env);
    const { page } = s;
    await page.goto(`${env.server.url}/admin`);
    expect(page.url()).toBe(`${env.server.url}/admin/`);
    await s.shot("signin");
    await page.getByLabel("API token").fill(`osk_${"0".repeat(32)}_${"x".repeat(40)}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    const err = page.locator("form.signin .error");
    await err.waitFor({ state: "visible" });
    expect(await err.textContent()).toMatch(/This token was not accepted: Missing, malformed, unknown or revoked bearer token/);
    expect(await page.getByLabel("API token").getAttribute("aria-describedby")).toContain(await err.getAttribute("id"));

    await page.getByLabel("API token").fill(o.token);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Users", level: 1 }).waitFor();
    expect(await page.locator("#org-name").textContent()).toBe("Test Org");
    expect(page.url()).not.toContain(o.token);
    expect(await page.evaluate("JSON.stringify([localStorage.length, sessionStorage.length, document.cookie])")).toBe('[0,0,""]');
    const cookies = await s.context.cookies();
    expect(cookies).toEqual([]);

    await page.reload();
    await page.getByLabel("API token").waitFor();
    expect(await page.getByRole("navigation", { name: "Admin Center" }).isVisible()).toBe(false);

    // Sign out forgets it too.
    await s.signIn(o.token);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("API token").waitFor();
  });

  it("invites a user (error beside the button first), lists them as pending, resends, and shows them managed once they accept", async () => {
    const o = await org();
    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.token);
    await s.shot("users-managed-empty");

    // Invite User panel: a domain the organization has not verified is refused, beside the button.
    await page.getByRole("button", { name: "Invite User", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Invite User to Organization" });
    await dialog.getByLabel("Email address").fill("someone@unverified.test");
    await dialog.getByLabel(/^Administrator/).check();
    await s.shot("invite-user-panel", "screen");
    await dialog.getByRole("button", { name: "Invite User" }).click();
    const err = dialog.locator(".error");
    await err.waitFor({ state: "visible" });
    expect(await err.textContent()).toContain("unverified.test");

    const email = `${unique("new")}@${o.domain}`;
    await dialog.getByLabel("Email address").fill(email);
    await dialog.getByRole("button", { name: "Invite User" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByText(`Invitation to ${email} queued in the outbox`).waitFor();

    // Pending tab: the row with its invitation.
    const row = page.locator("tr", { hasText: email });
    await row.waitFor();
    expect(await page.getByRole("tab", { name: "Pending users" }).getAttribute("aria-selected")).toBe("true");
    expect(await row.textContent()).toContain("Organization, Administrator");
    await s.shot("users-pending");

    // Resend: a new token; the first one stops working.
    const first = await invitationToken(o.org.id, email);
    await row.getByRole("button", { name: `Resend the invitation to ${email}` }).click();
    await page.getByText(`The invitation to ${email} was renewed: its new mail is queued in the outbox`).waitFor();
    const second = await invitationToken(o.org.id, email);
    expect(second).not.toBe(first);
    expect((await v1("POST", `${env.server.url}/v1/Invitations/Accept`, null, { token: first })).status).toBeGreaterThanOrEqual(400);

    // The invitee accepts (POST /v1/Invitations/Accept with the emailed token).
    const accepted = await v1("POST", `${env.server.url}/v1/Invitations/Accept`, null, { token: second });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ status: "managed", org_role: "administrator" });

    await page.getByRole("tab", { name: "Pending users" }).click();
    await page.getByText("No pending invitations.").waitFor();
    await page.getByRole("tab", { name: "Managed users" }).click();
    const managed = page.locator("tr", { hasText: email });
    await managed.waitFor();
    expect(await managed.textContent()).toContain("Administrator");
    await s.shot("users-managed");
  });

  it("revokes a pending invitation after confirmation; the user created for it disappears", async () => {
    const o = await org();
    const email = `${unique("revoke")}@${o.domain}`;
    expect((await o.api("POST", "/Invitations", { email, org_role: "standard" })).status).toBe(201);
    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.token);
    await s.go("#/users/pending");
    const row = page.locator("tr", { hasText: email });
    await row.getByRole("button", { name: `Revoke the invitation to ${email}` }).click();
    const dialog = page.getByRole("dialog", { name: `Revoke the invitation to ${email}` });
    await dialog.getByRole("button", { name: "Revoke invitation" }).click();
    await page.getByText(`The invitation to ${email} was revoked and its pending user removed.`).waitFor();
    await page.getByText("No pending invitations.").waitFor();
    const list = await o.api("GET", "/Users?Status=pending");
    expect(list.body.users).toEqual([]);
  });

  it("searches a tab by the start of a username or email on the server, and pages long lists and results with Next and Previous", async () => {
    const o = await org();
    for (let i = 0; i < 23; i++) await o.mk(`member${String(i).padStart(2, "0")}`);
    const special = await o.mk("zebra");
    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.token);
    const rows = page.locator("table tbody tr");
    await page.getByText("Page 1").waitFor();
    expect(await rows.count()).toBe(20);
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByText("Page 2").waitFor();
    expect(await rows.count()).toBe(4);
    expect(await page.getByRole("button", { name: "Next" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Previous" }).click();
    await page.getByText("Page 1").waitFor();
    expect(await rows.count()).toBe(20);

    // The search is the server's (GET /v1/Users?Search=), paged like the list: 23 of the 24 start with "member".
    await page.getByLabel("Search by username or email").fill("MEMBER");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByText("Managed users whose username or email starts with “MEMBER”.").waitFor();
    await page.getByText("Page 1").waitFor();
    expect(await rows.count()).toBe(20);
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByText("Page 2").waitFor();
    expect(await rows.count()).toBe(3);
    expect(await page.locator(`tr[data-user="${special}"]`).count()).toBe(0);

    await page.getByLabel("Search by username or email").fill("ZEBRA");
    await page.getByRole("button", { name: "Search" }).click();
    await page.locator(`tr[data-user="${special}"]`).waitFor();
    await page.getByText("Page 1").waitFor();
    expect(await rows.count()).toBe(1);
    await s.shot("users-search");
  });

  it("edits the General tab (name, org role, two-factor) and forces a password reset, as an Administrator", async () => {
    const o = await org();
    const u = await o.mk("grace", "Grace", "Brewster");
    const admin = await o.mk("admin", "Ada", "Min");
    expect((await o.api("POST", `/Users/${admin}`, { org_role: "administrator" })).status).toBe(200);
    const adminToken = (await issueToken(env.server.running.store, systemClock, { orgId: o.org.id, name: "ada", scopes: ["admin"], userId: admin })).plaintext;
    s = await openSession(env);
    const { page } = s;
    await s.signIn(adminToken);
    await s.go(`#/users/${u}`);
    await page.getByRole("heading", { name: "Grace Brewster", level: 1 }).waitFor();
    await page.getByLabel("Last name").fill("Hopper");
    await page.getByLabel("Organization role").selectOption("administrator");
    await page.getByLabel("Require two-factor authentication when signing in").check();
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Saved Grace Hopper's settings.").waitFor();
    await page.getByRole("heading", { name: "Grace Hopper", level: 1 }).waitFor();
    const after = (await o.api("GET", `/Users/${u}`)).body;
    expect(after).toMatchObject({ given_name: "Grace", family_name: "Hopper", org_role: "administrator", two_factor_required: true, password_reset_required: false });

    await page.getByRole("button", { name: "Force password reset" }).click();
    await page.getByText("Grace Hopper must choose a new password at the next sign-in").waitFor();
    expect((await o.api("GET", `/Users/${u}`)).body.password_reset_required).toBe(true);
    await s.shot("user-general");

    // An API refusal shows beside Save: only the Owner transfers ownership, not an Administrator.
    await page.getByLabel("Organization role").selectOption("owner");
    await page.getByRole("button", { name: "Save" }).click();
    const err = page.locator("form[aria-label='General settings'] .error");
    await err.waitFor({ state: "visible" });
    expect(await err.textContent()).toBe("Not allowed: an Administrator may not transfer the organization's ownership (target: an Administrator). Only an Owner may. "
      + "A token acting for no user counts as the Owner when the operator or the Owner made it (a new organization's bootstrap token appoints its first Owner); one an Administrator made does not.");
    expect(await page.getByRole("button", { name: "Save" }).getAttribute("aria-describedby")).toBe(await err.getAttribute("id"));
    expect((await o.api("GET", `/Users/${u}`)).body.org_role).toBe("administrator");
  });

  it("lists the user's accounts on the Accounts tab, filtered by role", async () => {
    const o = await org();
    const owner = await o.mk("owner");
    const u = await o.mk("dev", "Dev", "Eloper");
    const a = (await o.api("POST", "/Accounts", { friendly_name: "Alpha", owner_sid: owner })).body.sid;
    const b = (await o.api("POST", "/Accounts", { friendly_name: "Beta", owner_sid: owner })).body.sid;
    await o.api("POST", "/RoleAssignments", { account_sid: a, user_sid: u, role: "developer" });
    await o.api("POST", "/RoleAssignments", { account_sid: b, user_sid: u, role: "administrator" });
    const c = (await o.api("POST", "/Accounts", { friendly_name: "Gamma", owner_sid: owner })).body.sid;
    await o.api("POST", "/RoleAssignments", { account_sid: c, user_sid: u, role: "support" });
    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.token);
    await s.go(`#/users/${u}/accounts`);
    const rows = page.locator("[role=tabpanel] table tbody tr");
    await rows.nth(2).waitFor();
    expect((await rows.allTextContents()).sort()).toEqual(["AlphaDeveloper×activeRemove from account", "BetaAdministrator×activeRemove from account", "GammaSupport×activeRemove from account"]);
    await page.getByLabel("Account role").selectOption("administrator");
    await page.getByRole("button", { name: "Filter" }).click();
    await rows.nth(1).waitFor({ state: "detached" });
    expect(await rows.first().textContent()).toContain("Beta");
    // Administrator includes the other roles, so it counts for them too.
    await page.getByLabel("Account role").selectOption("support");
    await page.getByRole("button", { name: "Filter" }).click();
    // Beta is already on screen from the previous filter, so wait for the row that only the new answer has.
    await page.locator("[role=tabpanel] tr", { hasText: "Gamma" }).waitFor();
    expect((await rows.allTextContents()).sort()).toEqual(["BetaAdministrator×activeRemove from account", "GammaSupport×activeRemove from account"]);
    await s.shot("user-accounts");

    // The tabs work with the keyboard: ArrowLeft goes back to General.
    await page.getByRole("tab", { name: "Accounts" }).focus();
    await page.keyboard.press("ArrowLeft");
    await page.getByLabel("First name").waitFor();
    expect(await page.evaluate("document.activeElement.textContent")).toBe("General");
  });

  it("removes a user after the acknowledgement, handing their accounts to the chosen managed user", async () => {
    const o = await org();
    const leaving = await o.mk("leaving", "Lee", "Ving");
    const heir = await o.mk("heir", "Hugh", "Eir");
    const acc = (await o.api("POST", "/Accounts", { friendly_name: "Owned", owner_sid: leaving })).body.sid;
    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.token);
    await s.go(`#/users/${leaving}`);
    await page.getByRole("button", { name: "Remove user" }).click();
    const dialog = page.getByRole("dialog", { name: "Remove Lee Ving" });
    await dialog.locator("ul.bullets li").nth(REMOVE_BULLETS.length - 1).waitFor(); // the dialog opens once the user's accounts are read
    expect(await dialog.locator("ul.bullets li").allTextContents()).toEqual(REMOVE_BULLETS);
    expect(await dialog.getByText("Lee Ving owns 1 account: Owned.", { exact: false }).count()).toBe(1);
    const confirm = dialog.getByRole("button", { name: "Remove user" });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel(ACK).check();
    expect(await confirm.isEnabled()).toBe(true);
    // Without a new owner: told so beside the button, nothing changes.
    await confirm.click();
    await dialog.getByText("Choose the owner of the account(s).").waitFor();
    expect((await o.api("GET", `/Users/${leaving}`)).status).toBe(200);
    await dialog.locator(`option[value="${heir}"]`).waitFor({ state: "attached" }); // the owner picker searched the server
    const options = await dialog.getByLabel("Owner of the account(s)").locator("option").allTextContents();
    expect(options.some((t) => t.includes(`leaving@${o.domain}`))).toBe(false); // not the user being removed
    expect(options.some((t) => t.includes(`heir@${o.domain}`))).toBe(true);
    await dialog.getByLabel("Owner of the account(s)").selectOption(heir);
    await s.shot("user-remove-dialog", "screen");
    await confirm.click();
    await page.getByText("Lee Ving was removed. 1 account now belongs to Hugh Eir.").waitFor();
    expect((await o.api("GET", `/Users/${leaving}`)).status).toBe(404);
    expect((await o.api("GET", `/Accounts/${acc}`)).body.owner_sid).toBe(heir);
  });

  it("deletes a user after the acknowledgement, with the seed's bullets and a new owner", async () => {
    const o = await org();
    const gone = await o.mk("gone", "Del", "Eted");
    const heir = await o.mk("heir2", "Ann", "Heir");
    const acc = (await o.api("POST", "/Accounts", { friendly_name: "Kept", owner_sid: gone })).body.sid;
    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.token);
    await s.go(`#/users/${gone}`);
    await page.getByRole("button", { name: "Delete user" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete Del Eted" });
    await dialog.locator("ul.bullets li").nth(DELETE_BULLETS.length - 1).waitFor(); // the dialog opens once the user's accounts are read
    expect(await dialog.locator("ul.bullets li").allTextContents()).toEqual(DELETE_BULLETS);
    await dialog.getByLabel(ACK).check();
    await dialog.getByLabel("Owner of the account(s)").selectOption(heir);
    await s.shot("user-delete-dialog", "screen");
    await dialog.getByRole("button", { name: "Delete user" }).click();
    await page.getByText("Del Eted was deleted. 1 account now belongs to Ann Heir.").waitFor();
    expect((await o.api("GET", `/Users/${gone}`)).status).toBe(404);
    expect((await o.api("GET", `/Accounts/${acc}`)).body.owner_sid).toBe(heir);
    const audit = (await o.api("GET", `/AuditEvents?TargetSid=${gone}`)).body.audit_events.map((e: { action: string }) => e.action);
    expect(audit).toContain("user.delete");
  });

  it("lands a Standard User on their own page (no Users link), and shows the API's refusal of the lists if they go there", async () => {
    const o = await org();
    const std = await o.mk("std");
    const { plaintext } = await issueToken(env.server.running.store, systemClock, { orgId: o.org.id, name: "std", scopes: ["admin"], userId: std });
    s = await openSession(env);
    const { page } = s;
    await s.signIn(plaintext);
    await page.waitForURL(new RegExp(`#/users/${std}`));
    expect(await page.locator('nav#nav a[data-section="users"]').isVisible()).toBe(false);
    await s.go("#/users");
    const err = page.locator(".pager .error");
    await err.waitFor({ state: "visible" });
    expect(await err.textContent()).toMatch(/Owner or Administrator/);
  });
});
