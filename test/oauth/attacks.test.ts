/**
 * The token endpoint is a door without a bearer token: each way around it, over real HTTP on a real
 * store. Secret guessing, a client of another organization, a client acting for a suspended or
 * removed user, a scope widened at exchange, a token replayed after its client is deleted or past
 * its expiry, a token for one API used at the other, forged JWTs, and the budgets.
 */
import { createHmac } from "node:crypto";
import { operatorActor } from "../../src/domain/actor";
import { systemClock, type Clock } from "../../src/domain/clock";
import { createClient, exchangeClientCredentials } from "../../src/domain/oauth";
import { createUser, modifyUser } from "../../src/domain/users";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { accessToken, exchange, makeClient, tokenRequest, uniqueDomain, type Client } from "./helpers";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const deps = () => ({ store: s.running.store, clock: systemClock });
const expectInvalidClient = (r: { status: number; body: { error?: string }; headers: Headers }) => {
  expect(r.status).toBe(401);
  expect(r.body.error).toBe("invalid_client");
  expect(r.headers.get("www-authenticate")).toMatch(/^Basic realm="orgscim"/);
};

describe("client authentication", () => {
  it("answers one invalid_client (401, WWW-Authenticate) for a wrong secret, an unknown id, and another client's secret", async () => {
    const { token: admin } = await s.newOrg();
    const a = await makeClient(s, admin);
    const b = await makeClient(s, admin);
    const wrong = await exchange({ ...a, secret: `${a.secret.slice(0, -1)}${a.secret.endsWith("A") ? "B" : "A"}` });
    const unknown = await exchange({ ...a, id: `OC${"0".repeat(32)}` });
    const crossed = await exchange({ ...a, secret: b.secret });
    const malformed = await exchange({ ...a, id: "' OR 1=1 --" });
    for (const r of [wrong, unknown, crossed, malformed]) expectInvalidClient(r);
    // the same description for each: nothing tells an unknown id from a wrong secret
    expect(new Set([wrong, unknown, crossed, malformed].map((r) => r.body.error_description)).size).toBe(1);
    const basic = await tokenRequest(a.tokenEndpoint, { grant_type: "client_credentials" }, { basic: [a.id, "nope"] });
    expectInvalidClient(basic);
  });

  it("never takes a client secret, or the client id and secret, as a bearer token", async () => {
    const { token: admin } = await s.newOrg();
    const c = await makeClient(s, admin, { scopes: ["scim", "admin"] });
    for (const bearer of [c.secret, `${c.id}:${c.secret}`, `osk_${c.id.slice(2)}_${c.secret.slice(4)}`, `oat_${c.id.slice(2)}_${c.secret.slice(4)}`]) {
      expect((await call("GET", `${s.scim}/Users`, bearer)).status).toBe(401);
    }
  });

  it("never takes an access token as a client secret, nor lists clients and access tokens as /v1 Tokens", async () => {
    const { token: admin } = await s.newOrg();
    const c = await makeClient(s, admin);
    const at = await accessToken(c);
    expectInvalidClient(await exchange({ ...c, secret: at }));
    const tokens = await v1("GET", `${s.url}/v1/Tokens`, admin);
    expect(tokens.body.tokens.map((t: { sid: string }) => t.sid.slice(0, 2))).toEqual(["TK"]);
    expect((await v1("DELETE", `${s.url}/v1/Tokens/${c.id}`, admin)).status).toBe(404);
  });

  it("refuses forged JWTs: alg none, and HS256 keyed with the client secret", async () => {
    const { token: admin } = await s.newOrg();
    const c = await makeClient(s, admin, { scopes: ["scim", "admin"] });
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const claims = { iss: s.url, sub: c.id, aud: `${s.url}/scim/v2`, scope: "scim admin", exp: Math.floor(Date.now() / 1000) + 600 };
    const none = `${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`;
    const head = `${b64({ alg: "HS256", typ: "JWT" })}.${b64(claims)}`;
    const hs = `${head}.${createHmac("sha256", c.secret).update(head).digest("base64url")}`;
    for (const jwt of [none, hs]) {
      expect((await call("GET", `${s.scim}/Users`, jwt)).status).toBe(401);
      expect((await v1("GET", `${s.url}/v1/Users`, jwt)).status).toBe(401);
    }
  });
});

