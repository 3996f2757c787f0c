/**
 * Every write after a stream is made has its SET for it, and none after it is deleted, whichever
 * process made or deleted it and whichever serves the write (docs/security.md case 69, held).
 * A write transaction reads the organization's live event streams to write its SETs
 * (src/domain/events-capture.ts); that read is a lever of issue 18 (the create path), and a list
 * of streams kept in a process would have to learn of a stream made or deleted by another process
 * (WORKERS=N, `orgscim` commands on the same file). Kept stale, a new stream would miss changes
 * (an identity-governance receiver never told a user was made), and a deleted one would still be
 * written every change of the organization: data kept for a receiver the organization cut off.
 *
 * Attacked over HTTP with 1 and 2 server processes: writes before any stream (so that whatever
 * is kept says "none"), then a stream made over /v1 and creates spread over the processes; a
 * second stream deleted over /v1 after it had SETs, then creates; a stream made and deleted through
 * another connection on the file (as an `orgscim` command beside the server). Held: the live
 * stream's receiver polls exactly one create SET for each user made after it was made, and a
 * deleted stream is written no SET after its deletion answered.
 */
import Database from "better-sqlite3";
import { operatorActor } from "../../src/domain/actor";
import { systemClock } from "../../src/domain/clock";
import { createStream, deleteStream } from "../../src/domain/events";
import type { Store } from "../../src/domain/ports/store";
import type { Organization } from "../../src/domain/types";
import { openStore } from "../../src/store/open";
import { drainAll, makeStream, poll, PROV, verifySet, type Stream, type VerifiedSet } from "../events/helpers";
import { call, userBody, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { startServerWith, WORKER_COUNTS, type ServerUnderTest } from "../helpers/workers-server";

jest.setTimeout(240_000);

const CREATES = 8;

describe.each(WORKER_COUNTS)("with %i server process(es)", (workers) => {
  let s: ServerUnderTest;
  let org: Organization;
  let token = "";
  /** Another connection on the file: what an `orgscim` command opens beside the server. */
  let other: Store;
  let made = 0;
  /** The events helpers read only the server's url. */
  const ts = () => s as unknown as TestServer;

  beforeAll(async () => {
    s = await startServerWith(workers);
    ({ org, token } = await s.newOrg({ domainEnforcement: false }));
    other = await openStore(`sqlite:${s.file}`, { checkpointsElsewhere: true });
  });
  afterAll(async () => {
    await other?.close();
    await s?.close();
  });

  /** `n` users made at once (spread over the processes): their ids. */
  const create = async (n: number): Promise<string[]> => {
    const replies = await Promise.all(Array.from({ length: n }, () => call("POST", `${s.scim}/Users`, token, userBody(`stream-${workers}-${++made}@acme.test`))));
    for (const r of replies) if (r.status !== 201) throw new Error(`create: ${r.status} ${JSON.stringify(r.body)}`);
    return replies.map((r) => r.body.id as string);
  };

  /**
   * The users the stream's SETs are about, each SET acknowledged: polled until `n` user SETs came
   * (a create also changes the Standard User group's members: that group's SETs are left aside),
   * then until a poll brings none. Every user SET must be a create notice.
   */
  const usersPolled = async (stream: Stream, n: number): Promise<string[]> => {
    const about: string[] = [];
    const take = (sets: VerifiedSet[]) => {
      for (const v of sets) {
        const uri = String((v.payload.sub_id as { uri: string }).uri);
        if (!uri.startsWith("/Users/")) continue;
        expect(Object.keys(v.payload.events as object)).toEqual([`${PROV}create:notice`]);
        about.push(uri.slice("/Users/".length));
      }
    };
    // Polled without waiting, each answer's SETs acknowledged by the next poll, until the n user
    // SETs came (60 s bounds a hang; the SETs committed with their 201s) and a poll then brings none.
    const deadline = Date.now() + 60_000;
    let ack: string[] = [];
    for (;;) {
      const r = await poll(ts(), stream.credential!, { returnImmediately: true, ack });
      if (r.status !== 200) throw new Error(`poll: ${r.status} ${r.text}`);
      ack = Object.keys(r.body.sets as object);
      take(await Promise.all((Object.values(r.body.sets as object) as string[]).map((jws) => verifySet(ts(), jws, stream.audience))));
      if (ack.length === 0 && about.length >= n) break;
      if (Date.now() > deadline) throw new Error(`${about.length} user SETs of ${n} polled in 60 s`);
    }
    return about.sort();
  };

  /** SET rows written for a stream, read on a connection of the test's own. */
  const rowsFor = (streamId: string): number => {
    const db = new Database(s.file, { readonly: true });
    try {
      return db.prepare("SELECT count(*) FROM security_events WHERE stream_id = ?").pluck().get(streamId) as number;
    } finally {
      db.close();
    }
  };

  it("writes a stream made over /v1 the SET of every create served after it, whichever process serves it", async () => {
    await create(CREATES); // before any stream: whatever a process keeps says "no stream"
    const stream = await makeStream(ts(), token, { delivery: "poll" });
    const ids = await create(CREATES);
    expect(await usersPolled(stream, CREATES)).toEqual([...ids].sort());
  });

  it("writes a stream deleted over /v1 no SET after its deletion answered", async () => {
    const kept = await makeStream(ts(), token, { delivery: "poll" });
    const cut = await makeStream(ts(), token, { delivery: "poll" });
    await create(CREATES); // both streams have SETs: every process has written to the one about to go
    await drainAll(ts(), kept);
    expect((await v1("DELETE", `${s.url}/v1/EventStreams/${cut.sid}`, token)).status).toBe(204);
    const atDeletion = rowsFor(cut.sid);
    const ids = await create(CREATES);
    expect(rowsFor(cut.sid)).toBe(atDeletion);
    expect(await usersPolled(kept, CREATES)).toEqual([...ids].sort());
  });

  it("follows a stream made and deleted through another connection on the file (an orgscim command beside the server)", async () => {
    await create(CREATES);
    const actor = operatorActor(org, "attacker test");
    const made = await createStream({ store: other, clock: systemClock }, actor, { name: "beside", delivery: "poll" });
    const shown = await v1("GET", `${s.url}/v1/EventStreams/${made.stream.id}`, token);
    expect(shown.status).toBe(200);
    const stream: Stream = { sid: made.stream.id, credential: made.pollCredential, audience: shown.body.audience as string, body: {} };
    const ids = await create(CREATES);
    expect(await usersPolled(stream, CREATES)).toEqual([...ids].sort());
    await deleteStream({ store: other, clock: systemClock }, actor, made.stream.id);
    const atDeletion = rowsFor(made.stream.id);
    await create(CREATES);
    expect(rowsFor(made.stream.id)).toBe(atDeletion);
  });
});
