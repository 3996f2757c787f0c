/** The managed-user rules of docs/model.md, over real HTTP. */
import { systemClock } from "../../src/domain/clock";
import { call, ORG_EXT, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

describe("domain enforcement", () => {
  it("answers 400 naming the domain when the email's domain is not verified", async () => {
    const { token } = await s.newOrg();
    const r = await call("POST", `${s.scim}/Users`, token, userBody("dave@unverified.test"));
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe("invalidValue");
    expect(r.body.detail).toContain("unverified.test");
    expect(r.headers.get("x-orgscim-error-code")).toBe("4006");
  });

  it("provisions a user whose email is on a verified domain", async () => {
    const { org, token } = await s.newOrg();
    await s.verifyDomain(org.id, "verified-one.test");
    const r = await call("POST", `${s.scim}/Users`, token, userBody("erin@Verified-One.test"));
    expect(r.status).toBe(201);
  });

  it("refuses a domain another organization verified", async () => {
    const a = await s.newOrg();
    const b = await s.newOrg();
    await s.verifyDomain(a.org.id, "owned-by-a.test");
    expect((await call("POST", `${s.scim}/Users`, b.token, userBody("x@owned-by-a.test"))).status).toBe(400);
  });

  it("refuses a change of primary email to an unverified domain, and keeps the user unchanged", async () => {
    const { org, token } = await s.newOrg();
    await s.verifyDomain(org.id, "ok-domain.test");
    const c = await call("POST", `${s.scim}/Users`, token, userBody("frank@ok-domain.test"));
    const r = await call("PATCH", `${s.scim}/Users/${c.body.id}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "emails", value: [{ value: "frank@elsewhere.test", primary: true }] }] });
    expect(r.status).toBe(400);
    expect((await call("GET", `${s.scim}/Users/${c.body.id}`, token)).body.emails[0].value).toBe("frank@ok-domain.test");
  });

  it("does not apply when the organization turns enforcement off", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false });
    expect((await call("POST", `${s.scim}/Users`, token, userBody("gina@anything.test"))).status).toBe(201);
  });
});

describe("a user managed by another organization", () => {
  it("is not taken over, and not revealed: the create makes this organization's own user, as for an email nobody holds (docs/tenancy.md)", async () => {
    const a = await s.newOrg({ domainEnforcement: false });
    const b = await s.newOrg({ domainEnforcement: false });
    await call("POST", `${s.scim}/Users`, a.token, userBody("henry@shared.test"));
    const r = await call("POST", `${s.scim}/Users`, b.token, userBody("henry@shared.test"));
    expect(r.status).toBe(201);
    expect(r.headers.get("x-orgscim-outcome")).toBeNull();
    expect(r.body[ORG_EXT].status).toBe("managed");
    expect(await s.running.store.invitations.listForUser(b.org.id, r.body.id)).toEqual([]);
    expect(await s.running.store.outbox.list({ orgId: b.org.id, limit: 5 })).toEqual([]);
    // A's user is untouched.
    const inA = await call("GET", `${s.scim}/Users?filter=userName eq "henry@shared.test"`, a.token);
    expect(inA.body.Resources[0][ORG_EXT].status).toBe("managed");
  });
});

describe("the Owner", () => {
  async function orgWithOwner() {
    const o = await s.newOrg({ domainEnforcement: false });
    const c = await call("POST", `${s.scim}/Users`, o.token, userBody(`owner-${Math.random().toString(36).slice(2)}@acme.test`));
    const u = (await s.running.store.users.get(o.org.id, c.body.id))!;
    await s.running.store.users.update({ ...u, orgRole: "owner", version: u.version + 1 }, u.version);
    return { ...o, ownerId: u.id as string };
  }

  it("cannot be deactivated over SCIM, and the refusal is audited", async () => {
    const o = await orgWithOwner();
    const r = await call("PATCH", `${s.scim}/Users/${o.ownerId}`, o.token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "active", value: false }] });
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe("mutability");
    expect(r.headers.get("x-orgscim-error-code")).toBe("4007");
    const events = await s.running.store.audit.list(o.org.id, { limit: 5 });
    expect(events[0]).toMatchObject({ outcome: "refused", targetId: o.ownerId });
  });

  it("cannot be removed over SCIM", async () => {
    const o = await orgWithOwner();
    expect((await call("DELETE", `${s.scim}/Users/${o.ownerId}`, o.token)).status).toBe(400);
    expect((await call("GET", `${s.scim}/Users/${o.ownerId}`, o.token)).status).toBe(200);
  });

  it("cannot be demoted over SCIM", async () => {
    const o = await orgWithOwner();
    const r = await call("PATCH", `${s.scim}/Users/${o.ownerId}`, o.token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: `${ORG_EXT}:orgRole`, value: "standard" }] });
    expect(r.status).toBe(400);
  });
});

describe("org roles over SCIM", () => {
  it("refuses Administrator from a token with only the scim scope (403, audited)", async () => {
    const o = await s.newOrg({ domainEnforcement: false }, ["scim"]);
    const r = await call("POST", `${s.scim}/Users`, o.token, userBody("escalate@acme.test", { [ORG_EXT]: { orgRole: "administrator" } }));
    expect(r.status).toBe(403);
    expect((await s.running.store.audit.list(o.org.id, { limit: 1 }))[0]).toMatchObject({ outcome: "refused", action: "user.create" });
  });

  it("grants Administrator with an admin token", async () => {
    const o = await s.newOrg({ domainEnforcement: false }, ["admin"]);
    const r = await call("POST", `${s.scim}/Users`, o.token, userBody("admin2@acme.test", { [ORG_EXT]: { orgRole: "administrator" } }));
    expect(r.status).toBe(201);
    expect(r.body[ORG_EXT].orgRole).toBe("administrator");
  });

  it("never grants Owner over SCIM", async () => {
    const o = await s.newOrg({ domainEnforcement: false }, ["admin"]);
    expect((await call("POST", `${s.scim}/Users`, o.token, userBody("own@acme.test", { [ORG_EXT]: { orgRole: "owner" } }))).status).toBe(403);
  });

  it("refuses an org role that does not exist", async () => {
    const o = await s.newOrg({ domainEnforcement: false }, ["admin"]);
    const r = await call("POST", `${s.scim}/Users`, o.token, userBody("bad-role@acme.test", { [ORG_EXT]: { orgRole: "emperor" } }));
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/owner, administrator, standard/);
  });
});

describe("deprovisioning", () => {
  it("revives a deactivated user when Okta re-POSTs the same externalId", async () => {
    const o = await s.newOrg({ domainEnforcement: false });
    const c = await call("POST", `${s.scim}/Users`, o.token, userBody("ivy@acme.test", { externalId: "okta-ivy" }));
    await call("PATCH", `${s.scim}/Users/${c.body.id}`, o.token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", value: { active: false } }] });
    const again = await call("POST", `${s.scim}/Users`, o.token, userBody("ivy@acme.test", { externalId: "okta-ivy", displayName: "Ivy Again" }));
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(c.body.id);
    expect(again.body.active).toBe(true);
    expect(again.body.displayName).toBe("Ivy Again");
    expect(again.headers.get("x-orgscim-outcome")).toBe("revived");
  });

  it("answers 409 to a re-POST of an active user, three times in a row", async () => {
    const o = await s.newOrg({ domainEnforcement: false });
    await call("POST", `${s.scim}/Users`, o.token, userBody("jack@acme.test", { externalId: "okta-jack" }));
    for (let i = 0; i < 3; i++) expect((await call("POST", `${s.scim}/Users`, o.token, userBody("jack@acme.test", { externalId: "okta-jack" }))).status).toBe(409);
  });

  it("keeps a deactivated user readable and reactivates it", async () => {
    const o = await s.newOrg({ domainEnforcement: false });
    const c = await call("POST", `${s.scim}/Users`, o.token, userBody("kim@acme.test"));
    for (let i = 0; i < 3; i++) {
      expect((await call("PATCH", `${s.scim}/Users/${c.body.id}`, o.token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "Replace", path: "active", value: "False" }] })).status).toBe(204);
    }
    expect((await call("GET", `${s.scim}/Users/${c.body.id}`, o.token)).body.active).toBe(false);
    await call("PATCH", `${s.scim}/Users/${c.body.id}`, o.token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "active", value: true }] });
    expect((await call("GET", `${s.scim}/Users/${c.body.id}`, o.token)).body.active).toBe(true);
  });

  it("stops the tokens of a deactivated user at once", async () => {
    const o = await s.newOrg({ domainEnforcement: false });
    const c = await call("POST", `${s.scim}/Users`, o.token, userBody("leo@acme.test"));
    const { issueToken } = await import("../../src/domain/tokens");
    const { plaintext } = await issueToken(s.running.store, systemClock, { orgId: o.org.id, name: "leo", scopes: ["scim"], userId: c.body.id });
    // Leo is a Standard User: his token reads his own user (issue 13: not the organization's list).
    expect((await call("GET", `${s.scim}/Users/${c.body.id}`, plaintext)).status).toBe(200);
    await call("PATCH", `${s.scim}/Users/${c.body.id}`, o.token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "active", value: false }] });
    expect((await call("GET", `${s.scim}/Users/${c.body.id}`, plaintext)).status).toBe(401);
  });

  it("records every change in the audit log with its actor", async () => {
    const o = await s.newOrg({ domainEnforcement: false });
    const c = await call("POST", `${s.scim}/Users`, o.token, userBody("max@acme.test"));
    await call("PATCH", `${s.scim}/Users/${c.body.id}`, o.token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "active", value: false }] });
    await call("DELETE", `${s.scim}/Users/${c.body.id}`, o.token);
    const actions = (await s.running.store.audit.list(o.org.id, { limit: 10 })).map((e) => e.action);
    expect(actions.slice(0, 3)).toEqual(["user.remove", "user.deactivate", "user.create"]);
  });
});
