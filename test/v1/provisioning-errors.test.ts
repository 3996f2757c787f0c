/**
 * Provisioning errors over real HTTP: SCIM requests (and /Bulk operations) refused for their
 * content are kept for GET /v1/ProvisioningErrors, bounded per organization, never with a body;
 * policy refusals and unauthenticated requests are not (they are audit events, or nobody's).
 */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { ProvisioningErrorCounts, ProvisioningErrorPage } from "../../src/http/v1/provisioning-errors-routes";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";
import { conforms, v1 } from "../helpers/v1";

const KEPT = 5;

describe("GET /v1/ProvisioningErrors", () => {
  let server: TestServer;
  let admin: string;
  let idp: string;
  let idpSid: string;
  let orgId: string;
  const list = async (token: string, query = "") => ({
    ...conforms(ProvisioningErrorPage, await v1("GET", `${server.url}/v1/ProvisioningErrors${query}`, token)),
    ...conforms(ProvisioningErrorCounts, await v1("GET", `${server.url}/v1/ProvisioningErrors/Counts`, token)),
  });

  beforeAll(async () => {
    server = await startTestServer({ PROVISIONING_ERRORS_KEPT: String(KEPT) });
    const made = await server.newOrg();
    admin = made.token;
    orgId = made.org.id;
    await server.verifyDomain(orgId, "acme.test");
    const t = await issueToken(server.running.store, systemClock, { orgId, name: "Okta", scopes: ["scim"] });
    idp = t.plaintext;
    idpSid = t.token.id;
  });
  afterAll(() => server.close());

  it("keeps a SCIM POST refused because its userName is taken, with the reason, status, scimType, credential and target", async () => {
    expect((await call("POST", `${server.scim}/Users`, idp, userBody("taken@acme.test", { externalId: "00u-first" }))).status).toBe(201);
    const refused = await call("POST", `${server.scim}/Users`, idp, userBody("TAKEN@acme.test", { externalId: "00u-second" }));
    expect(refused.status).toBe(409);
    const page = await list(admin);
    const [e] = page.provisioning_errors;
    expect(e).toMatchObject({
      status: 409, scim_type: "uniqueness", code: Number(refused.headers.get("x-orgscim-error-code")), reason: refused.body.detail,
      method: "POST", path: "/Users", bulk: false, credential: idpSid, target_name: "TAKEN@acme.test", external_id: "00u-second",
    });
    expect(e!.reason).toMatch(/already in use/);
  });

  it("keeps an email domain the organization has not verified, a bad filter and a malformed body, never the body itself", async () => {
    expect((await call("POST", `${server.scim}/Users`, idp, userBody("someone@unverified.test"))).status).toBe(400);
    expect((await call("GET", `${server.scim}/Users?filter=${encodeURIComponent("userName zz \"x\"")}`, idp)).status).toBe(400);
    const secret = "hunter2-do-not-keep";
    expect((await call("POST", `${server.scim}/Users`, idp, `{"userName":"x@acme.test","password":"${secret}",`)).status).toBe(400);
    const page = await list(admin);
    const [json, filter, domain] = page.provisioning_errors;
    expect(domain).toMatchObject({ status: 400, scim_type: "invalidValue", target_name: "someone@unverified.test" });
    expect(domain!.reason).toMatch(/unverified\.test.*not verified/);
    expect(filter).toMatchObject({ status: 400, scim_type: "invalidFilter", method: "GET", path: "/Users" });
    expect(json).toMatchObject({ status: 400, scim_type: "invalidSyntax", reason: "The request body is not valid JSON.", target_name: null });
    expect(JSON.stringify(page)).not.toContain(secret);
  });

  it("keeps each /Bulk operation refused for its content, and not the ones that succeeded", async () => {
    const bulk = await call("POST", `${server.scim}/Bulk`, idp, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
      Operations: [
        { method: "POST", path: "/Users", bulkId: "ok", data: userBody("bulk-ok@acme.test") },
        { method: "POST", path: "/Users", bulkId: "dup", data: userBody("taken@acme.test", { externalId: "00u-bulk" }) },
      ],
    });
    expect(bulk.status).toBe(200);
    expect(bulk.body.Operations.map((o: { status: string }) => o.status)).toEqual(["201", "409"]);
    const [e] = (await list(admin)).provisioning_errors;
    expect(e).toMatchObject({ status: 409, scim_type: "uniqueness", method: "POST", path: "/Users", bulk: true, target_name: "taken@acme.test", external_id: "00u-bulk" });
  });

  it("keeps no policy refusal (an audit event) and nothing for a request without a valid token", async () => {
    const before = await list(admin);
    // The scim scope alone may not make an Administrator: refused by the policy (403), audited.
    const policy = await call("POST", `${server.scim}/Users`, idp, userBody("boss@acme.test", { "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User": { orgRole: "administrator" } }));
    expect(policy.status).toBe(403);
    expect((await call("POST", `${server.scim}/Users`, "osk_00000000000000000000000000000000_nope-nope-nope-nope-nope-nope-nope", { nonsense: true })).status).toBe(401);
    const after = await list(admin);
    expect(after.recorded).toBe(before.recorded);
    expect(after.provisioning_errors).toEqual(before.provisioning_errors);
  });

  it("holds the bound under a flood: the newest PROVISIONING_ERRORS_KEPT kept, the rest dropped and counted, another organization's untouched", async () => {
    const other = await server.newOrg();
    await server.verifyDomain(other.org.id, "other.test");
    expect((await call("POST", `${server.scim}/Users`, other.token, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"] })).status).toBe(400);
    const otherBefore = await list(other.token);
    expect(otherBefore.provisioning_errors).toHaveLength(1);

    const before = await list(admin);
    const flood = 40;
    const answers = await Promise.all(Array.from({ length: flood }, (_, i) =>
      call("POST", `${server.scim}/Users`, idp, userBody(`flood-${i}@unverified.test`))));
    expect(answers.every((a) => a.status === 400)).toBe(true);
    const after = await list(admin, "?PageSize=50");
    expect(after.recorded).toBe(before.recorded + flood);
    expect(after.provisioning_errors).toHaveLength(KEPT);
    expect([after.retained, after.dropped]).toEqual([KEPT, after.recorded - KEPT]);
    expect(after.provisioning_errors.every((e) => /^flood-\d+@unverified\.test$/.test(e.target_name ?? ""))).toBe(true);
    expect(after.provisioning_errors.map((e) => e.number)).toEqual(Array.from({ length: KEPT }, (_, i) => after.recorded - i));

    // Another organization: its own record is still there, and it sees none of these.
    const otherAfter = await list(other.token);
    expect(otherAfter).toEqual(otherBefore);
    expect(JSON.stringify(otherAfter)).not.toContain("flood-");
  });
});
