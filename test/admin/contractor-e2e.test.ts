/**
 * Issue 19's whole flow, end to end, with nothing stubbed: an Administrator invites an external
 * contractor to an account in the Admin Center → the invitation mail arrives at a real SMTP
 * server on loopback → the contractor opens the mailed link (PUBLIC_URL/admin/accept#token=…) in
 * her own browser and accepts on the page → the Administrator sees her on the Independent tab,
 * opens her page and revokes her Developer role → the audit page shows each step with names next
 * to the sids and the attributes that changed.
 */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { startSmtpServer, type TestSmtpServer } from "../helpers/smtp-server";
import { call, userBody } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { adminEnv, describeBrowser, openSession, PUBLIC_URL, type Session } from "./browser";

jest.setTimeout(120_000);

let smtp: TestSmtpServer;
afterAll(async () => smtp?.close());

describeBrowser("Admin Center: a contractor from invitation to revoked role", () => {
  const env = adminEnv(async () => {
    smtp = await startSmtpServer();
    return { SMTP_URL: smtp.url, MAIL_FROM: "no-reply@orgscim.test", OUTBOX_INTERVAL_MS: "100" };
  }, { publicHost: true });
  const sessions: Session[] = [];
  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.close();
  });

  it("invites, mails, accepts on the page, shows her as independent, revokes Developer, and audits every step with names and diffs", async () => {
    const o = await env.server.newOrg();
    const domain = `corp-${Math.random().toString(36).slice(2, 8)}.test`;
    await env.server.verifyDomain(o.org.id, domain);
    const api = (method: string, path: string, body?: unknown) => v1(method, `${env.server.url}/v1${path}`, o.token, body);
    const ada = (await call("POST", `${env.server.scim}/Users`, o.token, userBody(`ada@${domain}`, { name: { givenName: "Ada", familyName: "Lovelace" } }))).body.id as string;
    expect((await api("POST", `/Users/${ada}`, { org_role: "administrator" })).status).toBe(200);
    const account = (await api("POST", "/Accounts", { friendly_name: "Mobile App", owner_sid: ada })).body.sid as string;
    const adaToken = (await issueToken(env.server.running.store, systemClock, { orgId: o.org.id, name: "ada's console", scopes: ["admin"], userId: ada })).plaintext;
    const email = `kim-${Math.random().toString(36).slice(2, 8)}@contractor.example`;

    // 1. The Administrator invites her to the account, as a Developer and Support.
    const admin = await openSession(env);
    sessions.push(admin);
    const { page } = admin;
    await admin.signIn(adaToken);
    await admin.go(`#/accounts/${account}`);
    await page.getByRole("heading", { name: "Mobile App", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Invite User" }).click();
    const dialog = page.getByRole("dialog", { name: "Invite User to Account" });
    await dialog.getByLabel("Email address").fill(email);
    await dialog.getByRole("checkbox", { name: /^Developer/ }).check();
    await dialog.getByRole("checkbox", { name: /^Support/ }).check();
    await dialog.getByRole("button", { name: "Submit" }).click();
    await page.getByText(`Invitation to ${email} (Developer, Support) queued in the outbox`).waitFor();

    // 2. The mail arrives over SMTP, with the accept page's link.
    const mail = await smtp.waitFor((m) => m.to.includes(email));
    expect(mail.subject).toBe("You are invited to the account Mobile App (Test Org)");
    const link = /https?:\/\/\S+#token=oiv_[A-Za-z0-9_-]{43}/.exec(mail.text)?.[0];
    expect(link?.startsWith(`${PUBLIC_URL}/admin/accept#token=`)).toBe(true);

    // 3. She opens it in her own browser and accepts.
    const kim = await openSession(env);
    sessions.push(kim);
    await kim.page.goto(link!);
    await kim.page.locator("main section.card[data-state=pending]").waitFor();
    expect(await kim.page.locator("main p.offer").textContent()).toBe(`Ada Lovelace (ada@${domain}), of Test Org, invites you to the account Mobile App with the roles Developer, Support.`);
    await kim.page.getByRole("button", { name: "Accept invitation" }).click();
    await kim.page.locator("main section.card[data-state=accepted]").waitFor();
    await kim.shot("e2e-3-accepted");

    // 4. The Administrator finds her on the Independent tab, with what she holds now.
    await admin.go("#/users/independent");
    const row = page.locator("tr", { hasText: email });
    await row.locator("td.access:not([aria-busy])").waitFor();
    expect(await row.locator("td.access").textContent()).toBe("Mobile App: Developer, Support");
    await admin.shot("e2e-4-independent-tab");

    // 5. Her page: the account and its roles; revoke Developer.
    await row.getByRole("link", { name: email }).click();
    await page.getByRole("heading", { name: email, level: 1 }).waitFor();
    const accRow = page.locator(`tr[data-account="${account}"]`);
    await accRow.waitFor();
    expect(await accRow.locator(".role-chip").allTextContents()).toEqual(["Developer×", "Support×"]);
    await admin.shot("e2e-5-independent-user");
    await accRow.getByRole("button", { name: "Revoke Developer on Mobile App" }).click();
    const confirm = page.getByRole("dialog", { name: "Revoke Developer on Mobile App" });
    await confirm.getByRole("button", { name: "Revoke" }).click();
    await page.getByText(`${email} no longer has Developer on Mobile App.`).waitFor();
    await accRow.locator(".role-chip").nth(1).waitFor({ state: "detached" });
    expect(await accRow.locator(".role-chip").allTextContents()).toEqual(["Support×"]);
    const user = (await api("GET", `/Users?Status=independent&Search=${encodeURIComponent(email)}`)).body.users[0].sid as string;
    expect((await api("GET", `/RoleAssignments?UserSid=${user}`)).body.role_assignments.map((a: { role: string }) => a.role)).toEqual(["support"]);

    // 6. The audit page: each step, who (by name) did what to whom, and what changed.
    await admin.go("#/audit");
    const events = page.locator("table tbody tr[data-action]");
    await page.locator("tr[data-action='role_assignment.delete'] td.changes:not([aria-busy])").waitFor();
    const seen = async (action: string) => (await page.locator(`tr[data-action='${action}']`).first().innerText()).replace(/\s+/g, " ");
    expect(await events.count()).toBeGreaterThanOrEqual(3);
    const invited = await seen("invitation.create");
    expect(invited).toContain("Ada Lovelace");
    expect(invited).toContain(email);
    expect(invited).toContain("roles: developer, support");
    const accepted = await seen("invitation.accept");
    expect(accepted).toContain(`${email} (with the invitation)`);
    expect(accepted).toContain("roles: developer, support");
    const revoked = await seen("role_assignment.delete");
    expect(revoked).toContain("Ada Lovelace");
    expect(revoked).toContain("role: developer → (removed)");
    expect(revoked).toContain(`user: ${email}`);
    expect(revoked).toContain("account: Mobile App");
    await admin.shot("e2e-6-audit");
  });
});
