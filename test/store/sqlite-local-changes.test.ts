/**
 * The principal version and an organization's live streams are answered by the writer connection or
 * from memory (src/store/sqlite/local-changes.ts), and stay exactly what they must be:
 * - the principal version is what is COMMITTED: a change in the writer's open group is not answered
 *   before its COMMIT, and is answered right after it; a change rolled back is never answered;
 * - the live streams a write transaction writes SETs for are its own view: a stream made by an
 *   earlier member of its group counts, one whose member rolled back does not, and one made or
 *   deleted by another connection on the file counts from the next transaction on;
 * - what keeps them honest is watched in full: the temp triggers watch every event_streams column
 *   a live stream is made of (all but the push worker's lease_until).
 */
import Database from "better-sqlite3";
import { randomBytes } from "node:crypto";
import { withEvents } from "../../src/domain/events-capture";
import type { EventStream } from "../../src/domain/events-model";
import type { Store } from "../../src/domain/ports/store";
import { STREAM_COLUMNS } from "../../src/store/sqlite/local-changes";
import { anOrg, aUser } from "../helpers/fixtures";
import { sqliteFileStore } from "../helpers/sqlite-file-store";

const f = sqliteFileStore("orgscim-local-changes-");
const NOW = "2026-01-01T00:00:00.000Z";
const hex = (n: number) => randomBytes(n).toString("hex");

const aStream = (orgId: string): EventStream => ({
  id: `ES${hex(16)}`, orgId, name: "receiver", delivery: "poll", endpoint: null, pollSecretHash: "ab".repeat(32),
  created: NOW, createdBy: "TKtest", deleted: null,
});

async function anOrgWithToken(store: Store): Promise<{ orgId: string; tokenId: () => Promise<string> }> {
  const org = anOrg();
  await store.orgs.insert(org);
  let n = 0;
  const tokenId = async () => {
    const id = `TK${hex(16)}`;
    await store.tokens.insert({
      id, orgId: org.id, name: `t${++n}`, scopes: ["scim"], secretHash: hex(32), userId: null, created: NOW, revoked: null,
      createdBy: "operator",
    });
    return id;
  };
  return { orgId: org.id, tokenId };
}

/** The SETs written for a stream, by subject (a second connection: committed rows only). */
function setsOf(file: string, streamId: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT subject FROM security_events WHERE stream_id = ? ORDER BY seq").pluck().all(streamId) as string[];
  } finally {
    db.close();
  }
}

