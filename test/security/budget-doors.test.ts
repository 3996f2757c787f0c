/**
 * A token's and an organization's request budgets hold at every door and whatever the headers say
 * (docs/security.md case 68, held). Since cd7616e the budgets are counted in this process by
 * src/http/rate-windows.ts (a key's fixed window, keyed by the token's id and the organization's
 * id from the token), and the SCIM hot routes are being dispatched ever more directly (issue 18):
 * a door that reaches its handler without passing the budget, or a budget keyed by something the
 * request chooses, lets one token spend the server for every organization.
 *
 * Attacked over HTTP with a budget of 5 a second: for each door (the hot lookups by id, by
 * userName, externalId and email, a group by id, a cursor page, a member PATCH, POST /Users, /Bulk,
 * .search, HEAD, discovery, /v1, the lowercase and trailing-slash spellings of a route), 12
 * requests of one fresh token sent at once, each with another X-Forwarded-For and X-Real-IP and
 * the scheme spelt in another case; and all doors mixed for one organization's two tokens under
 * its organization's budget. Held: at most 5 are admitted per one-second window the burst spanned
 * (exactly 5 when it fitted in one: test/helpers/budget-window.ts), the rest answered 429.
 */
import { systemClock } from "../../src/domain/clock";
import { issueToken } from "../../src/domain/tokens";
import { withinOneWindow } from "../helpers/budget-window";
import { call, PATCH_SCHEMA, startTestServer, userBody, type Reply, type TestServer } from "../helpers/server";

jest.setTimeout(240_000);

const BUDGET = 5;
const SENT = 12;
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

let byToken: TestServer;
let byOrg: TestServer;
beforeAll(async () => {
  // Tokens alone counted; then organizations alone (their tokens unbounded).
  byToken = await startTestServer({ RATE_LIMIT_TOKEN_RPS: String(BUDGET), RATE_LIMIT_TOKEN_BURST: String(BUDGET), RATE_LIMIT_ORG_RPS: "0" });
  byOrg = await startTestServer({ RATE_LIMIT_TOKEN_RPS: "0", RATE_LIMIT_ORG_RPS: String(BUDGET), RATE_LIMIT_ORG_BURST: String(BUDGET) });
});
afterAll(async () => {
  await byToken.close();
  await byOrg.close();
});

/** An organization with one user and one group (made with its first token), and a fresh token that has spent nothing. */
interface Org { token: string; id: string; userName: string; group: string; orgId: string }
let made = 0;
async function anOrg(s: TestServer): Promise<Org> {
  const o = await s.newOrg({ domainEnforcement: false });
  const userName = `budget-${++made}-${Math.random().toString(36).slice(2, 8)}@acme.test`;
  const u = await call("POST", `${s.scim}/Users`, o.token, userBody(userName, { externalId: `ext-${userName}` }));
  expect(u.status).toBe(201);
  const g = await call("POST", `${s.scim}/Groups`, o.token, { schemas: [GROUP], displayName: `group-${userName}`, members: [{ value: u.body.id }] });
  expect(g.status).toBe(201);
  const fresh = (await issueToken(s.running.store, systemClock, { orgId: o.org.id, name: "burst", scopes: ["scim", "admin"] })).plaintext;
  return { token: fresh, id: u.body.id as string, userName, group: g.body.id as string, orgId: o.org.id };
}

type Send = (s: TestServer, o: Org, i: number, token: string) => Promise<Reply>;
const enc = (filter: string) => encodeURIComponent(filter);
/** Each request looks like another client's, and spells the scheme its own way. */
const disguise = (i: number): Record<string, string> => ({ "X-Forwarded-For": `203.0.113.${i + 1}, 198.51.100.${i + 7}`, "X-Real-IP": `192.0.2.${i + 1}`, Forwarded: `for=192.0.2.${i + 1}` });
const authAs = (token: string, i: number): Record<string, string> => ({ ...disguise(i), Authorization: `${["Bearer", "bearer", "BEARER"][i % 3]!} ${token}` });
const send = (method: string, url: string, token: string, i: number, body?: unknown) => call(method, url, null, body, authAs(token, i));

