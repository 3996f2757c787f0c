/**
 * A poll stream's credential stops answering once whoever made the stream may no longer have it
 * (case 41). A long poll (`returnImmediately: false`) is held up to EVENTS_POLL_WAIT_MS and woken
 * by the next SET of its organization: held polls answer as a new poll would then be answered,
 * 401 and no SET, when the right that made the stream went while they waited (docs/security.md case 91).
 */
import { call, ORG_EXT, startTestServer, userBody, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { people } from "../authz/people";
import { drainAll, makeStream, poll } from "../events/helpers";

jest.setTimeout(60_000);

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ EVENTS_POLL_WAIT_MS: "20000" });
});
afterAll(async () => { await s.close(); });

const newUser = async (token: string, name: string) => {
  const r = await call("POST", `${s.scim}/Users`, token, userBody(`${name}-${Math.random().toString(36).slice(2, 8)}@acme.test`));
  if (r.status !== 201) throw new Error(`POST /Users answered ${r.status} ${r.text}`);
  return r.body.id as string;
};

type P = Awaited<ReturnType<typeof people>>;
const CASES: Record<string, (p: P, a: { id: string; sid: string }) => Promise<{ status: number }>> = {
  "the token that made the stream is revoked": (p, a) => v1("DELETE", `${s.url}/v1/Tokens/${a.sid}`, p.operator),
  "the Administrator who made it is demoted": (p, a) => v1("POST", `${s.url}/v1/Users/${a.id}`, p.operator, { org_role: "standard" }),
};

it.each(Object.keys(CASES))("answers a held poll 401, without the SET that woke it, when %s while it waits", async (name) => {
  const p = await people(s);
  const id = await p.mkUser("streamadmin", { [ORG_EXT]: { orgRole: "administrator" } });
  const adminToken = await p.tokenFor(id, ["scim", "admin"]);
  const made = await v1("POST", `${s.url}/v1/Tokens`, adminToken, { friendly_name: "streams", scopes: ["admin"] });
  expect(made.status).toBe(201);
  const stream = await makeStream(s, made.body.token as string, { delivery: "poll" });
  await newUser(p.operator, "before");
  expect(await drainAll(s, stream)).toBeGreaterThan(0);
  const held = poll(s, stream.credential!, { returnImmediately: false });
  await new Promise((r) => setTimeout(r, 300)); // the poll is held: nothing is waiting
  expect((await CASES[name]!(p, { id, sid: made.body.sid as string })).status).toBeLessThan(300);
  const after = await newUser(p.operator, "after");
  const r = await held;
  expect({ status: r.status, sets: r.body?.sets, named: r.text.includes(after) }).toEqual({ status: 401, sets: undefined, named: false });
  expect((await poll(s, stream.credential!)).status).toBe(401); // as a new poll is answered
});
