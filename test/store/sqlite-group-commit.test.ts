/**
 * Group commit on SQLite (src/store/sqlite/group-commit.ts): transactions started together commit
 * together; each is acknowledged only once that commit is on the file (another connection sees it
 * when its promise resolves); a failing one is undone alone; reads outside a transaction see
 * committed data only; a commit that cannot happen refuses every member and acknowledges none; a
 * batch (/Bulk) is one member; and the write lock is not held when nothing is waiting.
 */
import Database from "better-sqlite3";
import { mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StoreUnavailable, type Store } from "../../src/domain/ports/store";
import { GroupCommitter } from "../../src/store/sqlite/group-commit";
import { GROUP_MAX_MEMBERS, openSqliteStore } from "../../src/store/sqlite/store";
import { anOrg, aUser } from "../helpers/fixtures";

let dir: string;
let file: string;
let store: Store;
const groups: number[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "orgscim-group-commit-"));
  file = join(dir, "gc.db");
  store = openSqliteStore({ path: file, durability: "full", groupCommit: true, onGroupCommit: (n) => groups.push(n) });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => { groups.length = 0; });

/** Whether another connection (committed data only) sees the user. */
function onFile(userId: string): boolean {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT 1 FROM users WHERE id = ?").get(userId) !== undefined;
  } finally {
    db.close();
  }
}

