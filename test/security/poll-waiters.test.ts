/**
 * Long polls held by one organization cost every other organization nothing per SET write, and
 * each costs the same however many are held (docs/security.md case 57). An organization's admin
 * makes a poll stream; its credential may hold as many long polls (POST /events/poll,
 * returnImmediately false) as it opens connections. Each held poll was a listener of its own on
 * the process's `setsWritten` emitter (and an interval of its own): every SET written by any
 * organization ran all of them, and as they timed out together EventEmitter's removal scanned the
 * list for each, n²/2 comparisons on the event loop (20,000 held polls: about a second of every
 * other request's time, each poll period). Now the held polls wait per organization behind one
 * listener (src/http/events/poll-waiters.ts). Real HTTP, real SQLite store.
 */
import { setsWritten } from "../../src/domain/events-capture";
import { call, startTestServer, userBody, type Reply, type TestServer } from "../helpers/server";
import { makeStream, poll } from "../events/helpers";

jest.setTimeout(60_000);

const HELD = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let s: TestServer;
// 12 s: a held poll's wait must outlast the first test's setup on a loaded machine (200 polls taken,
// then a create sent and committed): with 4 s the first polls held could time out, empty, before
// the create woke them. B's poll and the second test wait it out.
const POLL_WAIT_MS = 12_000;
beforeAll(async () => { s = await startTestServer({ EVENTS_POLL_WAIT_MS: String(POLL_WAIT_MS) }); });
afterAll(async () => { await s.close(); });

describe("long polls held by one organization", () => {
  it("add no listener each to what every SET write runs; a SET wakes its organization's polls only; the rest time out", async () => {
    const a = await s.newOrg({ domainEnforcement: false });
    const b = await s.newOrg({ domainEnforcement: false });
    const streamA = await makeStream(s, a.token, { delivery: "poll" });
    const streamB = await makeStream(s, b.token, { delivery: "poll" });
    const listeners = setsWritten.listenerCount("written");

    const answered: Reply[] = [];
    const held = Array.from({ length: HELD }, () => poll(s, streamA.credential!, { returnImmediately: false }).then((r) => { answered.push(r); return r; }));
    let answeredB: Reply | null = null;
    const heldB = poll(s, streamB.credential!, { returnImmediately: false }).then((r) => (answeredB = r));
    await sleep(800); // every poll read nothing and is held (one not held yet reads the SET below at once, the same answer)
    expect(answered).toEqual([]);
    // However many polls are held, a SET write runs at most one more listener than before them.
    expect(setsWritten.listenerCount("written")).toBeLessThanOrEqual(listeners + 1);

    // A change in organization A: each of A's held polls is answered with its SETs; B's is not woken.
    expect((await call("POST", `${s.scim}/Users`, a.token, userBody("woken@poll.test"))).status).toBe(201);
    const replies = await Promise.all(held);
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));
    expect(replies.filter((r) => Object.keys(r.body.sets as object).length === 0)).toEqual([]);
    expect(answeredB).toBeNull();

    // B's poll ends at its timeout, with nothing; then nothing held is listening any more.
    const rb = await heldB;
    expect([rb.status, rb.body.sets]).toEqual([200, {}]);
    expect(setsWritten.listenerCount("written")).toBe(listeners);
  });

  it("answers polls held together and timing out together, each with nothing", async () => {
    const a = await s.newOrg({ domainEnforcement: false });
    const stream = await makeStream(s, a.token, { delivery: "poll" });
    const replies = await Promise.all(Array.from({ length: HELD }, () => poll(s, stream.credential!, { returnImmediately: false })));
    expect(replies.map((r) => [r.status, r.body.sets])).toEqual(replies.map(() => [200, {}]));
  });
});
