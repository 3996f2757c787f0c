/**
 * The settings page in Chromium (GET and POST /v1/Organization with the viewer's own rights): an
 * Administrator changes what deprovisioning does and names a successor found by searching the
 * server; a Standard User sees the settings and is refused a change beside the button, which
 * changes nothing.
 */
import { describeBrowser } from "./browser";
import { browserSuite } from "./suite";

jest.setTimeout(90_000);

const ORG_EXT = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";

describeBrowser("Admin Center: organization settings", () => {
  const { open, org: newOrg } = browserSuite();

  async function org() {
    const o = await newOrg();
    const mk = (local: string, orgRole = "standard") => o.mk(local, { [ORG_EXT]: { orgRole } });
    const settings = async () => (await o.api("GET", "/Organization")).body as { deprovision: string; successor_user_sid: string | null; domain_enforcement: boolean };
    return { ...o, mk, settings };
  }

  it("lets an Administrator change deprovisioning and name a successor found by search", async () => {
    const o = await org();
    const admin = await o.mk("admin", "administrator");
    const heir = await o.mk("heir");
    const token = await o.tokenFor(admin);
    const s = await open();
    const { page } = s;
    await s.signIn(token);
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
    await page.getByLabel("When the identity provider deprovisions a user").selectOption("delete");
    await page.getByLabel("Search users").fill("heir");
    await page.locator(`option[value="${heir}"]`).waitFor({ state: "attached" });
    await page.getByLabel("New successor").selectOption(heir);
    await s.shot("settings");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByText("Settings saved.").waitFor();
    expect(await o.settings()).toMatchObject({ deprovision: "delete", successor_user_sid: heir, domain_enforcement: false });
  });

  it("shows a Standard User the settings, refuses their change beside the button, and changes nothing", async () => {
    const o = await org();
    const std = await o.mk("std");
    const token = await o.tokenFor(std);
    const before = await o.settings();
    const s = await open();
    const { page } = s;
    await s.signIn(token);
    await s.go("#/settings");
    await page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
    expect(await page.getByLabel("When the identity provider deprovisions a user").inputValue()).toBe(before.deprovision);
    await page.getByLabel("When the identity provider deprovisions a user").selectOption(before.deprovision === "remove" ? "delete" : "remove");
    await page.getByRole("button", { name: "Save settings" }).click();
    const err = page.locator("form.settings .error");
    await err.waitFor({ state: "visible" });
    expect(await err.textContent()).toMatch(/Not allowed: a Standard User may not change the organization's settings/);
    expect(await o.settings()).toEqual(before);
  });
});
