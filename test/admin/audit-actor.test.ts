/**
 * The audit page's actor filter in Chromium: from a user's page, "What they did" opens the log
 * narrowed to what was done by tokens acting for them; "Only this actor" beside any event narrows
 * to that event's actor (the user it acted for, else the token).
 */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { call, userBody } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { adminEnv, describeBrowser, openSession, type Session } from "./browser";

jest.setTimeout(90_000);

const ORG_EXT = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";

describeBrowser("Admin Center: the audit log by actor", () => {
  const env = adminEnv();
  let s: Session;
  afterEach(async () => {
    await s?.close();
  });

  it("narrows the log to one user's actions from their page, and to any event's actor with one click", async () => {
    const o = await env.server.newOrg({ domainEnforcement: false });
    const tag = Math.random().toString(36).slice(2, 8);
    const mk = async (local: string, orgRole = "standard") =>
      (await call("POST", `${env.server.scim}/Users`, o.token, userBody(`${local}-${tag}@acme.test`, { name: { givenName: local, familyName: "Tester" }, [ORG_EXT]: { orgRole } }))).body.id as string;
    const ada = await mk("Ada", "administrator");
    const owner = await mk("Owen");
    const adaToken = (await issueToken(env.server.running.store, systemClock, { orgId: o.org.id, name: "ada's laptop", scopes: ["admin"], userId: ada })).plaintext;
    const acc = (await v1("POST", `${env.server.url}/v1/Accounts`, adaToken, { friendly_name: "Ada's account", owner_sid: owner })).body.sid as string;
    expect((await v1("POST", `${env.server.url}/v1/Accounts/${acc}`, adaToken, { friendly_name: "Ada's renamed account" })).status).toBe(200);
    expect((await v1("POST", `${env.server.url}/v1/Accounts`, o.token, { friendly_name: "Not Ada's", owner_sid: owner })).status).toBe(201);

    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.token);
    await s.go(`#/users/${ada}`);
    await page.getByRole("link", { name: "What they did" }).click();
    await page.waitForURL(new RegExp(`#/audit/by/${ada}$`));
    expect(await page.getByLabel("Actor").inputValue()).toBe(ada);
    const rows = page.locator("table tbody tr[data-event]");
    await page.locator('tr[data-action="account.update"]').waitFor();
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-action")))).toEqual(["account.update", "account.create"]);
    await page.locator("td.who[aria-busy]").first().waitFor({ state: "detached" }).catch(() => undefined);
    await s.shot("audit-by-actor");

    // The whole log, then one click on the other token's event narrows to that token.
    await page.getByLabel("Actor").fill("");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.locator('tr[data-action="user.create"]').first().waitFor();
    const notAda = page.locator("tr[data-event]").filter({ hasText: "Not Ada's" }).first();
    await notAda.getByRole("button", { name: "Only this actor" }).click();
    await page.waitForFunction("document.querySelector('input[name=\"actor\"]').value.startsWith('TK')");
    await page.waitForFunction("!document.querySelector('tr[data-action=\"account.update\"]')");
    const actors = await page.locator("tr[data-event]").evaluateAll((trs) => trs.map((tr) => tr.querySelector("td.who")?.textContent ?? ""));
    expect(actors.length).toBeGreaterThan(0);
    expect(actors.some((a) => a.includes("Ada"))).toBe(false);
  });
});
