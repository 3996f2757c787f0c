/**
 * An event stream's polls, and an OAuth client's token requests, spend their organization's request
 * budget (docs/security.md case 58).
 * RATE_LIMIT_ORG_RPS bounds what all of an organization's tokens may ask of the server together
 * (case 26); a poll stream's credential is the organization's too (its admin made the stream), and
 * each poll reads the store, each acknowledging one writes a transaction. POST /events/poll had no
 * budget at all: an organization held to a few requests a second could send polls without end.
 * Now a poll spends the organization's budget, past it 429 `slow_down` with Retry-After, and
 * polls and the organization's other requests share it. Likewise POST /oauth/token, whose budget
 * was per client only: an organization with many clients (its admin makes them) was issued tokens,
 * a write each, at that budget times its clients. Real HTTP, real SQLite store.
 */
import { call, startTestServer, type TestServer } from "../helpers/server";
import { makeStream, poll } from "../events/helpers";
import { makeClient, tokenRequest } from "../oauth/helpers";

jest.setTimeout(60_000);

const BUDGET = 5;
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ RATE_LIMIT_ORG_RPS: String(BUDGET), RATE_LIMIT_ORG_BURST: String(BUDGET), RATE_LIMIT_TOKEN_RPS: "0", OAUTH_TOKENS_PER_CLIENT_PER_MINUTE: "1000" });
});
afterAll(() => s.close());

const nextSecond = () => new Promise((r) => setTimeout(r, 1100));

describe("an event stream's polls", () => {
  it("spend their organization's budget: past it, 429 slow_down with Retry-After", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false });
    const stream = await makeStream(s, token, { delivery: "poll" });
    await nextSecond();
    const replies = [];
    for (let i = 0; i < 3 * BUDGET; i++) replies.push(await poll(s, stream.credential!, { returnImmediately: true, ack: [`jti-${i}`] }));
    const refused = replies.filter((r) => r.status === 429);
    expect(replies.filter((r) => r.status === 200).length).toBeLessThanOrEqual(BUDGET);
    expect(refused.length).toBeGreaterThanOrEqual(2 * BUDGET);
    for (const r of refused) {
      expect(r.body.err).toBe("slow_down");
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
  });

  it("share it with the organization's other requests, and leave other organizations' alone", async () => {
    const a = await s.newOrg({ domainEnforcement: false });
    const b = await s.newOrg({ domainEnforcement: false });
    const stream = await makeStream(s, a.token, { delivery: "poll" });
    await nextSecond();
    for (let i = 0; i < BUDGET; i++) await poll(s, stream.credential!, { returnImmediately: true });
    expect((await call("GET", `${s.scim}/Users?count=1`, a.token)).status).toBe(429);
    expect((await call("GET", `${s.scim}/Users?count=1`, b.token)).status).toBe(200);
  });
});

describe("an OAuth client's token requests", () => {
  it("spend their client's organization's budget, shared with its other requests: past it, 429 slow_down with Retry-After", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false });
    const clients = [await makeClient(s, token), await makeClient(s, token), await makeClient(s, token)];
    await nextSecond();
    const replies = [];
    for (let i = 0; i < 3 * BUDGET; i++) {
      const c = clients[i % clients.length]!;
      replies.push(await tokenRequest(c.tokenEndpoint, { grant_type: "client_credentials", client_id: c.id, client_secret: c.secret }));
    }
    const refused = replies.filter((r) => r.status === 429);
    expect(replies.filter((r) => r.status === 200).length).toBeLessThanOrEqual(BUDGET);
    expect(refused.length).toBeGreaterThanOrEqual(2 * BUDGET);
    for (const r of refused) {
      expect(r.body.error).toBe("slow_down");
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    expect((await call("GET", `${s.scim}/Users?count=1`, token)).status).toBe(429);
  });
});
