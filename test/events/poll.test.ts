/**
 * RFC 9967 events by poll (RFC 8936) over real HTTP on a real SQLite store: what a change becomes,
 * the SET's claims and signature, acknowledgement, and organizations kept apart.
 */
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { makeStream, poll, pollAll, PROV, verifySet } from "./helpers";

jest.setTimeout(60_000);

let s: TestServer;
beforeAll(async () => { s = await startTestServer({ EVENTS_POLL_WAIT_MS: "300", LOG_LEVEL: process.env.DEBUG_LOG ?? "silent" }); });
afterAll(async () => { await s.close(); });

const deactivate = { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "active", value: false }] };

describe("SCIM events by poll", () => {
  it("answers a created then deactivated user as two signed SETs, in order, with RFC 9967's claims", async () => {
    const { org, token } = await s.newOrg({ domainEnforcement: false });
    const stream = await makeStream(s, token, { delivery: "poll" });
    expect(stream.credential).toMatch(/^oes_ES[0-9a-f]{32}_/);
    const made = await call("POST", `${s.scim}/Users`, token, userBody("ev1@acme.test", { externalId: "ext-ev1" }));
    expect(made.status).toBe(201);
    const id = made.body.id as string;
    expect((await call("PATCH", `${s.scim}/Users/${id}`, token, deactivate)).status).toBe(204);

    // Three SETs: the user created, the built-in Standard User group it joined (its members), the user deactivated.
    const sets = await pollAll(s, stream, 3);
    expect(sets.map((x) => x.payload.sub_id.uri.split("/")[1])).toEqual(["Users", "Groups", "Users"]);
    expect(sets[1]!.payload.events).toEqual({ [`${PROV}patch:notice`]: { attributes: ["members"], version: expect.stringMatching(/^W\/"\d+"$/) } });
    expect(sets[1]!.payload.txn).toBe(sets[0]!.payload.txn); // one change, one transaction: one txn (RFC 9967 §2.2)
    const [created, changed] = [sets[0]!.payload, sets[2]!.payload];
    for (const { payload, header } of [sets[0]!, sets[2]!]) {
      expect(header).toMatchObject({ alg: "ES256", typ: "secevent+jwt" });
      expect(payload.iss).toBe(s.url);
      expect(payload.aud).toBe(`${s.url}/v1/EventStreams/${stream.sid}`);
      expect(payload.jti).toMatch(/^[0-9a-f]{32}$/);
      expect(typeof payload.iat).toBe("number");
      expect(payload.sub).toBeUndefined(); // RFC 9967 §2.1: sub_id, never sub
      expect(payload.sub_id).toEqual({ format: "scim", uri: `/Users/${id}`, id, externalId: "ext-ev1" });
    }
    expect(Object.keys(created!.events)).toEqual([`${PROV}create:notice`]);
    expect(created!.events[`${PROV}create:notice`].attributes).toEqual(expect.arrayContaining(["id", "userName", "emails", "active", "name"]));
    expect(created!.events[`${PROV}create:notice`].data).toBeUndefined(); // notice mode: no values
    expect(changed!.events).toEqual({
      [`${PROV}patch:notice`]: { attributes: ["active"], version: 'W/"2"' },
      [`${PROV}deactivate`]: {},
    });
    expect(created!.txn).not.toBe(changed!.txn);
    expect(created!.jti).not.toBe(changed!.jti);
    expect(org.id).toBeTruthy();
  });

  it("answers unacknowledged SETs again, and an acknowledged one never", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false });
    const stream = await makeStream(s, token, { delivery: "poll" });
    expect((await call("POST", `${s.scim}/Users`, token, userBody("ev2@acme.test"))).status).toBe(201);
    const first = await poll(s, stream.credential!);
    const again = await poll(s, stream.credential!);
    expect(Object.keys(first.body.sets)).toHaveLength(2); // the user, and the Standard User group it joined
    expect(Object.keys(again.body.sets)).toEqual(Object.keys(first.body.sets));
    const acked = await poll(s, stream.credential!, { returnImmediately: true, ack: Object.keys(first.body.sets) });
    expect(acked.status).toBe(200);
    expect(acked.body).toEqual({ sets: {}, moreAvailable: false });
  });

  it("answers at most maxEvents SETs with moreAvailable, in the order of the changes", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false });
    const stream = await makeStream(s, token, { delivery: "poll" });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await call("POST", `${s.scim}/Users`, token, userBody(`ev3-${i}@acme.test`))).body.id);
    const r = await poll(s, stream.credential!, { returnImmediately: true, maxEvents: 3 });
    expect(Object.keys(r.body.sets)).toHaveLength(3);
    expect(r.body.moreAvailable).toBe(true);
    const first = await Promise.all((Object.values(r.body.sets) as string[]).map(async (j) => (await verifySet(s, j, stream.audience)).payload.sub_id.uri));
    const all = (await pollAll(s, stream, 10)).map((x) => x.payload.sub_id.uri as string);
    expect(all.slice(0, 3)).toEqual(first);
    expect(all.filter((u) => u.startsWith("/Users/"))).toEqual(ids.map((id) => `/Users/${id}`));
  });

  it("holds a poll with returnImmediately false until a change is written (long poll)", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false });
    const stream = await makeStream(s, token, { delivery: "poll" });
    const held = poll(s, stream.credential!, { returnImmediately: false });
    await new Promise((res) => setTimeout(res, 50));
    expect((await call("POST", `${s.scim}/Users`, token, userBody("ev4@acme.test"))).status).toBe(201);
    const r = await held;
    // Either the change arrived while the poll was held, or the wait (300 ms here) ran out first on a slow machine: then the next poll has it.
    const n = Object.keys(r.body.sets).length + Object.keys((await poll(s, stream.credential!)).body.sets).length;
    expect(n).toBeGreaterThanOrEqual(1);
  });

  it("writes no SET for a change that was refused (nothing half-applied)", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false });
    const stream = await makeStream(s, token, { delivery: "poll" });
    expect((await call("POST", `${s.scim}/Users`, token, userBody("ev5@acme.test"))).status).toBe(201);
    expect((await call("POST", `${s.scim}/Users`, token, userBody("EV5@acme.test"))).status).toBe(409);
    const sets = await pollAll(s, stream, 2);
    expect(sets.map((x) => Object.keys(x.payload.events)[0])).toEqual([`${PROV}create:notice`, `${PROV}patch:notice`]);
    expect((await poll(s, stream.credential!)).body.sets).toEqual({});
  });

  it("writes nothing for an organization without a stream, and a stream gets only the changes made after it", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false });
    expect((await call("POST", `${s.scim}/Users`, token, userBody("ev6a@acme.test"))).status).toBe(201);
    const stream = await makeStream(s, token, { delivery: "poll" });
    expect((await call("POST", `${s.scim}/Users`, token, userBody("ev6b@acme.test"))).status).toBe(201);
    const sets = await pollAll(s, stream, 2);
    expect(sets.map((x) => x.payload.sub_id.uri.split("/")[1])).toEqual(["Users", "Groups"]);
    expect((await poll(s, stream.credential!)).body.sets).toEqual({});
  });
});

