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
import { withinOneWindow } from "../helpers/budget-window";
import { call, startTestServer, type Reply, type TestServer } from "../helpers/server";
import { makeStream, poll } from "../events/helpers";
import { makeClient, tokenRequest } from "../oauth/helpers";

jest.setTimeout(60_000);

const BUDGET = 5;
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ RATE_LIMIT_ORG_RPS: String(BUDGET), RATE_LIMIT_ORG_BURST: String(BUDGET), RATE_LIMIT_TOKEN_RPS: "0", OAUTH_TOKENS_PER_CLIENT_PER_MINUTE: "1000" });
});
afterAll(() => s.close());

const ok = (replies: Reply[]) => replies.filter((r) => r.status === 200).length;

/**
 * A budget window is one second of the machine's clock from the organization's first request
 * (../helpers/budget-window.ts): the requests of a burst are sent at once, each try with a fresh
 * organization, until one burst fits in a window, where the budget is exact; over `windows` windows
 * at most BUDGET each are admitted. (Sent one after another, and after a 1.1 s sleep for the
 * previous window to close, the burst crossed into a second window on a loaded machine and twice
 * the budget was admitted.) Making the stream or the clients spends the budget too: each try waits
 * for the windows those requests opened to close (a window's end is its start plus a second of
 * Date.now, however late the machine runs, so this wait cannot be too short).
 */
const windowsClosed = () => new Promise((r) => setTimeout(r, 1100));
const atOnce = <T>(n: number, one: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => one(i)));

describe("an event stream's polls", () => {
  it("spend their organization's budget: past it, 429 slow_down with Retry-After", async () => {
    const { out: replies, windows } = await withinOneWindow(async () => {
      const { token } = await s.newOrg({ domainEnforcement: false });
      const stream = await makeStream(s, token, { delivery: "poll" });
      await windowsClosed();
      return stream;
    }, (stream) => atOnce(3 * BUDGET, (i) => poll(s, stream.credential!, { returnImmediately: true, ack: [`jti-${i}`] })));
    const refused = replies.filter((r) => r.status === 429);
    expect(ok(replies)).toBeLessThanOrEqual(BUDGET * windows);
    expect(ok(replies) + refused.length).toBe(replies.length);
    expect(refused.length).toBeGreaterThanOrEqual(3 * BUDGET - BUDGET * windows); // 2 * BUDGET in one window
    for (const r of refused) {
      expect(r.body.err).toBe("slow_down");
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
  });

  it("share it with the organization's other requests, and leave other organizations' alone", async () => {
    const { ctx: { b }, out: { polls, list }, windows } = await withinOneWindow(async () => {
      const a = await s.newOrg({ domainEnforcement: false });
      const b = await s.newOrg({ domainEnforcement: false });
      const stream = await makeStream(s, a.token, { delivery: "poll" });
      await windowsClosed();
      return { a, b, stream };
    }, async ({ a, stream }) => {
      const polls = await atOnce(BUDGET, () => poll(s, stream.credential!, { returnImmediately: true }));
      return { polls, list: await call("GET", `${s.scim}/Users?count=1`, a.token) };
    });
    // In one window the polls spent the budget and the list is refused; over more, together they
    // take at most the budget of each.
    if (windows === 1) {
      expect(ok(polls)).toBe(BUDGET);
      expect(list.status).toBe(429);
    } else {
      expect(ok(polls) + (list.status === 200 ? 1 : 0)).toBeLessThanOrEqual(BUDGET * windows);
    }
    expect((await call("GET", `${s.scim}/Users?count=1`, b.token)).status).toBe(200);
  });
});

describe("an OAuth client's token requests", () => {
  it("spend their client's organization's budget, shared with its other requests: past it, 429 slow_down with Retry-After", async () => {
    const { out: { replies, list }, windows } = await withinOneWindow(async () => {
      const { token } = await s.newOrg({ domainEnforcement: false });
      const clients = [await makeClient(s, token), await makeClient(s, token), await makeClient(s, token)];
      await windowsClosed();
      return { token, clients };
    }, async ({ token, clients }) => {
      const replies = await atOnce(3 * BUDGET, (i) => {
        const c = clients[i % clients.length]!;
        return tokenRequest(c.tokenEndpoint, { grant_type: "client_credentials", client_id: c.id, client_secret: c.secret });
      });
      return { replies, list: await call("GET", `${s.scim}/Users?count=1`, token) };
    });
    const refused = replies.filter((r) => r.status === 429);
    expect(ok(replies)).toBeLessThanOrEqual(BUDGET * windows);
    expect(ok(replies) + refused.length).toBe(replies.length);
    expect(refused.length).toBeGreaterThanOrEqual(3 * BUDGET - BUDGET * windows); // 2 * BUDGET in one window
    for (const r of refused) {
      expect(r.body.error).toBe("slow_down");
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    if (windows === 1) expect(list.status).toBe(429);
  });
});
