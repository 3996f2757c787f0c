/**
 * Reopening a closed account in the Admin Center (Chromium): the closed account's page offers
 * "Reopen account" with what it does and does not bring back; when the owner has left, the panel
 * asks for a new owner; a Standard User who owns a closed account cannot even open its page (a
 * closed account grants nothing until an Owner or Administrator reopens it).
 */
import { call } from "../helpers/server";
import { describeBrowser } from "./browser";
import { browserSuite } from "./suite";

jest.setTimeout(90_000);

describeBrowser("Admin Center: reopening a closed account", () => {
  const { env, open, org: newOrg } = browserSuite();

  async function org() {
    const o = await newOrg();
    const closed = async (name: string, owner: string) => {
      const sid = (await o.api("POST", "/Accounts", { friendly_name: name, owner_sid: owner })).body.sid as string;
      expect((await o.api("DELETE", `/Accounts/${sid}`)).status).toBe(200);
      return sid;
    };
    const status = async (sid: string) => (await env.server.running.store.accounts.get(o.org.id, sid))?.status;
    return { ...o, closed, status };
  }

  it("reopens a closed account from its page, saying that its former roles do not come back", async () => {
    const o = await org();
    const acc = await o.closed("Archive", await o.mk("owner"));
    const s = await open();
    const { page } = s;
    await s.signIn(o.token);
    await s.go(`#/accounts/${acc}`);
    await page.getByRole("heading", { name: "Archive", level: 1 }).waitFor();
    expect(await page.getByRole("button", { name: "Invite User" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Reopen account" }).click();
    const dialog = page.getByRole("dialog", { name: "Reopen Archive" });
    await dialog.getByText("Roles it had before it was closed do not come back: grant them again.").waitFor();
    expect(await dialog.getByLabel("New owner").count()).toBe(0); // the owner can still own it
    await s.shot("account-reopen");
    await dialog.getByRole("button", { name: "Reopen account" }).click();
    await page.getByText("Archive is open again.").waitFor();
    expect(await o.status(acc)).toBe("active");
    expect(await page.getByRole("button", { name: "Invite User" }).isDisabled()).toBe(false);
    expect(await page.getByRole("button", { name: "Close account" }).count()).toBe(1);
  });

  it("names, before and after reopening, the identity provider's groups whose members get their roles back", async () => {
    const o = await org();
    const [a, b] = [await o.mk("eng-a"), await o.mk("eng-b")];
    const acc = (await o.api("POST", "/Accounts", { friendly_name: "Payments", owner_sid: a })).body.sid as string;
    const pushed = await call("POST", `${env.server.scim}/Groups`, o.token, {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: `Payments engineers ${o.tag}`,
      "urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group": { accountSid: acc, accountRole: "developer" }, members: [{ value: a }, { value: b }],
    });
    expect(pushed.status).toBe(201);
    expect((await o.api("DELETE", `/Accounts/${acc}`)).status).toBe(200);
    const s = await open();
    const { page } = s;
    await s.signIn(o.token);
    await s.go(`#/accounts/${acc}`);
    // Closed: its users are listed, but no role can be edited until it is reopened.
    await page.locator("tr[data-user]").nth(1).waitFor();
    for (const b of await page.getByRole("button", { name: /^Edit roles of / }).all()) expect(await b.isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Reopen account" }).click();
    const dialog = page.getByRole("dialog", { name: "Reopen Payments" });
    await dialog.getByText(`These groups from your identity provider grant their roles again at once, to whoever is in them now: Payments engineers ${o.tag} (Developer, 2 members).`, { exact: false }).waitFor();
    await s.shot("account-reopen-regrant", "screen");
    await dialog.getByRole("button", { name: "Reopen account" }).click();
    await page.getByText(`Payments is open again. Granting their roles again: Payments engineers ${o.tag}.`).waitFor();
    await page.locator("tr[data-user]").nth(1).waitFor();
    for (const b of await page.getByRole("button", { name: /^Edit roles of / }).all()) expect(await b.isDisabled()).toBe(false);
    expect(await o.status(acc)).toBe("active");
  });

  it("asks for a new owner when the closed account's owner has left the organization", async () => {
    const o = await org();
    const leaver = await o.mk("leaver");
    const heir = await o.mk("heir");
    const acc = await o.closed("Left behind", leaver);
    expect((await o.api("POST", `/Users/${leaver}/Remove`, { acknowledge: true })).status).toBe(200);
    const s = await open();
    const { page } = s;
    await s.signIn(o.token);
    await s.go(`#/accounts/${acc}`);
    await page.getByRole("button", { name: "Reopen account" }).click();
    const dialog = page.getByRole("dialog", { name: "Reopen Left behind" });
    await dialog.getByText(/can no longer own it: choose an active managed user/).waitFor();
    await dialog.getByLabel("New owner").selectOption(heir);
    await s.shot("account-reopen-new-owner");
    await dialog.getByRole("button", { name: "Reopen account" }).click();
    await page.getByText("Left behind is open again.").waitFor();
    const after = await env.server.running.store.accounts.get(o.org.id, acc);
    expect([after?.status, after?.ownerId]).toEqual(["active", heir]);
  });

  it("refuses a Standard User who owns a closed account even its page (a closed account grants nothing), and it stays closed", async () => {
    const o = await org();
    const owner = await o.mk("std-owner");
    const acc = await o.closed("Mine once", owner);
    const token = await o.tokenFor(owner);
    const s = await open();
    const { page } = s;
    await s.signIn(token);
    await s.go(`#/accounts/${acc}`);
    await page.getByRole("heading", { name: "This page could not be shown", level: 1 }).waitFor();
    expect(await page.locator("main .error").textContent()).toMatch(/^Not allowed: a Standard User may not read an account \(target: any other account \(a closed account is always this: it grants nothing until reopened\)\)/);
    expect(await page.getByRole("button", { name: "Reopen account" }).count()).toBe(0);
    await s.shot("account-closed-owner-refused");
    // Nor through the API the page calls.
    const reopen = await o.api("POST", `/Accounts/${acc}/Reopen`, {}, token);
    expect([reopen.status, reopen.body.message]).toEqual([403, expect.stringMatching(/^Not allowed: a Standard User may not reopen a closed account/)]);
    expect(await o.status(acc)).toBe("closed");
  });
});