describe("what an access token may do", () => {
  it("stops working at once when its client is deleted, and the client gets no new one", async () => {
    const { token: admin } = await s.newOrg();
    const c = await makeClient(s, admin, { scopes: ["scim", "admin"] });
    const at = await accessToken(c);
    // a static token made through the access token dies with the client too (its maker chain)
    const made = await v1("POST", `${s.url}/v1/Tokens`, at, { friendly_name: "made by the client", scopes: ["scim"] });
    expect(made.status).toBe(201);
    expect(made.body.created_by).toBe(c.id);
    expect((await call("GET", `${s.scim}/Users`, made.body.token)).status).toBe(200);
    expect((await v1("DELETE", `${s.url}/v1/OAuthClients/${c.id}`, admin)).status).toBe(204);
    const replay = await call("GET", `${s.scim}/Users`, at);
    expect(replay.status).toBe(401);
    expect(replay.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect((await call("GET", `${s.scim}/Users`, made.body.token)).status).toBe(401);
    expectInvalidClient(await exchange(c));
    expect((await v1("DELETE", `${s.url}/v1/OAuthClients/${c.id}`, admin)).status).toBe(404);
  });

  it("refuses an expired access token (401), and keeps taking a live one", async () => {
    const { org, token: admin } = await s.newOrg();
    const c = await makeClient(s, admin);
    const past: Clock = { now: () => new Date(Date.now() - 2 * 3600_000) };
    const old = await exchangeClientCredentials({ store: s.running.store, clock: past }, { clientId: c.id, clientSecret: c.secret }, { ttlSeconds: 3600, resources: new Map() });
    if ("error" in old) throw new Error(old.description);
    expect(old.orgId).toBe(org.id);
    const r = await call("GET", `${s.scim}/Users`, old.accessToken);
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect((await call("GET", `${s.scim}/Users`, await accessToken(c))).status).toBe(200);
  });

  it("refuses a client whose secret has expired (invalid_client)", async () => {
    const { token: admin } = await s.newOrg();
    const c = await makeClient(s, admin, { date_expires: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await exchange(c)).status).toBe(200);
    const { org } = await s.newOrg();
    const gone = await createClient(deps(), operatorActor(org, "test"), { name: "expired", scopes: ["scim"], userId: null, expires: new Date(Date.now() - 1000).toISOString() });
    expectInvalidClient(await exchange({ id: gone.client.id, secret: gone.secret, tokenEndpoint: c.tokenEndpoint }));
  });

  it("refuses a token issued for one API (RFC 8707 resource) at the other, and an unknown resource", async () => {
    const { token: admin } = await s.newOrg();
    const c = await makeClient(s, admin, { scopes: ["scim", "admin"] });
    const scimOnly = await accessToken(c, { resource: `${s.url}/scim/v2` });
    expect((await call("GET", `${s.scim}/Users`, scimOnly)).status).toBe(200);
    const atV1 = await v1("GET", `${s.url}/v1/Users`, scimOnly);
    expect(atV1.status).toBe(401);
    expect(atV1.headers.get("www-authenticate")).toContain('error="invalid_token"');
    const v1Only = await accessToken(c, { resource: `${s.url}/v1` });
    expect((await v1("GET", `${s.url}/v1/Users`, v1Only)).status).toBe(200);
    expect((await call("GET", `${s.scim}/Users`, v1Only)).status).toBe(401);
    const elsewhere = await exchange(c, { resource: "https://other.example/scim/v2" });
    expect([elsewhere.status, elsewhere.body.error]).toEqual([400, "invalid_target"]);
  });

  it("acts in its client's organization only: another organization's users and clients are not found", async () => {
    const a = await s.newOrg();
    const b = await s.newOrg();
    const domain = uniqueDomain();
    await s.verifyDomain(a.org.id, domain);
    const userA = (await call("POST", `${s.scim}/Users`, a.token, userBody(`grace@${domain}`))).body.id as string;
    const clientA = await makeClient(s, a.token, { scopes: ["scim", "admin"] });
    const clientB = await makeClient(s, b.token, { scopes: ["scim", "admin"] });
    const atB = await accessToken(clientB);
    expect((await call("GET", `${s.scim}/Users/${userA}`, atB)).status).toBe(404);
    expect((await call("GET", `${s.scim}/Users`, atB)).body.totalResults).toBe(0);
    expect((await v1("DELETE", `${s.url}/v1/OAuthClients/${clientA.id}`, atB)).status).toBe(404);
    expect((await v1("DELETE", `${s.url}/v1/OAuthClients/${clientA.id}`, b.token)).status).toBe(404);
    const listB = await v1("GET", `${s.url}/v1/OAuthClients`, b.token);
    expect(listB.body.oauth_clients.map((x: { sid: string }) => x.sid)).toEqual([clientB.id]);
    expect((await exchange(clientA)).status).toBe(200); // A's client untouched
  });
});

describe("a client acting for a user", () => {
  async function userAndClient(): Promise<{ org: Awaited<ReturnType<TestServer["newOrg"]>>; userId: string; client: Client }> {
    const o = await s.newOrg();
    const domain = uniqueDomain();
    await s.verifyDomain(o.org.id, domain);
    const op = operatorActor(o.org, "test");
    const { user } = await createUser(deps(), op, { data: userBody(`helen@${domain}`) });
    const made = await createClient(deps(), op, { name: "for helen", scopes: ["scim", "admin"], userId: user.id });
    return { org: o, userId: user.id, client: { id: made.client.id, secret: made.secret, tokenEndpoint: `${s.url}/oauth/token` } };
  }

  it("gets invalid_grant once the user is suspended, and its live token stops (401); reactivating restores both", async () => {
    const { org, userId, client } = await userAndClient();
    const at = await accessToken(client);
    expect((await v1("GET", `${s.url}/v1/Users/${userId}`, at)).status).toBe(200);
    const op = operatorActor(org.org, "test");
    await modifyUser(deps(), op, userId, undefined, (u) => ({ data: { ...u.data, active: false } }));
    expect((await v1("GET", `${s.url}/v1/Users/${userId}`, at)).status).toBe(401);
    const r = await exchange(client);
    expect([r.status, r.body.error]).toEqual([400, "invalid_grant"]);
    await modifyUser(deps(), op, userId, undefined, (u) => ({ data: { ...u.data, active: true } }));
    expect((await v1("GET", `${s.url}/v1/Users/${userId}`, at)).status).toBe(200);
    expect((await exchange(client)).status).toBe(200);
  });

  it("gets invalid_grant once the user is removed from the organization", async () => {
    const { org, userId, client } = await userAndClient();
    const at = await accessToken(client);
    const removed = await v1("POST", `${s.url}/v1/Users/${userId}/Remove`, org.token, { acknowledge: true });
    expect(removed.status).toBe(200);
    expect((await call("GET", `${s.scim}/Users`, at)).status).toBe(401);
    expect((await exchange(client)).body.error).toBe("invalid_grant");
  });

  it("is made over /v1 only by that user themself: a service token may not make one for someone else (403)", async () => {
    const { org, userId } = await userAndClient();
    const r = await v1("POST", `${s.url}/v1/OAuthClients`, org.token, { friendly_name: "for someone", scopes: ["scim"], user_sid: userId });
    expect(r.status).toBe(403);
  });

  it("may not be given a scope its maker's token lacks (403), over /v1", async () => {
    const { org } = await userAndClient();
    const scimOnly = await makeClient(s, org.token, { scopes: ["scim"] });
    const at = await accessToken(scimOnly);
    // a scim-only access token cannot reach /v1 at all, so it cannot make an admin client there
    expect((await v1("POST", `${s.url}/v1/OAuthClients`, at, { friendly_name: "wider", scopes: ["admin"] })).status).toBe(403);
  });
});

describe("budgets", () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ OAUTH_TOKENS_PER_CLIENT_PER_MINUTE: "2", AUTH_FAILURES_PER_MINUTE: "3" });
  });
  afterAll(() => limited.close());

  it("issues a client at most OAUTH_TOKENS_PER_CLIENT_PER_MINUTE tokens a minute, then 429 with Retry-After", async () => {
    const { token: admin } = await limited.newOrg();
    const c = await makeClient(limited, admin);
    expect((await exchange(c)).status).toBe(200);
    expect((await exchange(c)).status).toBe(200);
    const third = await exchange(c);
    expect(third.status).toBe(429);
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(third.body.access_token).toBeUndefined();
  });

  it("does not let wrong secrets sent with a client's id spend that client's budget", async () => {
    const { token: admin } = await limited.newOrg();
    const c = await makeClient(limited, admin);
    // two failures (under the address's budget of 3), each naming the real client id
    for (let i = 0; i < 2; i++) expectInvalidClient(await exchange({ ...c, secret: `ocs_${"y".repeat(43)}` }));
    expect((await exchange(c)).status).toBe(200);
    expect((await exchange(c)).status).toBe(200);
  });

  it("refuses an address that failed client authentication too often, before the client is looked up", async () => {
    const fresh = await startTestServer({ AUTH_FAILURES_PER_MINUTE: "3" }); // a budget of its own: the test above spent some
    try {
      const { token: admin } = await fresh.newOrg();
      const c = await makeClient(fresh, admin);
      for (let i = 0; i < 3; i++) expectInvalidClient(await exchange({ ...c, secret: `ocs_${"x".repeat(43)}` }));
      const r = await exchange(c); // the right secret, from an address over its budget
      expect(r.status).toBe(429);
      expect(r.body.access_token).toBeUndefined();
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    } finally {
      await fresh.close();
    }
  });
});
