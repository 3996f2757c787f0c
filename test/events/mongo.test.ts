/**
 * RFC 9967 events and the last use of tokens on the MongoDB store, over real HTTP: the server runs
 * the MongoDB store's real repositories and transaction code (src/store/mongo) over the mingo double
 * of the driver (test/store/mingo-store.ts, a replica set: transactions with snapshot isolation and
 * write conflicts). NOT a real mongod: none can run here; the same cases run against one through
 * the store contract (test/store/contract.mongo.test.ts) where MONGODB_URI is set or
 * mongodb-memory-server can start one.
 */
import { withEvents } from "../../src/domain/events-capture";
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { mingoStore } from "../store/mingo-store";
import { makeStream, poll, pollAll, PROV, startReceiver, until, verifySet, type Receiver } from "./helpers";

jest.setTimeout(90_000);

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer(
    { EVENTS_POLL_WAIT_MS: "300", EVENTS_ALLOW_PRIVATE_RECEIVERS: "true", EVENTS_PUSH_INTERVAL_MS: "100", EVENTS_RETRY_BASE_MS: "50", LOG_LEVEL: process.env.DEBUG_LOG ?? "silent" },
    { store: withEvents(mingoStore()) },
  );
});
afterAll(async () => { await s.close(); });

const patchActive = (active: boolean) => ({ schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "active", value: active }] });

describe("SCIM events on MongoDB (mingo double)", () => {
  it("serves the store it was given: MongoDB", () => {
    expect(s.running.store.kind).toBe("mongo");
  });

  it("answers a created then deactivated user by poll as signed SETs in order, and a refused change writes none", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false });
    const stream = await makeStream(s, token, { delivery: "poll" });
    const made = await call("POST", `${s.scim}/Users`, token, userBody("mev1@acme.test", { externalId: "ext-mev1" }));
    expect(made.status).toBe(201);
    const id = made.body.id as string;
    expect((await call("POST", `${s.scim}/Users`, token, userBody("MEV1@acme.test"))).status).toBe(409); // refused: nothing changed
    expect((await call("PATCH", `${s.scim}/Users/${id}`, token, patchActive(false))).status).toBe(204);
    const sets = await pollAll(s, stream, 3);
    expect(sets.map((x) => x.payload.sub_id.uri.split("/")[1])).toEqual(["Users", "Groups", "Users"]);
    expect(sets[0]!.payload.sub_id).toEqual({ format: "scim", uri: `/Users/${id}`, id, externalId: "ext-mev1" });
    expect(Object.keys(sets[0]!.payload.events)).toEqual([`${PROV}create:notice`]);
    expect(sets[2]!.payload.events).toEqual({ [`${PROV}patch:notice`]: { attributes: ["active"], version: 'W/"2"' }, [`${PROV}deactivate`]: {} });
    expect(sets[2]!.payload.aud).toBe(`${s.url}/v1/EventStreams/${stream.sid}`);
    // all acknowledged by pollAll: nothing more, and nothing owed
    expect(Object.keys((await poll(s, stream.credential!)).body.sets)).toEqual([]);
    expect((await v1("GET", `${s.url}/v1/EventStreams/${stream.sid}`, token)).body.undelivered_count).toBe(0);
  });

  it("keeps another organization's SETs out of reach of a stream's credential", async () => {
    const a = await s.newOrg({ domainEnforcement: false });
    const b = await s.newOrg({ domainEnforcement: false });
    const sa = await makeStream(s, a.token, { delivery: "poll" });
    await makeStream(s, b.token, { delivery: "poll" });
    expect((await call("POST", `${s.scim}/Users`, b.token, userBody("mev-b@acme.test"))).status).toBe(201);
    expect(Object.keys((await poll(s, sa.credential!)).body.sets)).toEqual([]);
    expect((await v1("GET", `${s.url}/v1/EventStreams/${sa.sid}`, b.token)).status).toBe(404);
  });

  describe("push", () => {
    let receiver: Receiver;
    beforeEach(async () => { receiver = await startReceiver(); });
    afterEach(async () => { await receiver.close(); });

    it("delivers a deactivation's SET to a receiver, verifiable with the published key", async () => {
      const { token } = await s.newOrg({ domainEnforcement: false });
      const id = (await call("POST", `${s.scim}/Users`, token, userBody("mpush1@acme.test"))).body.id as string;
      const stream = await makeStream(s, token, { delivery: "push", endpoint_url: receiver.url });
      expect((await call("PATCH", `${s.scim}/Users/${id}`, token, patchActive(false))).status).toBe(204);
      await until("the deactivation's SET", () => receiver.received.length >= 1);
      const { payload } = await verifySet(s, receiver.received[0]!.set, stream.audience);
      expect(payload.sub_id.uri).toBe(`/Users/${id}`);
      expect(payload.events[`${PROV}deactivate`]).toEqual({});
      await until("the row acknowledged", async () => (await v1("GET", `${s.url}/v1/EventStreams/${stream.sid}`, token)).body.undelivered_count === 0);
    });

    it("loses nothing while the receiver is down, then delivers every SET in the order of the changes", async () => {
      const { token } = await s.newOrg({ domainEnforcement: false });
      let down = true;
      let refused = 0;
      receiver.answer = () => (down ? (refused++, { status: 503 }) : { status: 202 });
      const stream = await makeStream(s, token, { delivery: "push", endpoint_url: receiver.url });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await call("POST", `${s.scim}/Users`, token, userBody(`mdown${i}@acme.test`))).body.id);
      const expected: [string, string][] = ids.map((id) => [id, `${PROV}create:notice`]);
      for (const [i, active] of [[0, false], [1, false], [0, true]] as const) {
        expect((await call("PATCH", `${s.scim}/Users/${ids[i]}`, token, patchActive(active))).status).toBe(204);
        expected.push([ids[i]!, `${PROV}patch:notice`]);
      }
      await until("a refused attempt", () => refused >= 2);
      expect(receiver.received).toHaveLength(0);
      down = false;
      const userSets = async () => {
        const out = [];
        for (const x of receiver.received) {
          const v = await verifySet(s, x.set, stream.audience);
          if (v.payload.sub_id.uri.startsWith("/Users/")) out.push(v.payload);
        }
        return out;
      };
      await until("every SET", async () => (await userSets()).length >= expected.length);
      expect((await userSets()).map((p) => [p.sub_id.id, Object.keys(p.events).find((k) => k.endsWith(":notice"))])).toEqual(expected);
      await until("nothing owed", async () => (await v1("GET", `${s.url}/v1/EventStreams/${stream.sid}`, token)).body.undelivered_count === 0);
    });
  });

  it("shows a token's last use on MongoDB", async () => {
    const { token: admin } = await s.newOrg();
    const made = await v1("POST", `${s.url}/v1/Tokens`, admin, { friendly_name: "okta", scopes: ["scim"] });
    expect(made.body.date_last_used).toBeNull();
    const before = Date.now();
    expect((await call("GET", `${s.scim}/Users`, made.body.token)).status).toBe(200);
    let shown: { date_last_used: string | null; last_used_address: string | null } = { date_last_used: null, last_used_address: null };
    await until("the use recorded", async () => {
      shown = (await v1("GET", `${s.url}/v1/Tokens/${made.body.sid}`, admin)).body;
      return shown.date_last_used !== null;
    });
    expect(Date.parse(shown.date_last_used!)).toBeGreaterThanOrEqual(before - 1000);
    expect(shown.last_used_address).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });
});