const doors: Array<[string, Send]> = [
  ["GET /Users/{id}", (s, o, i, t) => send("GET", `${s.scim}/Users/${o.id}`, t, i)],
  ["GET /Users?filter=userName eq", (s, o, i, t) => send("GET", `${s.scim}/Users?filter=${enc(`userName eq "${o.userName}"`)}`, t, i)],
  ["GET /Users?filter=externalId eq", (s, o, i, t) => send("GET", `${s.scim}/Users?filter=${enc(`externalId eq "ext-${o.userName}"`)}`, t, i)],
  ["GET /Users?filter=emails.value eq", (s, o, i, t) => send("GET", `${s.scim}/Users?filter=${enc(`emails[type eq "work" and value eq "${o.userName}"]`)}`, t, i)],
  ["GET /Groups/{id}", (s, o, i, t) => send("GET", `${s.scim}/Groups/${o.group}`, t, i)],
  ["GET /Users cursor page", (s, _o, i, t) => send("GET", `${s.scim}/Users?count=2&cursor=`, t, i)],
  ["PATCH /Groups/{id} member add", (s, o, i, t) => send("PATCH", `${s.scim}/Groups/${o.group}`, t, i, { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: [{ value: o.id }] }] })],
  ["POST /Users", (s, o, i, t) => send("POST", `${s.scim}/Users`, t, i, userBody(`new-${i}-${o.userName}`))],
  ["POST /Bulk", (s, o, i, t) => send("POST", `${s.scim}/Bulk`, t, i, { schemas: [BULK], Operations: [{ method: "POST", path: "/Users", bulkId: "a", data: userBody(`bulk-${i}-${o.userName}`) }] })],
  ["POST /Users/.search", (s, o, i, t) => send("POST", `${s.scim}/Users/.search`, t, i, { schemas: [SEARCH], filter: `userName eq "${o.userName}"` })],
  ["HEAD /Users/{id}", (s, o, i, t) => send("HEAD", `${s.scim}/Users/${o.id}`, t, i)],
  ["GET /ServiceProviderConfig", (s, _o, i, t) => send("GET", `${s.scim}/ServiceProviderConfig`, t, i)],
  ["GET /v1/Users/{sid}", (s, o, i, t) => send("GET", `${s.url}/v1/Users/${o.id}`, t, i)],
  ["GET /scim/v2/users/{id} (lowercase)", (s, o, i, t) => send("GET", `${s.url}/scim/v2/users/${o.id}`, t, i)],
  ["GET /scim/v2/Users/{id}/ (trailing slash)", (s, o, i, t) => send("GET", `${s.scim}/Users/${o.id}/`, t, i)],
];

/** The budget's refusal (9001); /Bulk's admission answers 429 too, with its own codes (9005, 9008), after the budget admitted it. */
const codeOf = (r: Reply): string | null => r.headers.get("x-orgscim-error-code") ?? (typeof r.body?.code === "number" ? String(r.body.code) : null); // SCIM's header, /v1's body
const refusedByBudget = (r: Reply) => r.status === 429 && codeOf(r) === "9001";

/** The burst's answers: how many got through the budget, and the statuses (with error codes) seen. */
function tally(replies: Reply[]): { admitted: number; statuses: Record<string, number> } {
  const statuses: Record<string, number> = {};
  for (const r of replies) {
    const key = `${r.status}${codeOf(r) ? `/${codeOf(r)!}` : ""}`;
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  return { admitted: replies.filter((r) => !refusedByBudget(r)).length, statuses };
}

function expectWithinBudget(replies: Reply[], windows: number): void {
  const { admitted, statuses } = tally(replies);
  const seen = `statuses ${JSON.stringify(statuses)}, ${windows} window(s)`;
  expect({ admitted: admitted <= BUDGET * windows, seen }).toEqual({ admitted: true, seen });
  if (windows === 1) expect({ admitted, seen }).toEqual({ admitted: BUDGET, seen });
  // Never a 5xx: a refusal is the budget's, an admission the route's.
  expect(replies.filter((r) => r.status >= 500)).toEqual([]);
}

describe.each(doors)("%s, 12 requests of one token at once, each from another claimed address", (_door, sendOne) => {
  it(`admits at most ${BUDGET} a window`, async () => {
    const { out, windows } = await withinOneWindow(
      () => anOrg(byToken),
      (o) => Promise.all(Array.from({ length: SENT }, (_, i) => sendOne(byToken, o, i, o.token))),
    );
    expectWithinBudget(out, windows);
  });
});

describe("every door mixed, one organization's two tokens", () => {
  it(`admits at most the organization's ${BUDGET} a window`, async () => {
    const { out, windows } = await withinOneWindow(
      async () => {
        const o = await anOrg(byOrg);
        // anOrg's setup spent the organization's window: a fresh organization-wide window is waited for by a new org's tokens only, so wait it out.
        await new Promise((r) => setTimeout(r, 1100));
        const second = (await issueToken(byOrg.running.store, systemClock, { orgId: o.orgId, name: "second", scopes: ["scim", "admin"] })).plaintext;
        return { o, tokens: [o.token, second] };
      },
      ({ o, tokens }) => Promise.all(doors.map(([, sendOne], i) => sendOne(byOrg, o, i, tokens[i % 2]!))),
    );
    expectWithinBudget(out, windows);
  });
});
