/**
 * OAuth 2.0 client credentials over real HTTP on a real SQLite store: an identity provider
 * configured as Microsoft Entra's provisioning is (tenant URL, token endpoint, client id, secret)
 * provisions users end to end, and the token endpoint answers RFC 6749 §5.1/§5.2 and RFC 8414.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { call, startTestServer, userBody, PATCH_SCHEMA, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { accessToken, exchange, makeClient, tokenRequest, uniqueDomain } from "./helpers";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

describe("an Entra-style client credentials configuration", () => {
  it("provisions, updates, deactivates and lists users with the access token it gets (client_secret_post)", async () => {
    const { org, token: admin } = await s.newOrg();
    const domain = uniqueDomain();
    await s.verifyDomain(org.id, domain);
    const client = await makeClient(s, admin);
    expect(client.tokenEndpoint).toBe(`${s.url}/oauth/token`);

    const t = await exchange(client);
    expect(t.status).toBe(200);
    expect(t.headers.get("cache-control")).toBe("no-store");
    expect(t.headers.get("pragma")).toBe("no-cache");
    expect(t.body).toEqual({ access_token: expect.stringMatching(/^oat_[0-9a-f]{32}_/), token_type: "Bearer", expires_in: 3600, scope: "scim" });
    const bearer = t.body.access_token as string;

    const made = await call("POST", `${s.scim}/Users`, bearer, userBody(`ada@${domain}`, { externalId: "entra-1" }));
    expect(made.status).toBe(201);
    const patched = await call("PATCH", `${s.scim}/Users/${made.body.id}`, bearer, {
      schemas: [PATCH_SCHEMA], Operations: [{ op: "Replace", path: "active", value: "False" }],
    });
    expect([200, 204]).toContain(patched.status);
    expect((await call("GET", `${s.scim}/Users/${made.body.id}`, bearer)).body.active).toBe(false);
    const listed = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent('externalId eq "entra-1"')}`, bearer);
    expect(listed.body.totalResults).toBe(1);

    // The audit log names the client (what acts), as it names a static token.
    const audit = await v1("GET", `${s.url}/v1/AuditEvents?Action=user.create`, admin);
    expect(audit.status).toBe(200);
    expect(audit.body.audit_events.map((e: { actor: string }) => e.actor)).toContain(client.id);
  });

  it("takes client_secret_basic as well, and the scim-only token stays out of /v1 (403)", async () => {
    const { token: admin } = await s.newOrg();
    const client = await makeClient(s, admin);
    const t = await tokenRequest(client.tokenEndpoint, { grant_type: "client_credentials" }, { basic: [client.id, client.secret] });
    expect(t.status).toBe(200);
    expect((await call("GET", `${s.scim}/Users`, t.body.access_token)).status).toBe(200);
    expect((await v1("GET", `${s.url}/v1/Users`, t.body.access_token)).status).toBe(403);
  });

  it("gives an admin client's token /v1 too, and a narrower scope when asked for one", async () => {
    const { token: admin } = await s.newOrg();
    const client = await makeClient(s, admin, { scopes: ["scim", "admin"] });
    const both = await exchange(client);
    expect(both.body.scope).toBe("scim admin");
    expect((await v1("GET", `${s.url}/v1/Users`, both.body.access_token)).status).toBe(200);
    const narrow = await exchange(client, { scope: "scim" });
    expect(narrow.body.scope).toBe("scim");
    expect((await v1("GET", `${s.url}/v1/Users`, narrow.body.access_token)).status).toBe(403);
    expect((await call("GET", `${s.scim}/Users`, narrow.body.access_token)).status).toBe(200);
  });
});

describe("discovery", () => {
  it("publishes RFC 8414 metadata naming the token endpoint and what it takes", async () => {
    const r = await call("GET", `${s.url}/.well-known/oauth-authorization-server`, null);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      issuer: s.url,
      token_endpoint: `${s.url}/oauth/token`,
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
      grant_types_supported: ["client_credentials"],
      scopes_supported: ["scim", "admin"],
    });
    expect(r.body.response_types_supported).toEqual([]);
  });

  it("names PUBLIC_URL as the issuer when it is set, and takes resources under it only", async () => {
    const pub = await startTestServer({ PUBLIC_URL: "https://scim.example.test" });
    try {
      const meta = await call("GET", `${pub.url}/.well-known/oauth-authorization-server`, null);
      expect(meta.body.issuer).toBe("https://scim.example.test");
      expect(meta.body.token_endpoint).toBe("https://scim.example.test/oauth/token");
      const { token: admin } = await pub.newOrg();
      const made = await makeClient(pub, admin);
      expect(made.tokenEndpoint).toBe("https://scim.example.test/oauth/token");
      const c = { ...made, tokenEndpoint: `${pub.url}/oauth/token` };
      expect((await exchange(c, { resource: "https://scim.example.test/scim/v2" })).status).toBe(200);
      expect((await exchange(c, { resource: `${pub.url}/scim/v2` })).body.error).toBe("invalid_target");
    } finally {
      await pub.close();
    }
  });

  it("lists the OAuth 2.0 scheme in ServiceProviderConfig's authenticationSchemes", async () => {
    const { token } = await s.newOrg();
    const r = await call("GET", `${s.scim}/ServiceProviderConfig`, token);
    const schemes = r.body.authenticationSchemes as { type: string; description: string; primary?: boolean }[];
    expect(schemes.map((x) => x.type)).toEqual(["oauthbearertoken", "oauth2"]);
    expect(schemes[1]!.description).toContain(`${s.url}/oauth/token`);
  });
});

describe("the token endpoint's errors (RFC 6749 §5.2)", () => {
  it("answers unsupported_grant_type for another grant, invalid_request without one", async () => {
    const { token: admin } = await s.newOrg();
    const c = await makeClient(s, admin);
    const pw = await tokenRequest(c.tokenEndpoint, { grant_type: "password", client_id: c.id, client_secret: c.secret, username: "a", password: "b" });
    expect(pw.status).toBe(400);
    expect(pw.body.error).toBe("unsupported_grant_type");
    const none = await tokenRequest(c.tokenEndpoint, { client_id: c.id, client_secret: c.secret });
    expect(none.status).toBe(400);
    expect(none.body.error).toBe("invalid_request");
    expect(none.headers.get("cache-control")).toBe("no-store");
  });

  it("answers invalid_request for a repeated parameter, a JSON body, or credentials in both places", async () => {
    const { token: admin } = await s.newOrg();
    const c = await makeClient(s, admin);
    const twice = await tokenRequest(c.tokenEndpoint, { grant_type: "client_credentials", client_id: c.id, client_secret: [c.secret, "x"] });
    expect([twice.status, twice.body.error]).toEqual([400, "invalid_request"]);
    const json = await call("POST", c.tokenEndpoint, null, { grant_type: "client_credentials", client_id: c.id, client_secret: c.secret }, { "content-type": "application/json" });
    expect([json.status, json.body.error]).toEqual([400, "invalid_request"]);
    const both = await tokenRequest(c.tokenEndpoint, { grant_type: "client_credentials", client_secret: c.secret }, { basic: [c.id, c.secret] });
    expect([both.status, both.body.error]).toEqual([400, "invalid_request"]);
  });

  it("answers invalid_scope for an unknown scope or one the client lacks, and issues nothing", async () => {
    const { token: admin } = await s.newOrg();
    const c = await makeClient(s, admin);
    for (const scope of ["scim admin", "admin", "root", ""]) {
      const r = await exchange(c, { scope });
      expect([scope, r.status, r.body.error]).toEqual([scope, 400, "invalid_scope"]);
      expect(r.body.access_token).toBeUndefined();
    }
  });

  it("keeps only hashes: neither the client secret nor an access token is in the database file", async () => {
    const { token: admin } = await s.newOrg();
    const c = await makeClient(s, admin);
    const at = await accessToken(c);
    await call("GET", `${s.scim}/Users`, at);
    const file = readFileSync(join(s.dir, "test.db"));
    const wal = (() => { try { return readFileSync(join(s.dir, "test.db-wal")); } catch { return Buffer.alloc(0); } })();
    // The secret is everything after `oat_<32 hex>_`: base64url may hold "_" itself, and split("_")[2]
    // then gave a fragment of a few characters (or "", which every file includes) — a flaky failure.
    const atSecret = at.slice("oat_".length + 33);
    expect(atSecret).toHaveLength(at.length - 37);
    expect(atSecret.length).toBeGreaterThanOrEqual(40);
    for (const secret of [c.secret, at, atSecret]) {
      expect(file.includes(secret)).toBe(false);
      expect(wal.includes(secret)).toBe(false);
    }
    const hash = createHash("sha256").update(c.secret).digest("hex");
    expect(file.includes(hash) || wal.includes(hash)).toBe(true); // the check can see what is there
  });
});
