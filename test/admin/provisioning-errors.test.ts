/**
 * The Provisioning errors page in Chromium (GET /v1/AuditEvents?Outcome=refused): requests orgscim
 * refused, newest first, each with the credential that sent it (by name, and whether it is an
 * identity provider's scim-only token) and the reason it was given; narrowed to one credential.
 * The refusals are real: an identity provider's token asking over SCIM to make someone an
 * Administrator (which no scim-only token may), and a Standard User's token asking /v1 to close an account.
 * Beside them, the SCIM requests refused for their content (GET /v1/ProvisioningErrors): a userName
 * already taken, alone and as a /Bulk operation, each with its reason, credential and target.
 */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { call, userBody } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { adminEnv, describeBrowser, openSession, type Session } from "./browser";

jest.setTimeout(120_000);

const ORG_EXT = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";

describeBrowser("Admin Center: provisioning errors", () => {
  const env = adminEnv();
  let s: Session;
  afterEach(async () => {
    await s?.close();
  });

  it("lists refused requests with the credential and the reason, and narrows them to the identity provider's token", async () => {
    const o = await env.server.newOrg({ domainEnforcement: false });
    const store = env.server.running.store;
    const okta = await issueToken(store, systemClock, { orgId: o.org.id, name: "okta", scopes: ["scim"] });
    const tag = Math.random().toString(36).slice(2, 8);
    const refused = await call("POST", `${env.server.scim}/Users`, okta.plaintext, userBody(`boss-${tag}@acme.test`, { [ORG_EXT]: { orgRole: "administrator" } }));
    expect(refused.status).toBe(403);
    const std = (await call("POST", `${env.server.scim}/Users`, o.token, userBody(`std-${tag}@acme.test`))).body.id as string;
    const account = (await v1("POST", `${env.server.url}/v1/Accounts`, o.token, { friendly_name: "Kept", owner_sid: std })).body.sid as string;
    const stdToken = (await issueToken(store, systemClock, { orgId: o.org.id, name: "std-script", scopes: ["admin"], userId: std })).plaintext;
    expect((await v1("DELETE", `${env.server.url}/v1/Accounts/${account}`, stdToken)).status).toBe(403);

    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.token);
    await page.getByRole("link", { name: "Provisioning errors" }).click();
    await page.getByRole("heading", { name: "Provisioning errors", level: 1 }).waitFor();
    const rows = page.locator("tr[data-event]");
    await rows.nth(1).waitFor();
    expect(await rows.count()).toBe(2);
    const oktaRow = page.locator("tr[data-event]", { hasText: "okta" });
    expect(await oktaRow.textContent()).toContain("identity provider token (scim)");
    expect(await oktaRow.locator(".reason").textContent()).toMatch(/Not allowed: a token with only the scim scope \(an identity provider's\) may not grant the Administrator org role/);
    const stdRow = page.locator("tr[data-event]", { hasText: "std-script" });
    expect(await stdRow.textContent()).toContain("acting for");
    expect(await stdRow.locator(".reason").textContent()).toMatch(/Not allowed: a Standard User may not close an account/);
    await s.shot("provisioning-errors");
    const oktaSid = (await store.tokens.list(o.org.id)).find((t) => t.name === "okta")!.id;
    await page.getByLabel("Credential").selectOption(oktaSid);
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForFunction("document.querySelectorAll('tr[data-event]').length === 1");
    expect(await rows.first().textContent()).toContain("okta");
  });

  it("lists the SCIM requests refused for their content (a userName taken, a /Bulk operation) with the reason, the credential and the target; another organization sees none", async () => {
    const o = await env.server.newOrg({ domainEnforcement: false });
    const store = env.server.running.store;
    const okta = await issueToken(store, systemClock, { orgId: o.org.id, name: "okta", scopes: ["scim"] });
    const tag = Math.random().toString(36).slice(2, 8);
    expect((await call("POST", `${env.server.scim}/Users`, okta.plaintext, userBody(`ann-${tag}@acme.test`, { externalId: `00u-ann-${tag}` }))).status).toBe(201);
    const taken = await call("POST", `${env.server.scim}/Users`, okta.plaintext, userBody(`ANN-${tag}@acme.test`, { externalId: `00u-ann2-${tag}` }));
    expect(taken.status).toBe(409);
    const bulk = await call("POST", `${env.server.scim}/Bulk`, okta.plaintext, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
      Operations: [{ method: "POST", path: "/Users", bulkId: "b1", data: userBody(`ann-${tag}@acme.test`, { externalId: `00u-bulk-${tag}` }) }],
    });
    expect(bulk.body.Operations[0].status).toBe("409");
    const other = await env.server.newOrg({ domainEnforcement: false });

    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.token);
    await s.go("#/provisioning/errors");
    const content = page.locator("tr[data-error]");
    await content.nth(1).waitFor();
    expect(await content.count()).toBe(2);
    const [bulkRow, postRow] = [content.nth(0), content.nth(1)];
    expect(await postRow.textContent()).toContain(`ANN-${tag}@acme.test`);
    expect(await postRow.textContent()).toContain("okta");
    expect(await postRow.textContent()).toContain("409");
    expect(await postRow.locator(".reason").textContent()).toBe(taken.body.detail);
    expect(await bulkRow.textContent()).toMatch(/in \/Bulk/);
    expect(await bulkRow.textContent()).toContain(`00u-bulk-${tag}`);
    await s.shot("provisioning-errors-content");
    await s.close();

    // Another organization's page: nothing of these.
    s = await openSession(env);
    await s.signIn(other.token);
    await s.go("#/provisioning/errors");
    await s.page.getByText("No request was refused for its content.").waitFor();
    expect(await s.page.locator("tr[data-error]").count()).toBe(0);
  });
});
