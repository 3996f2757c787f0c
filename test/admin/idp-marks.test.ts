/**
 * Users the identity provider manages are marked, and the fields it owns are read-only in the
 * console with the reason (Chromium, real server). "Managed by the identity provider" is derived
 * from the user's externalId, which only SCIM (or an import of the identity provider's records)
 * sets: a user the identity provider pushed, and one it adopted later (a SCIM PUT that adds an
 * externalId to a user invited in the console), are marked; a user without one is not, and their
 * names stay editable. Org role and two-factor stay editable for both: orgscim owns them.
 */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { call, userBody } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { adminEnv, describeBrowser, openSession, type Session } from "./browser";

jest.setTimeout(120_000);

describeBrowser("Admin Center: what the identity provider manages", () => {
  const env = adminEnv();
  let s: Session;
  afterEach(async () => {
    await s?.close();
  });

  it("marks the identity provider's users, makes their names read-only with the reason, and leaves the others editable", async () => {
    const o = await env.server.newOrg({ domainEnforcement: false });
    const idp = (await issueToken(env.server.running.store, systemClock, { orgId: o.org.id, name: "okta", scopes: ["scim"] })).plaintext;
    const tag = Math.random().toString(36).slice(2, 8);
    const pushed = await call("POST", `${env.server.scim}/Users`, idp, userBody(`pushed-${tag}@acme.test`, { externalId: `00u-${tag}`, name: { givenName: "Pia", familyName: "Pushed" } }));
    expect(pushed.status).toBe(201);
    const plain = await call("POST", `${env.server.scim}/Users`, o.token, userBody(`plain-${tag}@acme.test`, { name: { givenName: "Paul", familyName: "Plain" } }));
    const adopted = await call("POST", `${env.server.scim}/Users`, o.token, userBody(`adopted-${tag}@acme.test`, { name: { givenName: "Ada", familyName: "Adopted" } }));
    // The identity provider adopts an existing user: its PUT adds its externalId.
    const put = await call("PUT", `${env.server.scim}/Users/${adopted.body.id}`, idp, userBody(`adopted-${tag}@acme.test`, { externalId: `00u-adopt-${tag}`, name: { givenName: "Ada", familyName: "Adopted" } }));
    expect(put.status).toBe(200);

    // Over /v1, the mark and the externalId it is derived from.
    const read = async (sid: string) => (await v1("GET", `${env.server.url}/v1/Users/${sid}`, o.token)).body as { managed_by_idp: boolean; external_id: string | null };
    expect(await read(pushed.body.id)).toMatchObject({ managed_by_idp: true, external_id: `00u-${tag}` });
    expect(await read(adopted.body.id)).toMatchObject({ managed_by_idp: true, external_id: `00u-adopt-${tag}` });
    expect(await read(plain.body.id)).toMatchObject({ managed_by_idp: false, external_id: null });

    s = await openSession(env);
    const { page } = s;
    await s.signIn(o.token);
    await page.locator(`tr[data-user="${pushed.body.id}"]`).waitFor();
    expect(await page.locator(`tr[data-user="${pushed.body.id}"] .badge.idp`).count()).toBe(1);
    expect(await page.locator(`tr[data-user="${adopted.body.id}"] .badge.idp`).count()).toBe(1);
    expect(await page.locator(`tr[data-user="${plain.body.id}"] .badge.idp`).count()).toBe(0);

    await s.go(`#/users/${pushed.body.id}/general`);
    await page.getByRole("heading", { name: "Pia Pushed", level: 1 }).waitFor();
    for (const label of ["First name", "Last name", "Display name"]) expect(await page.getByLabel(label).getAttribute("readonly")).not.toBeNull();
    expect(await page.getByText(/Your identity provider manages this user \(external ID 00u-/).count()).toBe(1);
    expect(await page.getByLabel("Organization role").isDisabled()).toBe(false);
    await s.shot("user-idp-managed");
    // Saving what orgscim owns still works; the names are not sent.
    await page.getByLabel("Require two-factor authentication when signing in").check();
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText(/Saved .*settings/).waitFor();
    expect((await v1("GET", `${env.server.url}/v1/Users/${pushed.body.id}`, o.token)).body).toMatchObject({ two_factor_required: true, given_name: "Pia" });

    await s.go(`#/users/${plain.body.id}/general`);
    await page.getByRole("heading", { name: "Paul Plain", level: 1 }).waitFor();
    expect(await page.getByLabel("First name").getAttribute("readonly")).toBeNull();
    await page.getByLabel("First name").fill("Pauline");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText(/Saved .*settings/).waitFor();
    expect((await v1("GET", `${env.server.url}/v1/Users/${plain.body.id}`, o.token)).body).toMatchObject({ given_name: "Pauline" });
  });
});
