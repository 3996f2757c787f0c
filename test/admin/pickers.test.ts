/**
 * Owner pickers search the server (issue 19): the console never loads every managed user into the
 * page. Choosing an account's owner asks GET /v1/Users with Status=managed, a Search prefix and a
 * small page; more matches than a page are said, a narrower search finds the rest; suspended users
 * are not offered. The Accounts list names each page's owners by looking up only those.
 */
import { call, userBody } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { adminEnv, describeBrowser, openSession, type Session } from "./browser";

jest.setTimeout(90_000);

const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

describeBrowser("Admin Center: owner pickers search the server", () => {
  const env = adminEnv();
  let s: Session;
  afterEach(async () => {
    await s?.close();
  });

  it("finds an owner among more users than a page by searching, says when more match, and never offers a suspended user", async () => {
    const o = await env.server.newOrg({ domainEnforcement: false });
    const tag = Math.random().toString(36).slice(2, 8);
    const mk = async (local: string) => {
      const r = await call("POST", `${env.server.scim}/Users`, o.token, userBody(`${local}-${tag}@acme.test`));
      expect(r.status).toBe(201);
      return r.body.id as string;
    };
    for (let i = 0; i < 24; i++) await mk(`a${String(i).padStart(2, "0")}`);
    const zed = await mk("zed");
    const zoe = await mk("zoe");
    expect((await call("PATCH", `${env.server.scim}/Users/${zoe}`, o.token, { schemas: [PATCH], Operations: [{ op: "replace", path: "active", value: false }] })).status).toBe(204);

    s = await openSession(env);
    const { page } = s;
    const asked: string[] = [];
    page.on("request", (r) => {
      const u = new URL(r.url());
      if (u.pathname === "/v1/Users") asked.push(u.search);
    });
    await s.signIn(o.token);
    await s.go("#/accounts");
    await page.getByRole("button", { name: "Create account" }).click();
    const dialog = page.getByRole("dialog", { name: "Create account" });
    await dialog.getByText("More users match: type more of an email or user name to find others.").waitFor();
    expect(await dialog.locator(`option[value="${zed}"]`).count()).toBe(0); // not on the first page
    await dialog.getByLabel("Search users").fill("z");
    await dialog.locator(`option[value="${zed}"]`).waitFor({ state: "attached" });
    expect(await dialog.locator(`option[value="${zoe}"]`).count()).toBe(0); // suspended: cannot own an account
    await s.shot("account-create-owner-search");
    await dialog.getByLabel("Account name").fill("Found by search");
    await dialog.getByLabel("Owner", { exact: true }).selectOption(zed);
    await dialog.getByRole("button", { name: "Create account" }).click();
    await page.getByText("Account Found by search created.").waitFor();
    const accounts = (await v1("GET", `${env.server.url}/v1/Accounts`, o.token)).body.accounts as { friendly_name: string; owner_sid: string }[];
    expect(accounts.find((a) => a.friendly_name === "Found by search")?.owner_sid).toBe(zed);

    // Every user list the page asked for was one small page of managed users, searched on the server.
    expect(asked.length).toBeGreaterThan(0);
    for (const q of asked) {
      const p = new URLSearchParams(q);
      expect([p.get("Status"), p.get("PageSize"), p.get("PageToken")]).toEqual(["managed", "20", null]);
    }
    expect(asked.some((q) => new URLSearchParams(q).get("Search") === "z")).toBe(true);
  });
});
