/** /v1/Organization and the /v1 conventions: errors, authorization, the OpenAPI document. */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { ErrorBody } from "../../src/http/v1/openapi";
import { OrganizationBody } from "../../src/http/v1/organization-routes";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";
import { conforms, v1 } from "../helpers/v1";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

describe("/v1/Organization", () => {
  it("answers the caller's organization in snake_case, as declared", async () => {
    const o = await s.newOrg();
    const r = await v1("GET", `${s.url}/v1/Organization`, o.token);
    expect(r.status).toBe(200);
    expect(conforms(OrganizationBody, r)).toMatchObject({ sid: o.org.id, domain_enforcement: true });
  });

  it("updates settings, and the SCIM side follows at once", async () => {
    const o = await s.newOrg();
    expect((await call("POST", `${s.scim}/Users`, o.token, userBody("x@free.test"))).status).toBe(400);
    const r = await v1("POST", `${s.url}/v1/Organization`, o.token, { domain_enforcement: false });
    expect(conforms(OrganizationBody, r).domain_enforcement).toBe(false);
    expect((await call("POST", `${s.scim}/Users`, o.token, userBody("x@free.test"))).status).toBe(201);
  });

  it("answers a bad body with 400 in the {code, message, more_info, status} shape, naming the field", async () => {
    const o = await s.newOrg();
    const r = await v1("POST", `${s.url}/v1/Organization`, o.token, { domain_enforcement: "maybe" });
    expect(r.status).toBe(400);
    expect(conforms(ErrorBody, r).message).toMatch(/domain_enforcement/);
  });

  it("refuses a scim-only token with 403", async () => {
    const o = await s.newOrg({}, ["scim"]);
    const r = await v1("GET", `${s.url}/v1/Organization`, o.token);
    expect(r.status).toBe(403);
    expect(conforms(ErrorBody, r).status).toBe(403);
  });

  it("refuses a Standard User's token with 403, and audits the refusal", async () => {
    const o = await s.newOrg({ domainEnforcement: false });
    const u = (await call("POST", `${s.scim}/Users`, o.token, userBody("std@acme.test"))).body.id;
    const { plaintext } = await issueToken(s.running.store, systemClock, { orgId: o.org.id, name: "std", scopes: ["admin"], userId: u });
    const r = await v1("POST", `${s.url}/v1/Organization`, plaintext, { domain_enforcement: true });
    expect(r.status).toBe(403);
    expect(r.body.message).toMatch(/Owner or Administrator/);
    expect((await s.running.store.audit.list(o.org.id, { limit: 1 }))[0]).toMatchObject({ outcome: "refused", action: "organization.settings.update" });
  });

  it("answers 401 without a token, in the /v1 error shape", async () => {
    const r = await v1("GET", `${s.url}/v1/Organization`, null);
    expect(r.status).toBe(401);
    conforms(ErrorBody, r);
  });
});

describe("/v1/openapi.json", () => {
  it("is an OpenAPI 3.1 document listing every declared route", async () => {
    const r = await call("GET", `${s.url}/v1/openapi.json`, null);
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe("3.1.0");
    expect(Object.keys(r.body.paths)).toContain("/Organization");
    expect(r.body.paths["/Organization"].post.requestBody).toBeDefined();
  });
});
