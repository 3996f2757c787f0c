/**
 * The Admin Center's Accounts section in Chromium: the paged list, an account's users and roles,
 * "Invite User to Account" with the role checkboxes (ticking Administrator clears and disables the
 * others), granting and revoking roles, and removing an independent user from an account.
 */
import { call, userBody } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { adminEnv, describeBrowser, openSession, type Session } from "./browser";

jest.setTimeout(90_000);

describeBrowser("Admin Center: accounts", () => {
  const env = adminEnv();
  let s: Session;
  afterEach(async () => {
    await s?.close();
  });

  const unique = (label: string) => `${label}-${Math.random().toString(36).slice(2, 8)}`;

  async function org() {
    const o = await env.server.newOrg();
    const domain = `${unique("corp")}.test`;
    await env.server.verifyDomain(o.org.id, domain);
    const mk = async (local: string) => {
      const r = await call("POST", `${env.server.scim}/Users`, o.token, userBody(`${local}@${domain}`));
      expect(r.status).toBe(201);
      return r.body.id as string;
    };
    const api = (method: string, path: string, body?: unknown) => v1(method, `${env.server.url}/v1${path}`, o.token, body);
    const account = async (name: string, owner: string) => (await api("POST", "/Accounts", { friendly_name: name, owner_sid: owner })).body.sid as string;
    const roles = async (accountSid: string, userSid: string) =>
      ((await api("GET", `/Accounts/${accountSid}/Users`)).body.users as { user_sid: string; roles: string[] }[]).find((u) => u.user_sid === userSid)?.roles ?? [];
    return { ...o, domain, mk, api, account, roles };
  }

  it("lists accounts by pages, creates one, and opens its page", async () => {
    const o = await org();
    const owner = await o.mk("owner");
    for (let i = 0; i < 21; i++) await o.account(`Acc ${String(i).padStart(2, "0")}`, owner);
    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.token);
    await page.getByRole("link", { name: "Accounts" }).click();
    await page.getByRole("heading", { name: "Accounts", level: 1 }).waitFor();
    const rows = page.locator("table tbody tr");
    await page.getByText("Page 1").waitFor();
    expect(await rows.count()).toBe(20);
    expect(await page.getByRole("link", { name: "Accounts" }).getAttribute("aria-current")).toBe("page");
    await s.shot("accounts-list");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByText("Page 2").waitFor();
    expect(await rows.allTextContents()).toEqual([expect.stringContaining("Acc 20")]);
    // Next is now disabled: the focus moved to Previous, still on a usable control.
    expect(await page.evaluate("document.activeElement.textContent")).toBe("Previous");

    await page.getByRole("button", { name: "Create account" }).click();
    const dialog = page.getByRole("dialog", { name: "Create account" });
    await dialog.getByLabel("Account name").fill("Brand new");
    await dialog.getByLabel("Owner").selectOption(owner);
    await dialog.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Brand new", level: 1 }).waitFor();
    await page.getByText("Account Brand new created.").waitFor();
    expect(page.url()).toMatch(/#\/accounts\/AC[0-9a-f]{32}$/);
  });

  it("invites a managed user to an account: ticking Administrator clears and disables the other roles", async () => {
    const o = await org();
    const acc = await o.account("Production", await o.mk("owner"));
    const dev = await o.mk("dev");
    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.token);
    await s.go(`#/accounts/${acc}`);
    await page.getByRole("heading", { name: "Production", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Invite User" }).click();
    const dialog = page.getByRole("dialog", { name: "Invite User to Account" });
    const box = (name: string) => dialog.getByRole("checkbox", { name: new RegExp(`^${name}`) });

    await box("Developer").check();
    await box("Support").check();
    expect(await box("Billing Manager").isEnabled()).toBe(true);
    await box("Administrator").check();
    for (const other of ["Billing Manager", "Developer", "Support"]) {
      expect(await box(other).isChecked()).toBe(false);
      expect(await box(other).isDisabled()).toBe(true);
    }
    await s.shot("invite-to-account-administrator", "screen");
    await box("Administrator").uncheck();
    for (const other of ["Billing Manager", "Developer", "Support"]) {
      expect(await box(other).isChecked()).toBe(false);
      expect(await box(other).isEnabled()).toBe(true);
    }

    // Keyboard: Space ticks a focused box.
    await box("Developer").focus();
    await page.keyboard.press("Space");
    await box("Billing Manager").check();
    await dialog.getByLabel("Email address").fill(`dev@${o.domain}`);
    await s.shot("invite-to-account-roles", "screen");
    await dialog.getByRole("button", { name: "Submit" }).click();
    await page.getByText(`dev@${o.domain} now has Billing Manager, Developer on the account.`).waitFor();
    expect((await o.roles(acc, dev)).sort()).toEqual(["billing_manager", "developer"]);
    const row = page.locator(`tr[data-user="${dev}"]`);
    expect(await row.locator(".roles-cell").textContent()).toBe("Billing Manager, Developer");
    await s.shot("account-users");
  });

  it("grants and revokes roles from a user's row: Administrator replaces the others, then gives way to Support", async () => {
    const o = await org();
    const acc = await o.account("Roles", await o.mk("owner"));
    const u = await o.mk("member");
    await o.api("POST", "/RoleAssignments", { account_sid: acc, user_sid: u, role: "developer" });
    await o.api("POST", "/RoleAssignments", { account_sid: acc, user_sid: u, role: "support" });
    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.token);
    await s.go(`#/accounts/${acc}`);
    const row = page.locator(`tr[data-user="${u}"]`);
    expect(await row.locator(".roles-cell").textContent()).toBe("Developer, Support");

    await row.getByRole("button", { name: /^Edit roles/ }).click();
    let dialog = page.getByRole("dialog", { name: `Roles of member@${o.domain}` });
    const box = (name: string) => dialog.getByRole("checkbox", { name: new RegExp(`^${name}`) });
    expect(await box("Developer").isChecked()).toBe(true);
    expect(await box("Support").isChecked()).toBe(true);
    await box("Administrator").check();
    expect(await box("Developer").isDisabled()).toBe(true);
    expect(await box("Support").isChecked()).toBe(false);
    await s.shot("account-edit-roles", "screen");
    await dialog.getByRole("button", { name: "Save roles" }).click();
    await page.getByText(`Roles of member@${o.domain} on Roles: Administrator.`).waitFor();
    expect(await o.roles(acc, u)).toEqual(["administrator"]);
    const direct = (await o.api("GET", `/RoleAssignments?AccountSid=${acc}`)).body.role_assignments.map((a: { role: string }) => a.role);
    expect(direct).toEqual(["administrator"]);
    expect(await row.locator(".roles-cell").textContent()).toBe("Administrator");

    await row.getByRole("button", { name: /^Edit roles/ }).click();
    dialog = page.getByRole("dialog", { name: `Roles of member@${o.domain}` });
    await box("Administrator").uncheck();
    await box("Support").check();
    await dialog.getByRole("button", { name: "Save roles" }).click();
    await page.getByText(`Roles of member@${o.domain} on Roles: Support.`).waitFor();
    expect(await o.roles(acc, u)).toEqual(["support"]);
  });

  it("shows an API refusal beside the button that caused it (a closed account takes no role)", async () => {
    const o = await org();
    const acc = await o.account("Soon closed", await o.mk("owner"));
    const u = await o.mk("late");
    await o.api("POST", "/RoleAssignments", { account_sid: acc, user_sid: u, role: "developer" });
    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.token);
    await s.go(`#/accounts/${acc}`);
    const row = page.locator(`tr[data-user="${u}"]`);
    await row.getByRole("button", { name: /^Edit roles/ }).click();
    const dialog = page.getByRole("dialog", { name: `Roles of late@${o.domain}` });
    await dialog.getByRole("checkbox", { name: /^Support/ }).check();
    expect((await o.api("DELETE", `/Accounts/${acc}`)).status).toBe(200); // closed meanwhile, elsewhere
    await dialog.getByRole("button", { name: "Save roles" }).click();
    const err = dialog.locator(".error");
    await err.waitFor({ state: "visible" });
    expect(await err.textContent()).toMatch(/closed/i);
    expect(await dialog.getByRole("button", { name: "Save roles" }).getAttribute("aria-describedby")).toBe(await err.getAttribute("id"));
    await s.shot("account-error-beside-button", "screen");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    // The focus returns to the button that opened the panel.
    expect(await page.evaluate("document.activeElement.getAttribute('aria-label')")).toBe(`Edit roles of late@${o.domain}`);
  });

  it("invites an outside email to an account (independent user), and removes them from the account once they accepted", async () => {
    const o = await org();
    const acc = await o.account("Contracted", await o.mk("owner"));
    const email = `${unique("contractor")}@elsewhere.test`;
    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.token);
    // From the Users page, choosing the account in the panel.
    await page.getByRole("button", { name: "Invite User to Account" }).click();
    const dialog = page.getByRole("dialog", { name: "Invite User to Account" });
    await dialog.getByLabel("Account", { exact: true }).selectOption(acc);
    await dialog.getByLabel("Email address").fill(email);
    await dialog.getByRole("checkbox", { name: /^Developer/ }).check();
    await dialog.getByRole("button", { name: "Submit" }).click();
    await page.getByText(`Invitation to ${email} (Developer) queued in the outbox`).waitFor();
    await page.getByRole("tab", { name: "Independent users" }).click();
    const row = page.locator("tr", { hasText: email });
    await row.waitFor();
    expect(await row.textContent()).toContain("Account, Developer");
    await s.shot("users-independent");

    const mails = await env.server.running.store.outbox.list({ orgId: o.org.id, status: "pending", limit: 20 });
    const token = /oiv_[A-Za-z0-9_-]+/.exec(mails.find((m) => m.to === email)?.text ?? "")?.[0];
    const accepted = await v1("POST", `${env.server.url}/v1/Invitations/Accept`, null, { token });
    expect(accepted.body).toMatchObject({ status: "independent", roles: ["developer"] });
    const userSid = accepted.body.user_sid as string;

    await s.go(`#/accounts/${acc}`);
    const accRow = page.locator(`tr[data-user="${userSid}"]`);
    expect(await accRow.textContent()).toContain("independent");
    await accRow.getByRole("button", { name: `Remove ${email} from the account` }).click();
    const confirm = page.getByRole("dialog", { name: `Remove ${email} from Contracted` });
    await confirm.locator("ul.bullets li").nth(1).waitFor();
    expect(await confirm.locator("ul.bullets li").allTextContents()).toEqual(["The user will be permanently removed from the account.", "This action can not be reversed."]);
    await s.shot("account-remove-user", "screen");
    await confirm.getByRole("button", { name: "Remove" }).click();
    await page.getByText(`${email} was removed from the account.`).waitFor();
    expect(await o.roles(acc, userSid)).toEqual([]);
    expect((await o.api("GET", `/RoleAssignments?AccountSid=${acc}`)).body.role_assignments).toEqual([]);
  });
});