describe("the principal version answers what is committed", () => {
  it("a revocation in the writer's open transaction: the version before it until COMMIT, the new one right after", async () => {
    const store = f.store;
    const { orgId, tokenId } = await anOrgWithToken(store);
    const id = await tokenId();
    const before = await store.principalVersion!(orgId);
    let during: number | null = null;
    await store.transaction(async (tx) => {
      expect(await tx.tokens.revoke(orgId, id, NOW)).toBe(true);
      during = await store.principalVersion!(orgId);
    });
    expect(during).toBe(before);
    expect(await store.principalVersion!(orgId)).toBe(before + 1);
  });

  it("a revocation rolled back is never answered, and the next committed one is", async () => {
    const store = f.store;
    const { orgId, tokenId } = await anOrgWithToken(store);
    const [a, b] = [await tokenId(), await tokenId()];
    const before = await store.principalVersion!(orgId);
    // In a group of three: the first opens it, the second revokes and fails (rolled back to its savepoint), the third reads.
    const seen: number[] = [];
    const results = await Promise.allSettled([
      store.transaction(async (tx) => { await tx.orgs.get(orgId); }),
      store.transaction(async (tx) => {
        await tx.tokens.revoke(orgId, a, NOW);
        seen.push(await store.principalVersion!(orgId));
        throw new Error("rolled back");
      }),
      store.transaction(async () => { seen.push(await store.principalVersion!(orgId)); }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(seen).toEqual([before, before]);
    expect(await store.principalVersion!(orgId)).toBe(before);
    expect((await store.tokens.get(a))?.revoked).toBeNull();
    await store.tokens.revoke(orgId, b, NOW);
    expect(await store.principalVersion!(orgId)).toBe(before + 1);
  });

  it("a revocation committed by another connection on the file is answered at once", async () => {
    const store = f.store;
    const { orgId, tokenId } = await anOrgWithToken(store);
    const id = await tokenId();
    const before = await store.principalVersion!(orgId);
    expect(await store.principalVersion!(orgId)).toBe(before);
    const other = new Database(f.file);
    try {
      expect(other.prepare("UPDATE api_tokens SET revoked = ? WHERE id = ?").run(NOW, id).changes).toBe(1);
    } finally {
      other.close();
    }
    expect(await store.principalVersion!(orgId)).toBe(before + 1);
  });
});

describe("a write transaction writes SETs for the live streams its own view holds", () => {
  const withSets = () => withEvents(f.store);

  it("a stream made by an earlier member of the open group counts; one whose member rolled back does not, though that member wrote for it", async () => {
    const store = withSets();
    const org = anOrg();
    await store.orgs.insert(org);
    const kept = aStream(org.id);
    const undone = aStream(org.id);
    const [u1, u2, gone] = [aUser(org.id), aUser(org.id), aUser(org.id)];
    await store.transaction(async (tx) => { await tx.users.insert(aUser(org.id)); }); // the organization's streams (none) read, and kept
    const results = await Promise.allSettled([
      store.transaction(async (tx) => { await tx.orgs.get(org.id); }),
      store.transaction(async (tx) => { await tx.events!.insertStream(kept); }),
      store.transaction(async (tx) => { await tx.users.insert(u1); }),
      store.transaction(async (tx) => {
        await tx.events!.insertStream(undone);
        await tx.users.insert(gone); // its own view: the stream it made is live
        throw new Error("rolled back");
      }),
      store.transaction(async (tx) => { await tx.users.insert(u2); }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect(setsOf(f.file, kept.id)).toEqual([`/Users/${u1.id}`, `/Users/${u2.id}`]);
    expect(setsOf(f.file, undone.id)).toEqual([]);
    expect((await store.events!.listLiveStreams(org.id)).map((s) => s.id)).toEqual([kept.id]);
  });

  it("a stream made, then deleted, by another connection counts from the next transaction on, and only until it is deleted", async () => {
    const store = withSets();
    const org = anOrg();
    await store.orgs.insert(org);
    await store.transaction(async (tx) => { await tx.users.insert(aUser(org.id)); });
    await store.transaction(async (tx) => { await tx.users.insert(aUser(org.id)); });
    const s = aStream(org.id);
    const other = new Database(f.file);
    try {
      other.prepare(`INSERT INTO event_streams (id, org_id, name, delivery, endpoint, poll_secret_hash, created, created_by, deleted)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)`).run(s.id, s.orgId, s.name, s.delivery, s.endpoint, s.pollSecretHash, s.created, s.createdBy);
      const made = aUser(org.id);
      await store.transaction(async (tx) => { await tx.users.insert(made); });
      expect(setsOf(f.file, s.id)).toEqual([`/Users/${made.id}`]);
      // A lease (the push worker's, here another connection's) is not a change of the list.
      other.prepare("UPDATE event_streams SET lease_until = ? WHERE id = ?").run(NOW, s.id);
      const leased = aUser(org.id);
      await store.transaction(async (tx) => { await tx.users.insert(leased); });
      expect(setsOf(f.file, s.id)).toEqual([`/Users/${made.id}`, `/Users/${leased.id}`]);
      other.prepare("UPDATE event_streams SET deleted = ? WHERE id = ?").run(NOW, s.id);
      await store.transaction(async (tx) => { await tx.users.insert(aUser(org.id)); });
      expect(setsOf(f.file, s.id)).toEqual([`/Users/${made.id}`, `/Users/${leased.id}`]);
    } finally {
      other.close();
    }
  });

  it("the writer watches every event_streams column a live stream is made of: all but lease_until", () => {
    const db = new Database(f.file, { readonly: true });
    try {
      const columns = (db.prepare("SELECT name FROM pragma_table_info('event_streams')").pluck().all() as string[]).filter((c) => c !== "lease_until");
      expect([...STREAM_COLUMNS].sort()).toEqual(columns.sort());
    } finally {
      db.close();
    }
  });
});
