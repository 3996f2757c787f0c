/**
 * The token lifecycle on the Provisioning page in Chromium (issue 22): each token's expiry, its last
 * use (time and address) and state; Rotate with the overlap chosen (the new secret shown once works
 * over SCIM, the old one keeps working until the overlap ends, or stops at once with no overlap);
 * and an Administrator refused the rotation of a token with an Owner's rights, beside the button,
 * with nothing changed.
 */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { call, userBody } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { adminEnv, describeBrowser, openSession, type Session } from "./browser";

jest.setTimeout(120_000);

const ORG_EXT = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";
const DAY = 86_400_000;

describeBrowser("Admin Center: token expiry, last use and rotation", () => {
  const env = adminEnv();
  let s: Session;
  afterEach(async () => {
    await s?.close();
  });

  /** The token as /v1 shows it, once its first use is recorded (written after the answer, at most once a minute). */
  async function usedToken(admin: string, sid: string) {
    for (let i = 0; i < 200; i++) {
      const t = (await v1("GET", `${env.server.url}/v1/Tokens/${sid}`, admin)).body;
      if (t.date_last_used) return t;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error("the token's use was never recorded");
  }

  it("shows each token's expiry, when and from where it was last used, and its state", async () => {
    const o = await env.server.newOrg();
    const expires = new Date(Date.now() + 10 * DAY).toISOString();
    const okta = await v1("POST", `${env.server.url}/v1/Tokens`, o.token, { friendly_name: "okta", scopes: ["scim"], date_expires: expires });
    const idle = await v1("POST", `${env.server.url}/v1/Tokens`, o.token, { friendly_name: "idle", scopes: ["scim"], date_expires: null });
    expect((await call("GET", `${env.server.scim}/Users`, okta.body.token)).status).toBe(200);
    const used = await usedToken(o.token, okta.body.sid);
    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.token);
    await s.go("#/provisioning");
    const row = page.locator(`tr[data-token="${okta.body.sid}"]`);
    await row.waitFor();
    expect(await row.locator("td.expires time").getAttribute("datetime")).toBe(expires);
    expect(await row.locator("td.expires").textContent()).toMatch(/in (23\d|240) hours|in 10 days/);
    expect(await row.locator("td.last-used time").getAttribute("datetime")).toBe(used.date_last_used);
    expect(await row.locator("td.last-used").textContent()).toContain(`from ${used.last_used_address}`);
    expect(used.last_used_address).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    expect(await row.locator(".badge").textContent()).toBe("active");
    const idleRow = page.locator(`tr[data-token="${idle.body.sid}"]`);
    expect(await idleRow.locator("td.expires").textContent()).toBe("never");
    expect(await idleRow.locator("td.last-used").textContent()).toBe("never");
    await s.shot("tokens-lifecycle");
  });

  it("rotates a token: the new secret works over SCIM, the old one until the overlap ends; with no overlap the old one stops at once", async () => {
    const o = await env.server.newOrg();
    const okta = await v1("POST", `${env.server.url}/v1/Tokens`, o.token, { friendly_name: "okta", scopes: ["scim"] });
    const old = okta.body.token as string;
    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.token);
    await s.go("#/provisioning");
    await page.getByRole("button", { name: "Rotate token okta" }).click();
    const dialog = page.getByRole("dialog", { name: "Rotate the token okta" });
    await dialog.getByLabel("Old token keeps working for").selectOption("3600");
    await s.shot("tokens-rotate-panel");
    const before = Date.now();
    await dialog.getByRole("button", { name: "Rotate token" }).click();
    await page.getByText("The token okta was rotated.").waitFor();
    const secret = await page.getByLabel("Secret token").inputValue();
    expect(secret).toMatch(/^osk_[0-9a-f]{32}_/);
    expect(secret).not.toBe(old);
    await s.shot("tokens-rotated");
    expect((await call("GET", `${env.server.scim}/Users`, secret)).status).toBe(200);
    expect((await call("GET", `${env.server.scim}/Users`, old)).status).toBe(200); // the overlap
    const oldNow = (await v1("GET", `${env.server.url}/v1/Tokens/${okta.body.sid}`, o.token)).body;
    const oldEnds = Date.parse(oldNow.date_expires);
    expect(oldEnds).toBeGreaterThanOrEqual(before + 3_600_000 - 5_000);
    expect(oldEnds).toBeLessThanOrEqual(Date.now() + 3_600_000 + 5_000);
    const oldRow = page.locator(`tr[data-token="${okta.body.sid}"]`);
    expect(await oldRow.locator("td.expires time").getAttribute("datetime")).toBe(oldNow.date_expires);
    expect(await oldRow.locator("td.expires").textContent()).toContain("about an hour");

    // The new token, rotated with no overlap: the one just given out stops at once.
    const newSid = `TK${secret.split("_")[1]}`;
    await page.getByRole("button", { name: "Rotate token okta" }).last().waitFor();
    await page.locator(`tr[data-token="${newSid}"]`).getByRole("button", { name: "Rotate token okta" }).click();
    const again = page.getByRole("dialog", { name: "Rotate the token okta" });
    await again.getByLabel("Old token keeps working for").selectOption("0");
    await again.getByRole("button", { name: "Rotate token" }).click();
    await page.locator(`tr[data-token="${newSid}"] .badge`, { hasText: "expired" }).waitFor();
    expect((await call("GET", `${env.server.scim}/Users`, secret)).status).toBe(401);
    expect(await page.locator(`tr[data-token="${newSid}"]`).getByRole("button", { name: /Rotate/ }).count()).toBe(0);
    const third = await page.getByLabel("Secret token").inputValue();
    expect((await call("GET", `${env.server.scim}/Users`, third)).status).toBe(200);
  });

  it("refuses an Administrator's rotation of a token with an Owner's rights beside the button, and changes nothing", async () => {
    const o = await env.server.newOrg({ domainEnforcement: false });
    const adminUser = (await call("POST", `${env.server.scim}/Users`, o.token, userBody(`adm-${Math.random().toString(36).slice(2, 8)}@acme.test`, { [ORG_EXT]: { orgRole: "administrator" } }))).body.id as string;
    const adminToken = (await issueToken(env.server.running.store, systemClock, { orgId: o.org.id, name: "admin", scopes: ["admin"], userId: adminUser, ceiling: "administrator" })).plaintext;
    const ownerLevel = (await v1("GET", `${env.server.url}/v1/Tokens`, o.token)).body.tokens.find((t: { friendly_name: string }) => t.friendly_name === "test");
    expect(ownerLevel.ceiling).toBe("owner");
    const tokensBefore = (await v1("GET", `${env.server.url}/v1/Tokens`, o.token)).body.tokens;
    s = await openSession(env);
    const { page } = s;
    await s.signIn(adminToken);
    await s.go("#/provisioning");
    await page.locator(`tr[data-token="${ownerLevel.sid}"]`).getByRole("button", { name: "Rotate token test" }).click();
    const dialog = page.getByRole("dialog", { name: "Rotate the token test" });
    await dialog.getByRole("button", { name: "Rotate token" }).click();
    const err = dialog.locator(".error");
    await err.waitFor({ state: "visible" });
    expect(await err.textContent()).toMatch(/Not allowed/);
    await s.shot("tokens-rotate-refused");
    const lifecycle = (list: Record<string, unknown>[]) => list.map((t) => [t.sid, t.date_expires, t.date_revoked]);
    expect(lifecycle((await v1("GET", `${env.server.url}/v1/Tokens`, o.token)).body.tokens)).toEqual(lifecycle(tokensBefore));
    expect((await call("GET", `${env.server.scim}/Users`, o.token)).status).toBe(200);
  });
});
