/**
 * The settings page in Chromium (GET and POST /v1/Organization with the viewer's own rights): an
 * Administrator changes what deprovisioning does and names a successor found by searching the
 * server; a Standard User sees the settings and is refused a change beside the button, which
 * changes nothing.
 */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { call, userBody } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { adminEnv, describeBrowser, openSession, type Session } from "./browser";

jest.setTimeout(90_000);

const ORG_EXT = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";

describeBrowser("Admin Center: organization settings", () => {
  const env = adminEnv();
  let s: Session;
  afterEach(async () => {
    await s?.close();
  });

  async function org() {
    const o = await env.server.newOrg({ domainEnforcement: false });
    const tag = Math.random().toString(36).slice(2, 8);
    const mk = async (local: string, orgRole = "standard") =>
      (await call("POST", `${env.server.scim}/Users`, o.token, userBody(`${local}-${tag}@acme.test`, { [ORG_EXT]: { orgRole } }))).body.id as string;
    const settings = async () => (await v1("GET", `${env.server.url}/v1/Organization`, o.token)).body as { deprovision: string; successor_user_sid: string | null; domain_enforcement: boolean };
    return { ...o, mk, settings };
  }

  it("lets an Administrator change deprovisioning and name a successor found by search", async () => {
    const o = await org();
    const admin = await o.mk("admin", "administrator");
    const heir = await o.mk("heir");
    const token = (await issueToken(env.server.running.store, systemClock, { orgId: o.org.id, name: "admin", scopes: ["admin"], userId: admin })).plaintext;
    s = await openSession(env);
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
    const token = (await issueToken(env.server.running.store, systemClock, { orgId: o.org.id, name: "std", scopes: ["admin"], userId: std })).plaintext;
    const before = await o.settings();
    s = await openSession(env);
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
