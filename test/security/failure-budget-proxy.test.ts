/**
 * The budget of failed authentications holds per client behind a proxy, at every SCIM door
 * (docs/security.md case 76, held). AUTH_FAILURES_PER_MINUTE counts failed authentications per
 * client address, the address as the application's `trust proxy` setting works it out
 * (TRUST_PROXY: the hops written by trusted proxies). Issue 18 moves SCIM requests ever closer to
 * the socket (the flat dispatch, application-level layers cut before it): a door that works the
 * address out another way (the socket's, which behind a balancer is the balancer's: one guesser
 * locks every client out; or the leftmost X-Forwarded-For hop, which the client writes: a guesser
 * rotates it and is never stopped) breaks the budget for everyone behind the proxy.
 *
 * Attacked with TRUST_PROXY=1 and a budget of 3, every request arriving through the "proxy" (the
 * test, on loopback) with X-Forwarded-For: a guesser at 203.0.113.7 sends wrong tokens to the SCIM
 * doors in turn (GET /Users/{id} and a lookup, flat-walked; PATCH, PUT, DELETE, POST /Users,
 * /Users/.search, /Bulk, HEAD and a lower-case path, left to the router), forging a different
 * leftmost hop each time; its neighbour at 203.0.113.8 does the same. Held when each address gets
 * exactly 3 answers 401, then 429 (9007) at every door whatever hops it forges, while a third client
 * (203.0.113.9) behind the same proxy is still answered 401 for a wrong token and 200 for a good one.
 * Real HTTP, real SQLite store.
 */
import { call, startTestServer, userBody, type Reply, type TestServer } from "../helpers/server";

jest.setTimeout(120_000);

let s: TestServer;
let token = "";
let id = "";

beforeAll(async () => {
  s = await startTestServer({ AUTH_FAILURES_PER_MINUTE: "3", TRUST_PROXY: "1" });
  token = (await s.newOrg({ domainEnforcement: false })).token;
  const u = await call("POST", `${s.scim}/Users`, token, userBody(`target-${Math.random().toString(36).slice(2, 8)}@acme.test`), { "x-forwarded-for": "203.0.113.50" });
  expect(u.status).toBe(201);
  id = u.body.id as string;
});
afterAll(() => s.close());

const codeOf = (r: Reply): number | undefined => {
  const h = r.headers.get("x-orgscim-error-code");
  return h !== null ? Number(h) : r.body?.code;
};

/** Every SCIM door, as [label, method, path, body]. */
const doors = (): [string, string, string, unknown][] => [
  ["GET /Users/{id}", "GET", `/Users/${id}`, undefined],
  ["lookup", "GET", `/Users?filter=${encodeURIComponent('userName eq "x@acme.test"')}`, undefined],
  ["PATCH", "PATCH", `/Users/${id}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "displayName", value: "x" }] }],
  ["PUT", "PUT", `/Users/${id}`, userBody("put@acme.test")],
  ["DELETE", "DELETE", `/Users/${id}`, undefined],
  ["POST /Users", "POST", "/Users", userBody("new@acme.test")],
  [".search", "POST", "/Users/.search", { schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"] }],
  ["/Bulk", "POST", "/Bulk", { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations: [] }],
  ["HEAD", "HEAD", `/Users/${id}`, undefined],
  ["lower case", "GET", `/users/${id}`, undefined],
];

/** A wrong token from `client`, with `forged` hops written in front of the address the proxy appends. */
const guess = (method: string, path: string, body: unknown, client: string, forged: string) =>
  call(method, `${s.scim}${path}`, "osk_wrong_guess", body, { "x-forwarded-for": `${forged}, ${client}` });

describe.each(["203.0.113.7", "203.0.113.8"])("a guesser at %s behind the proxy", (client) => {
  it("gets 3 answers 401, then 429 (9007) at every SCIM door, whatever hops it forges", async () => {
    const seen: string[] = [];
    let n = 0;
    for (const round of [0, 1]) {
      for (const [label, method, path, body] of doors()) {
        const r = await guess(method, path, body, client, `198.51.100.${++n}`);
        seen.push(`${round} ${label}: ${r.status}${r.status === 429 ? ` ${codeOf(r)}` : ""}`);
      }
    }
    const want = seen.map((line, i) => line.replace(/: .*$/, i < 3 ? ": 401" : ": 429 9007"));
    expect(seen).toEqual(want);
  });
});

describe("another client behind the same proxy", () => {
  it("still has its own budget: 401 for a wrong token, 200 for a good one, at the doors the guessers spent theirs on", async () => {
    const other = { "x-forwarded-for": "203.0.113.9" };
    expect((await call("GET", `${s.scim}/Users/${id}`, "osk_wrong_once", undefined, other)).status).toBe(401);
    expect((await call("GET", `${s.scim}/Users/${id}`, token, undefined, other)).status).toBe(200);
    expect((await call("POST", `${s.scim}/Users/.search`, token, { schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], count: 1 }, other)).status).toBe(200);
    expect((await call("GET", `${s.scim}/users/${id}`, token, undefined, other)).status).toBe(200);
  });
});
