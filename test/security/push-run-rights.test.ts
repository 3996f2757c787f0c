/**
 * A push stream sends nothing once whoever made it may no longer have it (case 41). A push run
 * (src/domain/events-push.ts pushStream) delivers a stream's pending SETs page after page for up
 * to half its lease (30 s), reading new pages as changes are written: it asks again, before each
 * SET it sends, whether the maker may still have the stream, so nothing leaves after a revocation
 * (or demotion) was answered, and the SETs stay owed with the reason (docs/security.md case 96).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { call, ORG_EXT, startTestServer, userBody, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { people } from "../authz/people";
import { makeStream, until } from "../events/helpers";

jest.setTimeout(90_000);

let s: TestServer;
let receiver: Server;
let url = "";
const arrivals: { at: number; set: string }[] = [];
beforeAll(async () => {
  s = await startTestServer({ EVENTS_ALLOW_PRIVATE_RECEIVERS: "true", EVENTS_PUSH_INTERVAL_MS: "100", EVENTS_RETRY_BASE_MS: "50" });
  // A receiver that takes 150 ms to accept each SET: a backlog of them is a run of seconds.
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      arrivals.push({ at: Date.now(), set: Buffer.concat(chunks).toString("utf8") });
      setTimeout(() => { res.writeHead(202); res.end(); }, 150);
    });
  });
  receiver.keepAliveTimeout = 1;
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/receiver`;
});
afterAll(async () => {
  await s.close();
  await new Promise<void>((r) => receiver.close(() => r()));
});

const subjectOf = (set: string): string => String((JSON.parse(Buffer.from(set.split(".")[1]!, "base64url").toString("utf8")) as { sub_id?: { id?: string } }).sub_id?.id);

type P = Awaited<ReturnType<typeof people>>;
const CASES: Record<string, (p: P, a: { id: string; sid: string }) => Promise<{ status: number }>> = {
  "the token that made the stream is revoked": (p, a) => v1("DELETE", `${s.url}/v1/Tokens/${a.sid}`, p.operator),
  "the Administrator who made it is demoted": (p, a) => v1("POST", `${s.url}/v1/Users/${a.id}`, p.operator, { org_role: "standard" }),
};

it.each(Object.keys(CASES))("sends no SET of a running push once %s", async (name) => {
  arrivals.length = 0;
  const p = await people(s);
  const id = await p.mkUser("pushadmin", { [ORG_EXT]: { orgRole: "administrator" } });
  const adminToken = await p.tokenFor(id, ["scim", "admin"]);
  const made = await v1("POST", `${s.url}/v1/Tokens`, adminToken, { friendly_name: "streams", scopes: ["admin"] });
  expect(made.status).toBe(201);
  const stream = await makeStream(s, made.body.token as string, { delivery: "push", endpoint_url: url });
  for (let i = 0; i < 20; i++) {
    const r = await call("POST", `${s.scim}/Users`, p.operator, userBody(`backlog-${i}-${Math.random().toString(36).slice(2, 8)}@acme.test`));
    expect(r.status).toBe(201);
  }
  await until("the push run started", () => arrivals.length > 0);
  expect((await CASES[name]!(p, { id, sid: made.body.sid as string })).status).toBeLessThan(300);
  const answered = Date.now();
  const after = (await call("POST", `${s.scim}/Users`, p.operator, userBody(`after-${Math.random().toString(36).slice(2, 8)}@acme.test`))).body.id as string;
  await new Promise((r) => setTimeout(r, 4000)); // what was left of the backlog: 20 x 150 ms
  const late = arrivals.filter((a) => a.at > answered + 20);
  expect({ late: late.length, afterSent: arrivals.some((a) => subjectOf(a.set) === after) }).toEqual({ late: 0, afterSent: false });
  const owed = (await v1("GET", `${s.url}/v1/EventStreams/${stream.sid}`, p.operator)).body;
  expect(owed.undelivered_count).toBeGreaterThan(0);
});
