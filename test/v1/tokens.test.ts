/** /v1/Tokens: the Provisioning page's tokens. */
import { parseToken } from "../../src/domain/tokens";
import { TokenCreated, TokenList } from "../../src/http/v1/tokens-routes";
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
});