/** A promise and the function that settles it. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

async function newOrg(): Promise<string> {
  const org = anOrg();
  await store.orgs.insert(org);
  return org.id;
}

describe("group commit on SQLite", () => {
  it("commits transactions started together in one commit, and acknowledges each only once it is on the file", async () => {
    const org = await newOrg();
    groups.length = 0;
    const users = Array.from({ length: 10 }, () => aUser(org));
    const seenWhenAcknowledged = await Promise.all(users.map((u) =>
      store.transaction(async (tx) => { await tx.users.insert(u); }).then(() => onFile(u.id))));
    expect(seenWhenAcknowledged).toEqual(users.map(() => true));
    expect(groups).toEqual([10]);
  });

  it("undoes a failing transaction alone; the others of its group commit", async () => {
    const org = await newOrg();
    groups.length = 0;
    const [a, b, c] = [aUser(org), aUser(org), aUser(org)];
    const outcomes = await Promise.allSettled([a, b, c].map((u) => store.transaction(async (tx) => {
      await tx.users.insert(u);
      if (u === b) throw new Error("b fails after its write");
    })));
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error("b fails after its write"));
    expect([a, b, c].map((u) => onFile(u.id))).toEqual([true, false, true]);
    expect(groups).toEqual([2]);
  });

  it("runs the transaction that opens a group without a savepoint (undoing it is rolling back, it alone), each that joins it in its own", async () => {
    const db = new Database(join(dir, "savepoints.db"));
    try {
      db.pragma("journal_mode = WAL");
      db.exec("CREATE TABLE t (v INTEGER)");
      const ran: string[] = [];
      const exec = db.exec.bind(db);
      db.exec = (sql: string) => { ran.push(sql.replace(/\bgc\d*\b/, "gcN")); return exec(sql); };
      // The savepoints are prepared statements (one name for every member): their runs are recorded too.
      const prepare = db.prepare.bind(db);
      db.prepare = ((sql: string) => {
        const st = prepare(sql);
        if (/^(SAVEPOINT|RELEASE|ROLLBACK TO) /.test(sql)) {
          const run = st.run.bind(st);
          st.run = (...args: unknown[]) => { ran.push(sql.replace(/\bgc\d*\b/, "gcN")); return run(...args); };
        }
        return st;
      }) as typeof db.prepare;
      const committer = new GroupCommitter(db, { maxMembers: GROUP_MAX_MEMBERS, assertFiles: () => undefined });
      const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
      const write = (v: number, fails: boolean) => committer.run(async () => {
        insert.run(v);
        if (fails) throw new Error(`${v} fails after its write`);
      });
      // A group whose first transaction succeeds and second fails; then one whose first fails.
      const first = await Promise.allSettled([write(1, false), write(2, true), write(3, false)]);
      const second = await Promise.allSettled([write(4, true), write(5, false)]);
      expect([...first, ...second].map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled", "rejected", "fulfilled"]);
      expect(db.prepare("SELECT v FROM t ORDER BY v").pluck().all()).toEqual([1, 3, 5]);
      expect(ran).toEqual([
        "BEGIN IMMEDIATE", "SAVEPOINT gcN", "ROLLBACK TO gcN", "RELEASE gcN", "SAVEPOINT gcN", "RELEASE gcN", "COMMIT",
        "BEGIN IMMEDIATE", "ROLLBACK", "BEGIN IMMEDIATE", "COMMIT",
      ]);
    } finally {
      db.close();
    }
  });

  it("undoes a failing first transaction of a group alone: the next begins the group again, and commits", async () => {
    const org = await newOrg();
    groups.length = 0;
    const [a, b, c] = [aUser(org), aUser(org), aUser(org)];
    const outcomes = await Promise.allSettled([a, b, c].map((u) => store.transaction(async (tx) => {
      await tx.users.insert(u);
      if (u === a) throw new Error("a fails after its write");
    })));
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
    expect([a, b, c].map((u) => onFile(u.id))).toEqual([false, true, true]);
    expect(groups).toEqual([2]);
  });

  it("answers durable() for what was committed before it even when the group open at the call, opened by a transaction that then fails, is rolled back", async () => {
    // A refusal waits for Store.durable() (src/http/refusals-durable.ts). The group open at that
    // moment holds no finished member: nothing of it could have been read, so its rollback (its
    // opener failing, with no savepoint) must not refuse the wait (it answered 503 instead of 412
    // in the concurrency property, WORKERS=2).
    const org = await newOrg();
    const before = aUser(org);
    await store.users.insert(before);
    const inOpener = gate();
    const release = gate();
    const opener = store.transaction(async (tx) => {
      await tx.users.insert(aUser(org));
      inOpener.open();
      await release.wait;
      throw new Error("the opener fails after its write");
    });
    await inOpener.wait;
    const waited = store.durable!();
    release.open();
    await expect(opener).rejects.toThrow("the opener fails");
    await expect(waited).resolves.toBeUndefined();
    expect(onFile(before.id)).toBe(true);
  });

  it("shows reads outside a transaction committed data only, and a transaction its own writes", async () => {
    const org = await newOrg();
    const u = aUser(org);
    const held = gate();
    const inside: unknown[] = [];
    const tx = store.transaction(async (t) => {
      await t.users.insert(u);
      // The transaction's own repositories are on the writer; the facade is not the transaction's (committed data only).
      inside.push((await t.users.get(org, u.id))?.id, (await store.users.get(org, u.id))?.id);
      await held.wait;
    });
    await new Promise((r) => setImmediate(r));
    expect(inside).toEqual([u.id, undefined]);
    expect(await store.users.get(org, u.id)).toBeNull(); // not committed: the reader does not see it
    expect(onFile(u.id)).toBe(false);
    held.open();
    await tx;
    expect((await store.users.get(org, u.id))?.id).toBe(u.id);
  });

  it("runs a write made outside a transaction as a member of a group, acknowledged once committed", async () => {
    const org = await newOrg();
    groups.length = 0;
    const u = aUser(org);
    await store.users.insert(u);
    expect(onFile(u.id)).toBe(true);
    expect(groups).toEqual([1]);
  });

  it("commits a batch (a /Bulk request) as one member beside other transactions", async () => {
    const org = await newOrg();
    groups.length = 0;
    const [a, b, c] = [aUser(org), aUser(org), aUser(org)];
    await Promise.all([
      store.transaction(async (tx) => { await tx.users.insert(a); }),
      store.batch!(async () => {
        await store.transaction(async (tx) => { await tx.users.insert(b); });
        await store.transaction(async (tx) => { await tx.users.insert(c); throw new Error("c fails"); }).catch(() => undefined);
      }),
    ]);
    expect([a, b, c].map((u) => onFile(u.id))).toEqual([true, true, false]);
    expect(groups).toEqual([2]);
  });

  it("commits a group once it holds GROUP_MAX_MEMBERS, without waiting for the turn to end", async () => {
    const org = await newOrg();
    groups.length = 0;
    await Promise.all(Array.from({ length: GROUP_MAX_MEMBERS + 6 }, () => store.transaction(async (tx) => { await tx.users.insert(aUser(org)); })));
    expect(groups).toEqual([GROUP_MAX_MEMBERS, 6]);
  });

  it("refuses every member of a group whose commit cannot happen, and commits none of it", async () => {
    const own = join(dir, "vanish.db");
    const s = openSqliteStore({ path: own, durability: "full", groupCommit: true, backgroundCheckpoints: false });
    try {
      const org = anOrg();
      await s.orgs.insert(org);
      const users = [aUser(org.id), aUser(org.id), aUser(org.id)];
      const held = gate();
      const txs = users.map((u, i) => s.transaction(async (tx) => {
        await tx.users.insert(u);
        if (i === 2) await held.wait;
      }));
      await new Promise((r) => setImmediate(r));
      renameSync(own, `${own}.moved`); // the store's file is no longer at its path: no commit may be acknowledged
      held.open();
      const outcomes = await Promise.allSettled(txs);
      expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "rejected"]);
      for (const o of outcomes) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailable);
      renameSync(`${own}.moved`, own); // the same file back: the store takes it again
      const check = new Database(own, { readonly: true });
      try {
        expect(users.map((u) => check.prepare("SELECT 1 FROM users WHERE id = ?").get(u.id) !== undefined)).toEqual([false, false, false]);
      } finally {
        check.close();
      }
      const later = aUser(org.id);
      await s.transaction(async (tx) => { await tx.users.insert(later); });
      expect((await s.users.get(org.id, later.id))?.id).toBe(later.id);
    } finally {
      await s.close();
    }
  });

  it("holds no write lock when nothing is waiting, even after a group of failures", async () => {
    const org = await newOrg();
    await Promise.allSettled([1, 2].map(() => store.transaction(async (tx) => { await tx.users.insert(aUser(org)); throw new Error("fails"); })));
    await new Promise((r) => setImmediate(r));
    const other = new Database(file);
    try {
      other.pragma("busy_timeout = 0");
      expect(() => { other.exec("BEGIN IMMEDIATE"); other.exec("ROLLBACK"); }).not.toThrow();
    } finally {
      other.close();
    }
  });

  it("commits every transaction alone when group commit is off", async () => {
    const own = join(dir, "alone.db");
    const seen: number[] = [];
    const s = openSqliteStore({ path: own, groupCommit: false, backgroundCheckpoints: false, onGroupCommit: (n) => seen.push(n) });
    try {
      const org = anOrg();
      await s.orgs.insert(org);
      await Promise.all([1, 2, 3].map(() => s.transaction(async (tx) => { await tx.users.insert(aUser(org.id)); })));
      expect(seen).toEqual([1, 1, 1, 1]);
    } finally {
      await s.close();
    }
  });
});
