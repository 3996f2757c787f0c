/**
 * Last use of tokens and OAuth clients (issue 22 item 2) over real HTTP: shown in /v1, written at
 * most once a minute per token and instance (not a store write per request), kept apart from what
 * principals are resolved from (a recorded use empties no principal cache).
 */
import { TOKEN_USE_WRITE_MS } from "../../src/domain/tokens";
import { call, startTestServer, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { accessToken, makeClient } from "./helpers";

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.close());

const tokenOf = async (admin: string, sid: string) => (await v1("GET", `${s.url}/v1/Tokens/${sid}`, admin)).body;

it("shows when and from where a token was last used, null before its first use", async () => {
  const { token: admin } = await s.newOrg();
  const made = await v1("POST", `${s.url}/v1/Tokens`, admin, { friendly_name: "okta", scopes: ["scim"] });
  expect(made.body.date_last_used).toBeNull();
  expect(made.body.last_used_address).toBeNull();
  const before = Date.now();
  expect((await call("GET", `${s.scim}/Users`, made.body.token)).status).toBe(200);
  let shown: { date_last_used: string | null; last_used_address: string | null } = { date_last_used: null, last_used_address: null };
  // Written after the answer: wait for it (up to 30 s; 100 tries 20 ms apart could pass on a loaded machine).
  for (const end = Date.now() + 30_000; shown.date_last_used === null && Date.now() < end;) {
    shown = await tokenOf(admin, made.body.sid);
    if (shown.date_last_used === null) await new Promise((r) => setTimeout(r, 20));
  }
  expect(Date.parse(shown.date_last_used!)).toBeGreaterThanOrEqual(before - 1000);
  expect(shown.last_used_address).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  const listed = (await v1("GET", `${s.url}/v1/Tokens`, admin)).body.tokens.find((t: { sid: string }) => t.sid === made.body.sid);
  expect(listed.date_last_used).toBe(shown.date_last_used);
});

it("writes a busy token's use once a minute, not once a request, and changes no principal version", async () => {
  const { org, token: admin } = await s.newOrg();
  const made = await v1("POST", `${s.url}/v1/Tokens`, admin, { friendly_name: "busy", scopes: ["scim"] });
  const store = s.running.store;
  const spy = jest.spyOn(store.tokens, "recordUse" as never);
  try {
    const version = await store.principalVersion!(org.id);
    for (let i = 0; i < 20; i++) expect((await call("GET", `${s.scim}/Users`, made.body.token)).status).toBe(200);
    const calls = (spy.mock.calls as unknown[][]).filter((c) => c[1] === made.body.sid);
    expect(calls).toHaveLength(1);
    expect(TOKEN_USE_WRITE_MS).toBe(60_000);
    expect(await store.principalVersion!(org.id)).toBe(version);
  } finally {
    spy.mockRestore();
  }
});

it("shows an OAuth client's last use: a request with one of its access tokens", async () => {
  const { token: admin } = await s.newOrg();
  const client = await makeClient(s, admin);
  expect((await v1("GET", `${s.url}/v1/OAuthClients/${client.id}`, admin)).body.date_last_used).toBeNull();
  expect((await call("GET", `${s.scim}/Users`, await accessToken(client))).status).toBe(200);
  let used: string | null = null;
  for (const end = Date.now() + 30_000; used === null && Date.now() < end;) {
    used = (await v1("GET", `${s.url}/v1/OAuthClients/${client.id}`, admin)).body.date_last_used;
    if (used === null) await new Promise((r) => setTimeout(r, 20));
  }
  expect(used).not.toBeNull();
});
