/**
 * Static tokens' lifecycle over real HTTP (issue 22 item 2): expiry with a default for new tokens
 * (tokens made before keep none), and revocation seen by every instance sharing the store.
 */
import { join } from "node:path";
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { call, startTestServer, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ TOKEN_TTL_DAYS: "30" });
});
afterAll(() => s.close());

const DAY = 86_400_000;

describe("token expiry", () => {
  it("gives a token made without date_expires the default expiry (TOKEN_TTL_DAYS)", async () => {
    const { token } = await s.newOrg();
    const before = Date.now();
    const r = await v1("POST", `${s.url}/v1/Tokens`, token, { friendly_name: "default", scopes: ["scim"] });
    expect(r.status).toBe(201);
    const at = Date.parse(r.body.date_expires);
    expect(at).toBeGreaterThanOrEqual(before + 30 * DAY);
    expect(at).toBeLessThanOrEqual(Date.now() + 30 * DAY);
    expect((await call("GET", `${s.scim}/Users`, r.body.token)).status).toBe(200);
    const listed = await v1("GET", `${s.url}/v1/Tokens`, token);
    expect(listed.body.tokens.find((t: { sid: string }) => t.sid === r.body.sid).date_expires).toBe(r.body.date_expires);
  });

  it("takes date_expires null as never, and refuses one in the past (400, nothing made)", async () => {
    const { org, token } = await s.newOrg();
    const never = await v1("POST", `${s.url}/v1/Tokens`, token, { friendly_name: "never", scopes: ["scim"], date_expires: null });
    expect([never.status, never.body.date_expires]).toEqual([201, null]);
    const count = (await s.running.store.tokens.list(org.id)).length;
    const past = await v1("POST", `${s.url}/v1/Tokens`, token, { friendly_name: "past", scopes: ["scim"], date_expires: new Date(Date.now() - 1000).toISOString() });
    expect(past.status).toBe(400);
    expect(past.body.message).toContain("date_expires");
    expect((await s.running.store.tokens.list(org.id)).length).toBe(count);
  });

  it("refuses a token once its expiry has passed (401 invalid_token), at both doors", async () => {
    const { org } = await s.newOrg();
    const { plaintext } = await issueToken(s.running.store, systemClock, { orgId: org.id, name: "expired", scopes: ["scim", "admin"], expires: new Date(Date.now() - 1000).toISOString() });
    for (const url of [`${s.scim}/Users`, `${s.url}/v1/Users`]) {
      const r = await call("GET", url, plaintext);
      expect(r.status).toBe(401);
      expect(r.headers.get("www-authenticate")).toContain('error="invalid_token"');
    }
  });

  it("keeps a token made before expiry existed working: it has none", async () => {
    const { org, token } = await s.newOrg(); // issued as the bootstrap and older tokens are: no expiry
    const stored = (await s.running.store.tokens.list(org.id))[0]!;
    expect(stored.expires).toBeUndefined();
    expect((await call("GET", `${s.scim}/Users`, token)).status).toBe(200);
  });
});

describe("rotation", () => {
  it("gives a new token with the old one's name, scopes and maker, and keeps the old one working through the overlap only", async () => {
    const { org, token } = await s.newOrg();
    const old = await v1("POST", `${s.url}/v1/Tokens`, token, { friendly_name: "entra", scopes: ["scim"] });
    const before = Date.now();
    const r = await v1("POST", `${s.url}/v1/Tokens/${old.body.sid}/Rotate`, token, { overlap_seconds: 3600 });
    expect(r.status).toBe(201);
    expect(r.headers.get("location")).toBe(`${s.url}/v1/Tokens/${r.body.sid}`);
    expect(r.body).toMatchObject({ friendly_name: "entra", scopes: ["scim"], replaces: old.body.sid, created_by: old.body.created_by, ceiling: old.body.ceiling });
    expect(r.body.sid).not.toBe(old.body.sid);
    const oldEnds = Date.parse(r.body.replaced_token_expires);
    expect(oldEnds).toBeGreaterThanOrEqual(before + 3600_000);
    expect(oldEnds).toBeLessThanOrEqual(Date.now() + 3600_000);
    // both work during the overlap
    expect((await call("GET", `${s.scim}/Users`, old.body.token)).status).toBe(200);
    expect((await call("GET", `${s.scim}/Users`, r.body.token)).status).toBe(200);
    // the old one stops at the end of the overlap: move its expiry to now, as time would
    await s.running.store.tokens.expireBy(org.id, old.body.sid, new Date(Date.now() - 1).toISOString());
    expect((await call("GET", `${s.scim}/Users`, old.body.token)).status).toBe(401);
    expect((await call("GET", `${s.scim}/Users`, r.body.token)).status).toBe(200);
  });

  it("stops the old token at once with overlap 0, never lengthens an earlier expiry, and refuses a revoked or another organization's token (404)", async () => {
    const a = await s.newOrg();
    const b = await s.newOrg();
    const t1 = await v1("POST", `${s.url}/v1/Tokens`, a.token, { friendly_name: "t1", scopes: ["scim"] });
    const now0 = await v1("POST", `${s.url}/v1/Tokens/${t1.body.sid}/Rotate`, a.token, { overlap_seconds: 0 });
    expect(now0.status).toBe(201);
    expect((await call("GET", `${s.scim}/Users`, t1.body.token)).status).toBe(401);
    const soon = new Date(Date.now() + 600_000).toISOString();
    const t2 = await v1("POST", `${s.url}/v1/Tokens`, a.token, { friendly_name: "t2", scopes: ["scim"], date_expires: soon });
    const r2 = await v1("POST", `${s.url}/v1/Tokens/${t2.body.sid}/Rotate`, a.token, { overlap_seconds: 86_400 });
    expect(Date.parse(r2.body.replaced_token_expires)).toBe(Date.parse(soon));
    const t3 = await v1("POST", `${s.url}/v1/Tokens`, a.token, { friendly_name: "t3", scopes: ["scim"] });
    expect((await v1("POST", `${s.url}/v1/Tokens/${t3.body.sid}/Rotate`, b.token, {})).status).toBe(404);
    await v1("DELETE", `${s.url}/v1/Tokens/${t3.body.sid}`, a.token);
    expect((await v1("POST", `${s.url}/v1/Tokens/${t3.body.sid}/Rotate`, a.token, {})).status).toBe(404);
    expect((await v1("POST", `${s.url}/v1/Tokens/${t2.body.sid}/Rotate`, a.token, { overlap_seconds: 8 * 86_400 })).status).toBe(400);
  });
});

describe("revocation across instances", () => {
  it("is refused by a second instance on the same store at its next request", async () => {
    const other = await startTestServer({ DATABASE_URL: `sqlite:${join(s.dir, "test.db")}` });
    try {
      const { token } = await s.newOrg();
      const made = await v1("POST", `${s.url}/v1/Tokens`, token, { friendly_name: "shared", scopes: ["scim"] });
      expect((await call("GET", `${other.scim}/Users`, made.body.token)).status).toBe(200);
      expect((await v1("DELETE", `${s.url}/v1/Tokens/${made.body.sid}`, token)).status).toBe(204);
      expect((await call("GET", `${other.scim}/Users`, made.body.token)).status).toBe(401);
    } finally {
      await other.close();
    }
  });
});
