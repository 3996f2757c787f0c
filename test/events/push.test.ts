/**
 * RFC 9967 events by push (RFC 8935) over real HTTP: a receiver on loopback (the test server runs
 * with EVENTS_ALLOW_PRIVATE_RECEIVERS=true, which only tests and labs set), SETs verified against
 * the published key, a receiver that is down, one that refuses a SET, and the outbound URL rules.
 */
import { httpSetSender } from "../../src/infra/set-push";
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { makeStream, PROV, startReceiver, until, verifySet, type Receiver } from "./helpers";

jest.setTimeout(60_000);

let s: TestServer;
let receiver: Receiver;
beforeAll(async () => {
  s = await startTestServer({ EVENTS_ALLOW_PRIVATE_RECEIVERS: "true", EVENTS_PUSH_INTERVAL_MS: "100", EVENTS_RETRY_BASE_MS: "50", LOG_LEVEL: process.env.DEBUG_LOG ?? "silent" });
});
beforeEach(async () => { receiver = await startReceiver(); });
afterEach(async () => { await receiver.close(); });
afterAll(async () => { await s.close(); });

const patchActive = (active: boolean) => ({ schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "active", value: active }] });
const userSets = async (r: Receiver, audience: string) => {
  const out = [];
  for (const x of r.received) {
    const v = await verifySet(s, x.set, audience);
    if (v.payload.sub_id.uri.startsWith("/Users/")) out.push(v.payload);
  }
  return out;
};

describe("SCIM events by push", () => {
  it("delivers the SET of a deactivation over SCIM within a second, as application/secevent+jwt, verifiable with the published key", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false });
    const id = (await call("POST", `${s.scim}/Users`, token, userBody("push1@acme.test"))).body.id as string;
    const stream = await makeStream(s, token, { delivery: "push", endpoint_url: receiver.url });
    const sent = Date.now();
    expect((await call("PATCH", `${s.scim}/Users/${id}`, token, patchActive(false))).status).toBe(204);
    await until("the deactivation's SET", () => receiver.received.length >= 1);
    const latency = receiver.received[0]!.at - sent;
    expect(receiver.received[0]!.contentType).toBe("application/secevent+jwt");
    const { payload } = await verifySet(s, receiver.received[0]!.set, stream.audience);
    expect(payload.sub_id.uri).toBe(`/Users/${id}`);
    expect(payload.events[`${PROV}deactivate`]).toEqual({});
    expect(latency).toBeLessThan(1000);
    // Delivered (202) means acknowledged: nothing is owed any more.
    await until("the row acknowledged", async () => (await v1("GET", `${s.url}/v1/EventStreams/${stream.sid}`, token)).body.undelivered_count === 0);
  });

  it("loses nothing while the receiver is down, then delivers every SET in the order of the changes", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false });
    let down = true;
    let refusedWhileDown = 0;
    receiver.answer = () => (down ? (refusedWhileDown++, { status: 503 }) : { status: 202 });
    const stream = await makeStream(s, token, { delivery: "push", endpoint_url: receiver.url });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await call("POST", `${s.scim}/Users`, token, userBody(`down${i}@acme.test`))).body.id);
    const expected: [string, string][] = ids.map((id) => [id, `${PROV}create:notice`]);
    for (const [i, active] of [[0, false], [1, false], [0, true], [2, false]] as const) {
      expect((await call("PATCH", `${s.scim}/Users/${ids[i]}`, token, patchActive(active))).status).toBe(204);
      expected.push([ids[i]!, `${PROV}patch:notice`]);
    }
    await until("a few refused attempts", () => refusedWhileDown >= 3);
    const owed = (await v1("GET", `${s.url}/v1/EventStreams/${stream.sid}`, token)).body;
    expect(owed.undelivered_count).toBeGreaterThanOrEqual(expected.length);
    expect(owed.first_undelivered.last_error).toMatch(/503/);
    expect(receiver.received).toHaveLength(0);
    down = false;
    await until("every SET", async () => (await userSets(receiver, stream.audience)).length >= expected.length);
    const got = (await userSets(receiver, stream.audience)).map((p) => [p.sub_id.id, Object.keys(p.events).find((k) => k.endsWith(":notice"))]);
    expect(got).toEqual(expected);
    // Group SETs too: every SET exactly once, none lost, and nothing owed.
    const jtis = await Promise.all(receiver.received.map(async (x) => (await verifySet(s, x.set, stream.audience)).payload.jti));
    expect(new Set(jtis).size).toBe(jtis.length);
    await until("nothing owed", async () => (await v1("GET", `${s.url}/v1/EventStreams/${stream.sid}`, token)).body.undelivered_count === 0);
  });

  it("keeps a SET the receiver refused (400 with err) as failed, with its reason, and delivers the next", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false });
    let first = true;
    receiver.answer = () => {
      if (!first) return { status: 202 };
      first = false;
      return { status: 400, body: { err: "invalid_audience", description: "not for us" } };
    };
    const stream = await makeStream(s, token, { delivery: "push", endpoint_url: receiver.url });
    expect((await call("POST", `${s.scim}/Users`, token, userBody("refused@acme.test"))).status).toBe(201);
    await until("the second SET", () => receiver.received.length >= 1);
    // The receiver has it; the server records its delivery once the receiver's 202 is back (a
    // moment later on a busy machine): until then two are owed.
    await until("the second SET recorded as delivered", async () => (await v1("GET", `${s.url}/v1/EventStreams/${stream.sid}`, token)).body.undelivered_count <= 1);
    const owed = (await v1("GET", `${s.url}/v1/EventStreams/${stream.sid}`, token)).body;
    expect(owed.undelivered_count).toBe(1);
    expect(owed.first_undelivered).toEqual(expect.objectContaining({ status: "failed", last_error: "400 invalid_audience: not for us" }));
  });
});

