/**
 * The Groups pages in Chromium (GET /v1/Groups, /v1/Groups/:sid, /v1/Groups/:sid/Members): the
 * groups an identity provider pushed over SCIM, marked as its own, with what each grants (an
 * account role named by the account's name, an org role, nothing); a group's members paged (25
 * members, 20 a page); a Standard User is refused the list (group.list), with the reason.
 */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { call } from "../helpers/server";
import { describeBrowser } from "./browser";
import { browserSuite } from "./suite";

jest.setTimeout(120_000);

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const GROUP_EXT = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group";

describeBrowser("Admin Center: groups from the identity provider", () => {
  const { env, open, org: newOrg } = browserSuite();

  async function org() {
    const o = await newOrg();
    const idp = (await issueToken(env.server.running.store, systemClock, { orgId: o.org.id, name: "okta", scopes: ["scim"] })).plaintext;
    const mk = (local: string) => o.mk(local, { displayName: `${local} ${o.tag}` }, idp);
    const group = async (displayName: string, members: string[], ext: Record<string, unknown> | null = null) => {
      const r = await call("POST", `${env.server.scim}/Groups`, idp, { schemas: [GROUP], displayName, externalId: `okta-${displayName}`, ...(ext ? { [GROUP_EXT]: ext } : {}), members: members.map((value) => ({ value })) });
      expect(r.status).toBe(201);
      return r.body.id as string;
    };
    return { ...o, idp, mk, group };
  }

  it("lists the identity provider's groups with what they grant, and pages a group's members", async () => {
    const o = await org();
    const owner = await o.mk("owner");
    const account = (await o.api("POST", "/Accounts", { friendly_name: "Rocket Labs", owner_sid: owner })).body.sid as string;
    const people: string[] = [];
    for (let i = 0; i < 25; i++) people.push(await o.mk(`dev${String(i).padStart(2, "0")}`));
    const devs = await o.group("Rocket developers", people, { accountSid: account, accountRole: "developer" });
    await o.group("Everyone", [owner]);
    const s = await open();
    const { page } = s;
    await s.signIn(o.token);
    await page.getByRole("link", { name: "Groups" }).click();
    await page.getByRole("heading", { name: "Groups", level: 1 }).waitFor();
    const row = page.locator(`tr[data-group="${devs}"]`);
    await row.getByText("Developer on Rocket Labs").waitFor(); // the account's name, looked up
    expect(await row.locator("td").nth(2).textContent()).toBe("25");
    expect(await row.getByText("identity provider").count()).toBe(1);
    expect(await page.getByText("Nothing (not bound)").count()).toBe(1);
    expect(await page.getByText(/These groups come from your identity provider over SCIM/).count()).toBe(1);
    await s.shot("groups");

    await row.getByRole("link", { name: "Rocket developers" }).click();
    await page.getByRole("heading", { name: "Rocket developers", level: 1 }).waitFor();
    await page.locator("tr[data-member]").first().waitFor();
    const firstPage = await page.locator("tr[data-member]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-member")));
    expect(firstPage).toHaveLength(20);
    await s.shot("group-members");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByText("Page 2").waitFor();
    const secondPage = await page.locator("tr[data-member]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-member")));
    expect(secondPage).toHaveLength(5);
    // Every member once, over both pages, whatever their order.
    expect([...firstPage, ...secondPage].sort()).toEqual([...people].sort());
  });

  it("refuses a Standard User the list, with the policy's reason", async () => {
    const o = await org();
    const std = await o.mk("std");
    const token = await o.tokenFor(std);
    const s = await open();
    const { page } = s;
    await s.signIn(token);
    await s.go("#/groups");
    await page.getByRole("heading", { name: "Groups", level: 1 }).waitFor();
    const err = page.locator("nav.pager .error");
    await err.waitFor({ state: "visible" });
    expect(await err.textContent()).toMatch(/^Not allowed: a Standard User may not list or search groups/);
    expect(await page.locator("tr[data-group]").count()).toBe(0);
  });
});