describe("another organization's events are indistinguishable from nothing", () => {
  it("never answers, nor lets acknowledge, another organization's SETs", async () => {
    const a = await s.newOrg({ domainEnforcement: false });
    const b = await s.newOrg({ domainEnforcement: false });
    const streamA = await makeStream(s, a.token, { delivery: "poll" });
    const streamB = await makeStream(s, b.token, { delivery: "poll" });
    expect((await call("POST", `${s.scim}/Users`, a.token, userBody("iso@acme.test"))).status).toBe(201);
    const seenA = await poll(s, streamA.credential!);
    const jtis = Object.keys(seenA.body.sets);
    expect(jtis).toHaveLength(2);
    // B's credential: nothing, and its ack of A's jti does nothing to A's stream.
    const seenB = await poll(s, streamB.credential!, { returnImmediately: true, ack: jtis });
    expect(seenB.status).toBe(200);
    expect(seenB.body).toEqual({ sets: {}, moreAvailable: false });
    expect(Object.keys((await poll(s, streamA.credential!)).body.sets)).toEqual(jtis);
    // B's secret on A's stream id, A's stream id with a made-up secret, B's /v1 token: one 401 for all.
    const secretB = streamB.credential!.split("_").slice(2).join("_");
    const forged = [`oes_${streamA.sid}_${secretB}`, `oes_${streamA.sid}_${"A".repeat(43)}`, b.token, a.token, "nonsense"];
    for (const credential of forged) {
      const r = await poll(s, credential);
      expect({ credential: credential.slice(0, 12), status: r.status, body: r.body }).toEqual({ credential: credential.slice(0, 12), status: 401, body: { err: "authentication_failed", description: expect.any(String) } });
    }
    // And A's stream through B's /v1 token: not found, as a stream that does not exist.
    const other = await v1("GET", `${s.url}/v1/EventStreams/${streamA.sid}`, b.token);
    const none = await v1("GET", `${s.url}/v1/EventStreams/ES${"0".repeat(32)}`, b.token);
    expect(other.status).toBe(404);
    expect(other.body.code).toBe(none.body.code);
    expect((await v1("DELETE", `${s.url}/v1/EventStreams/${streamA.sid}`, b.token)).status).toBe(404);
    expect((await v1("GET", `${s.url}/v1/EventStreams`, b.token)).body.event_streams.map((x: { sid: string }) => x.sid)).toEqual([streamB.sid]);
  });

  it("stops answering a deleted stream's credential and drops what it was owed", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false });
    const stream = await makeStream(s, token, { delivery: "poll" });
    expect((await call("POST", `${s.scim}/Users`, token, userBody("gone@acme.test"))).status).toBe(201);
    expect((await v1("DELETE", `${s.url}/v1/EventStreams/${stream.sid}`, token)).status).toBe(204);
    expect((await poll(s, stream.credential!)).status).toBe(401);
    expect(await s.running.store.events!.listEvents((await s.running.store.events!.getStream(stream.sid))!.orgId, stream.sid, 10)).toEqual([]);
  });
});

describe("discovery", () => {
  it("advertises the event URIs it emits in ServiceProviderConfig (RFC 9967 §4)", async () => {
    const { token } = await s.newOrg();
    const r = await call("GET", `${s.scim}/ServiceProviderConfig`, token);
    expect(r.body.securityEvents).toEqual({
      asyncRequest: "none",
      eventUris: [`${PROV}create:notice`, `${PROV}patch:notice`, `${PROV}put:notice`, `${PROV}delete`, `${PROV}activate`, `${PROV}deactivate`],
    });
  });

  it("publishes the signing key as a JWKS without its private part", async () => {
    const r = await call("GET", `${s.url}/events/jwks.json`, null);
    expect(r.status).toBe(200);
    expect(r.body.keys).toHaveLength(1);
    expect(r.body.keys[0]).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig", kid: expect.any(String) });
    expect(r.body.keys[0].d).toBeUndefined();
  });
});
