/** Authentication and tenant isolation (docs/security.md, cases 1–5, 7, 8). */
import { systemClock } from "../../src/domain/clock";
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";

let s: TestServer;
let a: { token: string; orgId: string };
let b: { token: string; orgId: string };

beforeAll(async () => {
  s = await startTestServer();
  const oa = await s.newOrg({ domainEnforcement: false });
  const ob = await s.newOrg({ domainEnforcement: false });
  a = { token: oa.token, orgId: oa.org.id };
  b = { token: ob.token, orgId: ob.org.id };
});
afterAll(() => s.close());

describe("authentication", () => {
  it.each([
    ["no header", {}],
    ["an empty Bearer", { authorization: "Bearer" }],
    ["Basic credentials", { authorization: "Basic dXNlcjpwYXNz" }],
    ["a malformed token", { authorization: "Bearer not-a-token" }],
    ["a well-formed unknown token", { authorization: `Bearer osk_${"0".repeat(32)}_${"A".repeat(43)}` }],
  ])("answers 401 with WWW-Authenticate and a SCIM error for %s", async (_label, headers) => {
    const r = await call("GET", `${s.scim}/Users`, null, undefined, headers as Record<string, string>);
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(r.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "401" });
    expect(r.body.detail).toMatch(/Authorization: Bearer/);
  });

  it("refuses a token in the query string even when it is valid", async () => {
    const r = await call("GET", `${s.scim}/Users?access_token=${encodeURIComponent(a.token)}`, null);
    expect(r.status).toBe(401);
  });

  it("refuses a token or an operator in the body", async () => {
    const r = await call("POST", `${s.scim}/Users`, null, { access_token: { $ne: 1 } });
    expect(r.status).toBe(401);
    const r2 = await call("POST", `${s.scim}/Users`, null, { access_token: a.token, ...userBody("body-token@acme.test") });
    expect(r2.status).toBe(401);
  });

  it("stops a revoked token at once", async () => {
    const { issueToken } = await import("../../src/domain/tokens");
    const { token, plaintext } = await issueToken(s.running.store, systemClock, { orgId: a.orgId, name: "short-lived", scopes: ["scim"] });
    expect((await call("GET", `${s.scim}/Users`, plaintext)).status).toBe(200);
    await s.running.store.tokens.revoke(a.orgId, token.id, new Date().toISOString());
    expect((await call("GET", `${s.scim}/Users`, plaintext)).status).toBe(401);
  });

  it("keeps only a hash of the token's secret", async () => {
    const { parseToken } = await import("../../src/domain/tokens");
    const parsed = parseToken(a.token)!;
    const stored = await s.running.store.tokens.get(parsed.id);
    expect(JSON.stringify(stored)).not.toContain(parsed.secret);
    expect(stored!.secretHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("tenant isolation", () => {
  let bUser: string;
  beforeAll(async () => {
    bUser = (await call("POST", `${s.scim}/Users`, b.token, userBody("isolated@b.test", { externalId: "b-ext" }))).body.id;
  });

  it("answers another organization's user id exactly like an unknown id, for every method", async () => {
    const unknown = `US${"e".repeat(32)}`;
    for (const [method, body] of [
      ["GET", undefined],
      ["PUT", userBody("hijack@a.test")],
      ["PATCH", { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "active", value: false }] }],
      ["DELETE", undefined],
    ] as const) {
      const foreign = await call(method, `${s.scim}/Users/${bUser}`, a.token, body);
      const random = await call(method, `${s.scim}/Users/${unknown}`, a.token, body);
      expect(foreign.status).toBe(404);
      expect(foreign.body.detail.replace(bUser, "ID")).toBe(random.body.detail.replace(unknown, "ID"));
    }
    const still = await call("GET", `${s.scim}/Users/${bUser}`, b.token);
    expect(still.status).toBe(200);
    expect(still.body.active).toBe(true);
  });

  it("filters only within the caller's organization", async () => {
    const r = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent('externalId eq "b-ext"')}`, a.token);
    expect(r.body.totalResults).toBe(0);
  });

  it("lets two organizations hold the same userName and externalId", async () => {
    const r = await call("POST", `${s.scim}/Users`, a.token, userBody("isolated@b.test", { externalId: "b-ext" }));
    expect(r.status).toBe(201);
    expect(r.body.id).not.toBe(bUser);
  });

  it("treats an externalId that looks like an id as data only", async () => {
    const r = await call("POST", `${s.scim}/Users`, a.token, userBody("extid@a.test", { externalId: bUser }));
    expect(r.status).toBe(201);
    expect(r.body.id).not.toBe(bUser);
    expect((await call("GET", `${s.scim}/Users/${bUser}`, b.token)).body.userName).toBe("isolated@b.test");
  });
});

describe("health", () => {
  it("answers /healthz and /readyz without a token", async () => {
    expect((await call("GET", `${s.url}/healthz`, null)).status).toBe(200);
    const r = await call("GET", `${s.url}/readyz`, null);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: "ready", store: "sqlite" });
  });

  it("answers an unknown path with a 404 that says where things are", async () => {
    const r = await call("GET", `${s.url}/nope`, null);
    expect(r.status).toBe(404);
    expect(r.body.message).toMatch(/\/scim\/v2/);
  });
});
