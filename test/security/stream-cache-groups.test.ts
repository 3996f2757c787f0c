/**
 * A write's SETs go to the streams its own transaction sees, whatever the group commit did around it
 * (docs/security.md case 83). Every write transaction reads the organization's live streams for its
 * SETs (src/domain/events-capture.ts); issue 18 asks for that read to be answered from memory. A list
 * kept in the process must then follow the group commit: a stream made or deleted by an earlier
 * member of the same group is already there (uncommitted) for the next member, and a member rolled
 * back to its savepoint takes its stream change with it while the rest of the group commits.
 * Another process's changes are case 69 (test/security/stream-lifecycle-writes.test.ts).
 *
 * Attacked on a SQLite file store, members of one group started in one turn (the first opens the
 * group and waits on a gate; the next queue behind it on the writer's mutex, so the COMMIT comes
 * after all of them), each test after writes made with no stream or with the streams as they were:
 * - a stream made by one member, a user made by the next: the user's SET is written to the stream;
 * - a stream deleted by one member, a user made by the next: nothing written to the stream;
 * - a stream's deletion rolled back (its member throws), a user made by the next member: the SET is
 *   written to the stream, still live;
 * - a stream made and rolled back, a user made by the next member: that member commits and nothing
 *   names the stream that never was.
 */
import Database from "better-sqlite3";
import { join } from "node:path";
import type { EventStream } from "../../src/domain/events-model";
import type { EventRepo, Repos } from "../../src/domain/ports/store";
import type { Organization } from "../../src/domain/types";
import { aUser } from "../helpers/fixtures";
import { startTestServer, type TestServer } from "../helpers/server";

jest.setTimeout(120_000);

let s: TestServer;
let org: Organization;
beforeAll(async () => {
  s = await startTestServer();
  ({ org } = await s.newOrg({ domainEnforcement: false }));
});
afterAll(() => s.close());

const events = (tx: Repos): EventRepo => {
  if (!tx.events) throw new Error("the store keeps no SCIM events");
  return tx.events;
};

let made = 0;
function aStream(): EventStream {
  const id = `ES${(++made).toString(16).padStart(4, "0")}${"a".repeat(28)}`;
  return { id, orgId: org.id, name: `cache-${made}`, delivery: "poll", endpoint: null, pollSecretHash: "0".repeat(64), created: new Date().toISOString(), createdBy: "test", deleted: null };
}

/** SET rows about each user, for a stream, read on a connection of the test's own (committed rows). */
function setsFor(streamId: string): string[] {
  const db = new Database(join(s.dir, "test.db"), { readonly: true });
  try {
    return (db.prepare("SELECT subject FROM security_events WHERE stream_id = ? AND subject LIKE '/Users/%' ORDER BY seq").pluck().all(streamId) as string[]).map((u) => u.slice("/Users/".length));
  } finally {
    db.close();
  }
}

function committedUser(id: string): boolean {
  const db = new Database(join(s.dir, "test.db"), { readonly: true });
  try {
    return db.prepare("SELECT count(*) FROM users WHERE id = ?").pluck().get(id) === 1;
  } finally {
    db.close();
  }
}

/** A user made in its own transaction (SETs for the streams as they are). */
const makeUser = async (): Promise<string> => {
  const u = aUser(org.id);
  await s.running.store.transaction(async (tx) => tx.users.insert(u));
  return u.id;
};

/**
 * One group: an opener making a user and waiting on a gate, then `middle` (which may throw: rolled
 * back to its savepoint), then a member making a user. Answers both users' ids and how `middle` ended.
 */
async function oneGroup(middle: (tx: Repos) => Promise<void>): Promise<{ first: string; user: string; middle: "committed" | "rolled back" }> {
  let release = () => undefined as void;
  const held = new Promise<void>((r) => { release = r; });
  const first = aUser(org.id);
  const opener = s.running.store.transaction(async (tx) => {
    await tx.users.insert(first);
    await held;
  });
  const second = s.running.store.transaction(middle).then(() => "committed" as const, (e: unknown) => {
    if (String(e).includes("on purpose")) return "rolled back" as const;
    throw e;
  });
  const u = aUser(org.id);
  const third = s.running.store.transaction(async (tx) => tx.users.insert(u));
  release();
  await opener;
  const outcome = await second;
  await third;
  return { first: first.id, user: u.id, middle: outcome };
}

beforeEach(async () => {
  await makeUser(); // whatever is kept about the organization's streams is warm
});

test("a stream made by a member: the next member's user is written a SET for it", async () => {
  const st = aStream();
  const { user, middle } = await oneGroup(async (tx) => events(tx).insertStream(st));
  expect(middle).toBe("committed");
  expect(setsFor(st.id)).toEqual([user]); // the opener's user was made before the stream
  const later = await makeUser();
  expect(setsFor(st.id)).toEqual([user, later]);
});

test("a stream deleted by a member: nothing is written to it after", async () => {
  const st = aStream();
  await s.running.store.transaction(async (tx) => events(tx).insertStream(st));
  const before = await makeUser();
  expect(setsFor(st.id)).toEqual([before]);
  const { middle } = await oneGroup(async (tx) => {
    if (!(await events(tx).deleteStream(org.id, st.id, new Date().toISOString()))) throw new Error("not deleted");
  });
  expect(middle).toBe("committed");
  await makeUser();
  expect(setsFor(st.id)).toEqual([]); // its SETs went with it, and none came after
});

test("a stream's deletion rolled back: the stream is still written to, by the next member and later", async () => {
  const st = aStream();
  await s.running.store.transaction(async (tx) => events(tx).insertStream(st));
  const before = await makeUser();
  const { first, user, middle } = await oneGroup(async (tx) => {
    if (!(await events(tx).deleteStream(org.id, st.id, new Date().toISOString()))) throw new Error("not deleted");
    throw new Error("rolled back on purpose");
  });
  expect(middle).toBe("rolled back");
  const later = await makeUser();
  expect(setsFor(st.id)).toEqual([before, first, user, later]);
});

test("a stream made and rolled back: the next member commits, and nothing names the stream", async () => {
  const st = aStream();
  const { user, middle } = await oneGroup(async (tx) => {
    await events(tx).insertStream(st);
    throw new Error("rolled back on purpose");
  });
  expect(middle).toBe("rolled back");
  const later = await makeUser();
  expect({ user: committedUser(user), later: committedUser(later), sets: setsFor(st.id) }).toEqual({ user: true, later: true, sets: [] });
});
