/**
 * A viewer-aware Admin Center (GET /v1/Me, generated from the policy table), in Chromium: a
 * Standard User lands on their own page, sees only the sections the policy lets them open, and
 * finds the actions it refuses them disabled with the policy's reason (or absent); the server still
 * refuses each of those requests when sent anyway. An Administrator on the same pages has them all.
 */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { call, userBody } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { adminEnv, describeBrowser, openSession, type Session } from "./browser";

jest.setTimeout(120_000);

const ORG_EXT = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";

describeBrowser("Admin Center: what the viewer may do", () => {
  const env = adminEnv();
  let s: Session;
  afterEach(async () => {
    await s?.close();
  });

  async function org() {
    const o = await env.server.newOrg({ domainEnforcement: false });
    const tag = Math.random().toString(36).slice(2, 8);
    const mk = async (local: string, orgRole = "standard") =>
      (await call("POST", `${env.server.scim}/Users`, o.token, userBody(`${local}-${tag}@acme.test`, { [ORG_EXT]: { orgRole }, name: { givenName: local, familyName: "Tester" } }))).body.id as string;
    const std = await mk("stan");
    const admin = await mk("ada", "administrator");
    const token = async (userId: string) => (await issueToken(env.server.running.store, systemClock, { orgId: o.org.id, name: "console", scopes: ["admin"], userId })).plaintext;
    const owned = (await v1("POST", `${env.server.url}/v1/Accounts`, o.token, { friendly_name: "Stan's sandbox", owner_sid: std })).body.sid as string;
    return { ...o, std, admin, stdToken: await token(std), adminToken: await token(admin), owned };
  }

  it("shows a Standard User only what they may do, says why for the rest, and the server still refuses it", async () => {
    const o = await org();
    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.stdToken);
    // Their own page, not the users list the policy refuses them.
    await page.waitForURL(new RegExp(`#/users/${o.std}`));
    await page.getByRole("heading", { name: "stan Tester", level: 1 }).waitFor();
    const visible = await page.locator("nav#nav li:not([hidden]) a").allTextContents();
    expect(visible).toEqual(["Settings"]);

    // General tab: Save disabled with the reason; no Remove/Delete at all.
    const save = page.getByRole("button", { name: "Save" });
    expect(await save.isDisabled()).toBe(true);
    expect(await page.locator(".refused-note").first().textContent()).toMatch(/^Not available to you: The policy lets a Standard User change a user's profile .* on nothing\./);
    expect(await page.getByLabel("First name").getAttribute("readonly")).not.toBeNull();
    expect(await page.getByRole("button", { name: "Remove user" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Delete user" }).count()).toBe(0);
    await s.shot("viewer-standard-user");

    // An account they own: Invite and Close disabled with the reasons; its users not listed, saying why.
    await s.go(`#/accounts/${o.owned}`);
    await page.getByRole("heading", { name: "Stan's sandbox", level: 1 }).waitFor();
    const invite = page.getByRole("button", { name: "Invite User" });
    const close = page.getByRole("button", { name: "Close account" });
    expect(await invite.isDisabled()).toBe(true);
    expect(await close.isDisabled()).toBe(true);
    expect(await page.getByText(/^Not available to you: The policy lets a Standard User close an account on nothing\./).count()).toBe(1);
    expect(await page.getByText(/^Not available to you: The policy lets a Standard User invite someone only on an open account they administer\./).count()).toBe(1);
    expect(await page.getByText(/^Not available to you: The policy lets a Standard User read an account's users and their roles only on an open account they administer\./).count()).toBe(1);
    await s.shot("viewer-standard-account");

    // The disabled buttons are a courtesy: the server refuses each request they would send.
    const api = (method: string, path: string, body?: unknown) => v1(method, `${env.server.url}/v1${path}`, o.stdToken, body);
    expect((await api("DELETE", `/Accounts/${o.owned}`)).status).toBe(403);
    expect((await api("POST", `/Accounts/${o.owned}/Invitations`, { email: "x@acme.test", roles: ["developer"] })).status).toBe(403);
    expect((await api("POST", `/Users/${o.std}`, { two_factor_required: true })).status).toBe(403);
    expect((await api("GET", "/Users?PageSize=1")).status).toBe(403);
    expect((await v1("GET", `${env.server.url}/v1/Accounts/${o.owned}`, o.token)).body.status).toBe("active");
  });

  it("gives an Administrator every section and the same buttons enabled", async () => {
    const o = await org();
    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.adminToken);
    await page.getByRole("heading", { name: "Users", level: 1 }).waitFor();
    const visible = await page.locator("nav#nav li:not([hidden]) a").allTextContents();
    expect(visible).toEqual(["Users", "Accounts", "Groups", "Domains", "Provisioning", "Provisioning errors", "Outbox", "Audit log", "Settings"]);
    await s.go(`#/accounts/${o.owned}`);
    await page.getByRole("heading", { name: "Stan's sandbox", level: 1 }).waitFor();
    expect(await page.getByRole("button", { name: "Invite User" }).isDisabled()).toBe(false);
    expect(await page.getByRole("button", { name: "Close account" }).isDisabled()).toBe(false);
    expect(await page.locator(".refused-note").count()).toBe(0);
    await s.go(`#/users/${o.std}`);
    expect(await page.getByRole("button", { name: "Save" }).isDisabled()).toBe(false);
    expect(await page.getByRole("button", { name: "Remove user" }).isDisabled()).toBe(false);
  });
});
