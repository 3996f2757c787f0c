/** /v1/Tokens: the Provisioning page's tokens. */
import { parseToken } from "../../src/domain/tokens";
import { ErrorBody } from "../../src/http/v1/openapi";
import { TokenBody, TokenCreated, TokenList } from "../../src/http/v1/tokens-routes";
import { call, startTestServer, type TestServer } from "../helpers/server";
import { conforms, v1 } from "../helpers/v1";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

describe("/v1/Tokens", () => {
  it("creates a SCIM token whose secret is shown once and works at once, lists it without the secret, and revokes it", async () => {
    const o = await s.newOrg();
    const created = conforms(TokenCreated, await v1("POST", `${s.url}/v1/Tokens`, o.token, { friendly_name: "Okta", scopes: ["scim"] }));
    expect(created.token).toMatch(/^osk_/);
    expect((await call("GET", `${s.scim}/Users`, created.token)).status).toBe(200);
    expect((await v1("GET", `${s.url}/v1/Organization`, created.token)).status).toBe(403);
    const list = await v1("GET", `${s.url}/v1/Tokens`, o.token);
    expect(conforms(TokenList, list).tokens.map((t) => t.sid)).toContain(created.sid);
    expect(list.text).not.toContain(parseToken(created.token)!.secret); // the whole secret: it may itself hold "_"
    expect((await v1("DELETE", `${s.url}/v1/Tokens/${created.sid}`, o.token)).status).toBe(204);
    expect((await call("GET", `${s.scim}/Users`, created.token)).status).toBe(401);
  });

  it("answers 404 for another organization's token", async () => {
    const a = await s.newOrg();
    const b = await s.newOrg();
    const t = conforms(TokenCreated, await v1("POST", `${s.url}/v1/Tokens`, a.token, { friendly_name: "x", scopes: ["scim"] }));
    expect((await v1("DELETE", `${s.url}/v1/Tokens/${t.sid}`, b.token)).status).toBe(404);
    expect((await call("GET", `${s.scim}/Users`, t.token)).status).toBe(200);
  });

  describe("GET /v1/Tokens/{sid}", () => {
    it("answers at a new token's Location what the list says of it, and never the secret or its hash", async () => {
      const o = await s.newOrg();
      const made = await v1("POST", `${s.url}/v1/Tokens`, o.token, { friendly_name: "Entra", scopes: ["scim"] });
      const created = conforms(TokenCreated, made);
      const got = await v1("GET", made.headers.get("location")!, o.token);
      expect(got.status).toBe(200);
      const body = conforms(TokenBody.strict(), got);
      const listed = conforms(TokenList, await v1("GET", `${s.url}/v1/Tokens`, o.token)).tokens.find((t) => t.sid === created.sid);
      expect(body).toEqual(listed);
      const { token: _secret, ...rest } = created;
      expect(body).toEqual(rest);
      const stored = (await s.running.store.tokens.get(created.sid))!;
      expect(got.text).not.toContain(parseToken(created.token)!.secret);
      expect(got.text).not.toContain(stored.secretHash);
      expect(got.text.toLowerCase()).not.toMatch(/hash|secret|"token"/);
    });

    it("answers a revoked token with its date_revoked (as the list does)", async () => {
      const o = await s.newOrg();
      const t = conforms(TokenCreated, await v1("POST", `${s.url}/v1/Tokens`, o.token, { friendly_name: "old", scopes: ["scim"] }));
      expect((await v1("DELETE", `${s.url}/v1/Tokens/${t.sid}`, o.token)).status).toBe(204);
      const got = conforms(TokenBody, await v1("GET", `${s.url}/v1/Tokens/${t.sid}`, o.token));
      expect(got.date_revoked).not.toBeNull();
    });

    it("answers another organization's token exactly as one that does not exist", async () => {
      const a = await s.newOrg();
      const b = await s.newOrg();
      const t = conforms(TokenCreated, await v1("POST", `${s.url}/v1/Tokens`, a.token, { friendly_name: "x", scopes: ["scim"] }));
      const foreign = await v1("GET", `${s.url}/v1/Tokens/${t.sid}`, b.token);
      const none = await v1("GET", `${s.url}/v1/Tokens/TK${"0".repeat(32)}`, b.token);
      expect([foreign.status, none.status]).toEqual([404, 404]);
      expect(conforms(ErrorBody, foreign).code).toBe(conforms(ErrorBody, none).code);
      expect(foreign.text.replace(t.sid, "SID")).toBe(none.text.replace(`TK${"0".repeat(32)}`, "SID"));
    });
  });
});