describe("the outbound URL rules for receivers", () => {
  let strict: TestServer;
  beforeAll(async () => { strict = await startTestServer(); });
  afterAll(async () => { await strict.close(); });

  it.each([
    ["http://receiver.example.com/events", /https/],
    ["https://127.0.0.1/events", /loopback, private or local/],
    ["https://10.1.2.3/events", /loopback, private or local/],
    ["https://192.168.0.9/events", /loopback, private or local/],
    ["https://169.254.169.254/latest/meta-data", /loopback, private or local/],
    ["https://[::1]/events", /loopback, private or local/],
    ["https://[::ffff:127.0.0.1]/events", /loopback, private or local/],
    ["https://[fd00::1]/events", /loopback, private or local/],
    ["https://localhost/events", /loopback, private or local/],
    ["https://intranet/events", /loopback, private or local/],
    ["https://user:pw@receiver.example.com/events", /credentials/],
    ["not a url", /not a URL/],
  ])("refuses endpoint_url %s without EVENTS_ALLOW_PRIVATE_RECEIVERS", async (url, why) => {
    const { token } = await strict.newOrg();
    const r = await v1("POST", `${strict.url}/v1/EventStreams`, token, { friendly_name: "r", delivery: "push", endpoint_url: url });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(why);
    expect((await v1("GET", `${strict.url}/v1/EventStreams`, token)).body.event_streams).toEqual([]);
  });

  it("takes a public https receiver", async () => {
    const { token } = await strict.newOrg();
    const r = await v1("POST", `${strict.url}/v1/EventStreams`, token, { friendly_name: "r", delivery: "push", endpoint_url: "https://receiver.example.com/events" });
    expect(r.status).toBe(201);
    expect(r.body.poll_credential).toBeNull();
  });

  it("refuses, when it sends, a host name that resolves to a private address (no DNS rebinding past the rule)", async () => {
    const sender = httpSetSender({ allowPrivate: false });
    await expect(sender.post("https://localhost:1/events", "x.y.z")).rejects.toThrow(/resolves to a loopback, private or local address/);
    await expect(sender.post("http://receiver.example.com/events", "x.y.z")).rejects.toThrow(/https only/);
  });
});
