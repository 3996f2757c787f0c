/**
 * The Admin Center's Domains and Provisioning sections in Chromium: a domain added, its TXT record
 * served by the loopback DNS server, verified; SCIM tokens created (the secret works over SCIM)
 * and revoked (it stops working); the SCIM base URL; the audit trail; and a keyboard-only pass.
 */
import { startDnsServer, type TestDnsServer } from "../helpers/dns-server";
import { call } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { adminEnv, describeBrowser, openSession, type Session } from "./browser";

jest.setTimeout(90_000);

describeBrowser("Admin Center: domains and provisioning", () => {
  let dns: TestDnsServer;
  const env = adminEnv(async () => {
    dns = await startDnsServer();
    return { DNS_SERVERS: dns.address, DNS_TIMEOUT_MS: "10000" };
  });
  afterAll(async () => {
    await dns?.close();
  });
  let s: Session;
  afterEach(async () => {
    await s?.close();
  });

  const unique = (label: string) => `${label}-${Math.random().toString(36).slice(2, 8)}.test`;

  it("adds a domain, shows the TXT record to create, and verifies it once the record is served", async () => {
    const o = await env.server.newOrg();
    const name = unique("acme");
    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.token);
    await page.getByRole("link", { name: "Domains" }).click();
    await page.getByRole("heading", { name: "Domains", level: 1 }).waitFor();

    // A refusal from the API shows beside the Add button.
    await page.getByLabel("Domain name").fill("gmail.com");
    await page.getByRole("button", { name: "Add domain" }).click();
    const addErr = page.locator("form[aria-label='Add a domain'] .error");
    await addErr.waitFor({ state: "visible" });
    expect(await addErr.getAttribute("data-code")).toBe("6103");

    await page.getByLabel("Domain name").fill(name.toUpperCase());
    await page.keyboard.press("Enter");
    const row = page.locator(`tr[data-domain="${name}"]`);
    await row.waitFor();
    expect(await addErr.isVisible()).toBe(false);
    const recordName = await row.locator(".record-name").textContent();
    const recordValue = await row.locator(".record-value").textContent();
    expect(recordName).toBe(`_orgscim.${name}`);
    expect(recordValue).toMatch(/^orgscim-domain-verification=[0-9a-f]{32}$/);
    expect(await row.locator(".badge").textContent()).toBe("pending");
    await s.shot("domains-pending");

    // Verify before the record exists: still pending, told which record to create.
    await row.getByRole("button", { name: `Verify ${name}` }).click();
    const result = row.locator(".result");
    await result.waitFor({ state: "visible" });
    expect(await result.textContent()).toContain(`TXT record named _orgscim.${name}`);
    expect(await row.locator(".badge").textContent()).toBe("pending");

    dns.setTxt(recordName!, recordValue!);
    await row.getByRole("button", { name: `Verify ${name}` }).click();
    await row.locator(".badge", { hasText: "verified" }).waitFor();
    expect(await result.getAttribute("class")).toContain("ok");
    await s.shot("domains-verified");
    const api = await v1("GET", `${env.server.url}/v1/Domains`, o.token);
    expect(api.body.domains).toEqual([expect.objectContaining({ domain_name: name, state: "verified" })]);
  });

  it("creates a SCIM token (shown once, works over SCIM only), revokes it, and lists the activity", async () => {
    const o = await env.server.newOrg();
    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.token);
    await s.go("#/provisioning");
    expect(await page.getByLabel("SCIM base URL").inputValue()).toBe(`${env.server.url}/scim/v2`);

    await page.getByLabel("Token name").fill("okta");
    await page.getByRole("button", { name: "Create token" }).click();
    const secretInput = page.getByLabel("Secret token");
    await secretInput.waitFor();
    const secret = await secretInput.inputValue();
    expect(secret).toMatch(/^osk_[0-9a-f]{32}_/);
    await s.shot("provisioning-token-created");
    expect((await call("GET", `${env.server.scim}/Users`, secret)).status).toBe(200);
    expect((await v1("GET", `${env.server.url}/v1/Organization`, secret)).status).toBe(403); // scim scope only

    const row = page.locator("tr", { hasText: "okta" });
    expect(await row.textContent()).toContain("scim");
    await row.getByRole("button", { name: "Revoke token okta" }).click();
    const dialog = page.getByRole("dialog", { name: "Revoke the token okta" });
    await dialog.getByRole("button", { name: "Revoke token" }).click();
    await page.getByText("The token okta is revoked.").waitFor();
    await row.locator(".badge", { hasText: "revoked" }).waitFor();
    expect((await call("GET", `${env.server.scim}/Users`, secret)).status).toBe(401);

    // The activity, refreshed after each token change: newest first, filtered by action.
    const events = page.locator("section[aria-labelledby='activity-title'] tbody tr");
    await events.first().filter({ hasText: "token.revoke" }).waitFor();
    await page.getByLabel("Action").fill("token.create");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.locator("section[aria-labelledby='activity-title'] tbody tr", { hasText: "token.revoke" }).waitFor({ state: "detached" });
    expect(await events.count()).toBe(1);
    expect(await events.first().textContent()).toContain("token test"); // the actor, named by its token
    await s.shot("provisioning");
  });

  it("returns to sign-in when the token in use stops working (here: revoked from this very page)", async () => {
    const o = await env.server.newOrg();
    const mine = await v1("POST", `${env.server.url}/v1/Tokens`, o.token, { friendly_name: "mine", scopes: ["admin"] });
    s = await openSession(env);
    const { page } = s;
    await s.signIn(mine.body.token);
    await s.go("#/provisioning");
    await page.getByRole("button", { name: "Revoke token mine" }).click();
    await page.getByRole("dialog", { name: "Revoke the token mine" }).getByRole("button", { name: "Revoke token" }).click();
    await page.getByText(/Your token is no longer accepted \(Missing, malformed, unknown or revoked bearer token/).waitFor();
    await page.getByLabel("API token").waitFor();
    expect(await page.getByRole("navigation", { name: "Admin Center" }).isVisible()).toBe(false);
    // The panel goes with the session, and the focus to the token field: both may land a frame after the form shows.
    await page.waitForFunction("document.querySelectorAll('dialog').length === 0 && document.activeElement && document.activeElement.name === 'token'", undefined, { timeout: 5_000 }).catch(() => undefined);
    expect(await page.locator("dialog").count()).toBe(0);
    expect(await page.evaluate("document.activeElement.name")).toBe("token");
    await s.shot("signed-out-token-revoked");
  });

  it("pages the activity with Next and Previous", async () => {
    const o = await env.server.newOrg();
    for (let i = 0; i < 25; i++) expect((await v1("POST", `${env.server.url}/v1/Tokens`, o.token, { friendly_name: `t${i}`, scopes: ["scim"] })).status).toBe(201);
    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.token);
    await s.go("#/provisioning");
    const events = page.locator("section[aria-labelledby='activity-title'] tbody tr");
    const pager = page.getByRole("navigation", { name: "Activity pages" });
    await pager.getByText("Page 1").waitFor();
    expect(await events.count()).toBe(20);
    await pager.getByRole("button", { name: "Next" }).click();
    await pager.getByText("Page 2").waitFor();
    expect(await events.count()).toBeGreaterThan(0);
    await pager.getByRole("button", { name: "Previous" }).click();
    await pager.getByText("Page 1").waitFor();
    expect(await events.count()).toBe(20);
  });

  it("works with the keyboard alone: sign in, navigate, open and close a panel", async () => {
    const o = await env.server.newOrg();
    s = await openSession(env);
    const { page } = s;
    await page.goto(`${env.server.url}/admin/`);
    const focused = () => page.evaluate("(() => { const e = document.activeElement; return (e.getAttribute('aria-label') || e.labels?.[0]?.textContent || e.textContent || '').trim(); })()");
    expect(await focused()).toBe("API token"); // focus starts in the token field
    await page.keyboard.type(o.token);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Users", level: 1 }).waitFor();
    expect(await focused()).toBe("Users"); // the new page's heading

    // Tab order: skip link, Sign out, the navigation, then the page.
    await page.locator(".skip-link").focus();
    const order = ["Skip to content", "Sign out", "Users", "Accounts", "Groups", "Domains", "Provisioning", "Provisioning errors", "Outbox", "Audit log", "Settings", "Invite User to Account", "Invite User", "Managed users"];
    const seen = [String(await focused())];
    for (let i = 1; i < order.length; i++) {
      await page.keyboard.press("Tab");
      seen.push(String(await focused()));
    }
    expect(seen).toEqual(order);

    // The tablist: arrows move between tabs.
    await page.keyboard.press("ArrowRight");
    await page.getByRole("tab", { name: "Independent users", selected: true }).waitFor();
    expect(await focused()).toBe("Independent users");

    // A panel opens on Enter, takes the focus, closes on Escape and gives the focus back.
    await page.getByRole("button", { name: "Invite User", exact: true }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("dialog", { name: "Invite User to Organization" }).waitFor();
    expect(await focused()).toBe("Email address");
    await page.keyboard.press("Escape");
    await page.getByRole("dialog").waitFor({ state: "detached" });
    expect(await focused()).toBe("Invite User");

    // Navigation by keyboard: focus a link, Enter.
    await page.getByRole("link", { name: "Domains" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Domains", level: 1 }).waitFor();
    expect(await focused()).toBe("Domains");
  });
});
