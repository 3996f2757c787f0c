/**
 * The names an identity provider owns (docs/identity-provider-owned.md): over /v1, a change of
 * display_name, given_name or family_name of a user the identity provider manages (one with an
 * externalId) is refused with 409 / 4012 and changes nothing, unless the caller sends
 * override_identity_provider: true; the policy answers first; the identity provider itself (SCIM)
 * and everything orgscim owns (two-factor, org role) are unaffected; a user without an externalId
 * is edited as before. Real server, real HTTP.
 */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";

describe("/v1 and the names the identity provider owns", () => {
  let server: TestServer;
  let admin: string;
  let idp: string;
  let orgId: string;
  const tag = () => Math.random().toString(36).slice(2, 8);
  const user = async (sid: string) => (await v1("GET", `${server.url}/v1/Users/${sid}`, admin)).body;
  const updates = async (sid: string) => (await v1("GET", `${server.url}/v1/AuditEvents?Action=user.update&TargetSid=${sid}`, admin)).body.audit_events as unknown[];

  beforeAll(async () => {
    server = await startTestServer();
    const made = await server.newOrg({ domainEnforcement: false });
    admin = made.token;
    orgId = made.org.id;
    idp = (await issueToken(server.running.store, systemClock, { orgId, name: "Okta", scopes: ["scim"] })).plaintext;
  });
  afterAll(() => server.close());

  const pushed = async () => {
    const t = tag();
    const r = await call("POST", `${server.scim}/Users`, idp, userBody(`pushed-${t}@acme.test`, { externalId: `00u-${t}`, displayName: "Pia P", name: { givenName: "Pia", familyName: "Pushed" } }));
    expect(r.status).toBe(201);
    return r.body.id as string;
  };

  it.each([
    ["given_name", { given_name: "Pina" }],
    ["family_name", { family_name: "Pulled" }],
    ["display_name", { display_name: "Someone else" }],
    ["display_name", { display_name: null }],
  ])("refuses a change of %s of a user the identity provider manages with 409 / 4012, saying to change it there; nothing changes", async (attr, body) => {
    const sid = await pushed();
    const before = await user(sid);
    const r = await v1("POST", `${server.url}/v1/Users/${sid}`, admin, { ...body, two_factor_required: true });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe(4012);
    expect(r.text).toContain(attr);
    expect(r.text).toMatch(/identity provider/);
    expect(r.text).toMatch(/override_identity_provider/);
    expect(await user(sid)).toEqual(before); // not half-applied: two_factor_required did not change either
    expect(await updates(sid)).toEqual([]);
  });

  it("changes them when the caller takes ownership with override_identity_provider: true, and audits the change", async () => {
    const sid = await pushed();
    const r = await v1("POST", `${server.url}/v1/Users/${sid}`, admin, { given_name: "Pina", display_name: "Pina P", override_identity_provider: true });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ given_name: "Pina", display_name: "Pina P", family_name: "Pushed", managed_by_idp: true });
    expect(await updates(sid)).toHaveLength(1);
  });

  it("accepts the names unchanged (a whole form sent back) and what orgscim owns, without the override", async () => {
    const sid = await pushed();
    const r = await v1("POST", `${server.url}/v1/Users/${sid}`, admin, { given_name: "Pia", family_name: "Pushed", display_name: "Pia P", two_factor_required: true, org_role: "administrator" });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ two_factor_required: true, org_role: "administrator", given_name: "Pia" });
  });

  it("edits the names of a user without an externalId as before", async () => {
    const t = tag();
    const plain = await call("POST", `${server.scim}/Users`, admin, userBody(`plain-${t}@acme.test`, { name: { givenName: "Paul", familyName: "Plain" } }));
    const r = await v1("POST", `${server.url}/v1/Users/${plain.body.id}`, admin, { given_name: "Paula" });
    expect(r.status).toBe(200);
    expect(r.body.given_name).toBe("Paula");
  });

  it("refuses the same for a user the identity provider adopted later (its PUT added the externalId)", async () => {
    const t = tag();
    const u = await call("POST", `${server.scim}/Users`, admin, userBody(`adopted-${t}@acme.test`, { name: { givenName: "Ada", familyName: "Adopted" } }));
    expect((await v1("POST", `${server.url}/v1/Users/${u.body.id}`, admin, { given_name: "Adele" })).status).toBe(200);
    const put = await call("PUT", `${server.scim}/Users/${u.body.id}`, idp, userBody(`adopted-${t}@acme.test`, { externalId: `00u-a-${t}`, name: { givenName: "Ada", familyName: "Adopted" } }));
    expect(put.status).toBe(200);
    expect((await v1("POST", `${server.url}/v1/Users/${u.body.id}`, admin, { given_name: "Adele" })).status).toBe(409);
  });

  it("answers the policy first: a Standard User's token is refused with 403, learning nothing about who manages the user", async () => {
    const sid = await pushed();
    const t = tag();
    const std = await call("POST", `${server.scim}/Users`, admin, userBody(`std-${t}@acme.test`));
    const token = (await issueToken(server.running.store, systemClock, { orgId, name: "std", scopes: ["admin"], userId: std.body.id, ceiling: "standard" })).plaintext;
    const r = await v1("POST", `${server.url}/v1/Users/${sid}`, token, { given_name: "Mallory" });
    expect(r.status).toBe(403);
    expect(r.text).not.toMatch(/identity provider/);
    const r2 = await v1("POST", `${server.url}/v1/Users/${sid}`, token, { given_name: "Mallory", override_identity_provider: true });
    expect(r2.status).toBe(403);
    expect((await user(sid)).given_name).toBe("Pia");
  });

  it("leaves the identity provider itself free to change them over SCIM", async () => {
    const sid = await pushed();
    const r = await call("PATCH", `${server.scim}/Users/${sid}`, idp, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "name.givenName", value: "Pippa" }] });
    expect([200, 204]).toContain(r.status);
    expect((await user(sid)).given_name).toBe("Pippa");
  });
});
