/**
 * Issue 13, attacked from outside: a token made by a token. Revoking a token revokes what it
 * could do, including the tokens it made: otherwise anyone holding a token about to be revoked
 * mints a copy first and keeps every right the revocation was meant to take away.
 */
import { call, startTestServer, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { people, unique } from "../authz/people";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

async function mint(by: string, scopes: string[], userSid: string | null = null): Promise<{ sid: string; token: string }> {
  const r = await v1("POST", `${s.url}/v1/Tokens`, by, { friendly_name: unique("child"), scopes, ...(userSid ? { user_sid: userSid } : {}) });
  if (r.status !== 201) throw new Error(`POST /v1/Tokens answered ${r.status} ${r.text}`);
  return { sid: r.body.sid as string, token: r.body.token as string };
}

describe("a token made by a token", () => {
  it("stops working (401) when the token that made it is revoked, on SCIM and /v1", async () => {
    const p = await people(s);
    const parent = await mint(p.operator, ["scim", "admin"]);
    const child = await mint(parent.token, ["scim", "admin"]);
    expect((await call("GET", `${s.scim}/Users?count=1`, child.token)).status).toBe(200);

    expect((await v1("DELETE", `${s.url}/v1/Tokens/${parent.sid}`, p.operator)).status).toBe(204);
    expect((await call("GET", `${s.scim}/Users?count=1`, parent.token)).status).toBe(401);
    expect((await call("GET", `${s.scim}/Users?count=1`, child.token)).status).toBe(401);
    expect((await v1("GET", `${s.url}/v1/Tokens`, child.token)).status).toBe(401);
  });

  it("stops working when any token up its chain is revoked (a grandchild, acting for its user)", async () => {
    const p = await people(s);
    const adminToken = await p.tokenFor(p.admin, ["scim", "admin"]);
    const parent = await mint(adminToken, ["scim", "admin"], p.admin);
    const child = await mint(parent.token, ["scim", "admin"]);
    const grandchild = await mint(child.token, ["scim"]);
    expect((await call("GET", `${s.scim}/Users?count=1`, grandchild.token)).status).toBe(200);

    expect((await v1("DELETE", `${s.url}/v1/Tokens/${parent.sid}`, p.operator)).status).toBe(204);
    expect((await call("GET", `${s.scim}/Users?count=1`, child.token)).status).toBe(401);
    expect((await call("GET", `${s.scim}/Users?count=1`, grandchild.token)).status).toBe(401);
    // The token that made the chain's first link is untouched.
    expect((await call("GET", `${s.scim}/Users?count=1`, adminToken)).status).toBe(200);
  });

  it("keeps working when a sibling is revoked", async () => {
    const p = await people(s);
    const parent = await mint(p.operator, ["scim", "admin"]);
    const a = await mint(parent.token, ["scim"]);
    const b = await mint(parent.token, ["scim"]);
    expect((await v1("DELETE", `${s.url}/v1/Tokens/${a.sid}`, p.operator)).status).toBe(204);
    expect((await call("GET", `${s.scim}/Users?count=1`, a.token)).status).toBe(401);
    expect((await call("GET", `${s.scim}/Users?count=1`, b.token)).status).toBe(200);
  });
});
