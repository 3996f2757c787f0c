/**
 * The settings page in Chromium (GET and POST /v1/Organization with the viewer's own rights): an
 * Administrator changes what deprovisioning does and names a successor found by searching the
 * server; a Standard User sees the settings with Save disabled and the policy's reason (GET
 * /v1/Me), and the server refuses the change all the same.
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

  it("shows a Standard User the settings with Save disabled and the policy's reason; the server refuses the change all the same", async () => {
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
    const save = page.getByRole("button", { name: "Save settings" });
    expect(await save.isDisabled()).toBe(true);
    expect(await page.locator("form.settings .refused-note").textContent()).toMatch(/^Not available to you: The policy lets a Standard User change the organization's settings on nothing\./);
    // The disabled button is a courtesy: the request it would send is refused by the server.
    const tried = await o.api("POST", "/Organization", { deprovision: before.deprovision === "remove" ? "delete" : "remove" }, token);
    expect(tried.status).toBe(403);
    expect(tried.body.message).toMatch(/Not allowed: a Standard User may not change the organization's settings/);
    expect(await o.settings()).toEqual(before);
  });
});
