/**
 * A transaction whose BEGIN finds the write lock held by another connection (the checkpoint
 * worker's RESTART, another process with WORKERS=N) waits for it off the event loop
 * (src/store/sqlite/group-commit.ts begin): the loop keeps turning while it waits, the transaction
 * runs once the lock is free, and one that never gets it is refused StoreUnavailable (503) with
 * nothing written. Before, SQLite's busy handler slept on the loop for up to the busy timeout.
 * No time is measured: what is checked is the order in which things happened.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { StoreUnavailable, type Store } from "../../src/domain/ports/store";
import { GroupCommitter } from "../../src/store/sqlite/group-commit";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { anOrg, aUser } from "../helpers/fixtures";

let dir: string;
let file: string;
let store: Store;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "orgscim-begin-busy-"));
  file = join(dir, "b.db");
  store = openSqliteStore({ path: file, durability: "full" });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves after `turns` turns of the event loop's timers phase (no time is asserted). */
const loopTurns = async (turns: number): Promise<void> => {
  for (let i = 0; i < turns; i++) await new Promise((r) => setTimeout(r, 1));
};

describe("a BEGIN that finds the write lock held", () => {
  it("waits off the event loop: the loop turns, then the transaction runs once the other connection lets go, and commits", async () => {
    const org = anOrg();
    await store.orgs.insert(org);
    const other = new Database(file);
    const seen: string[] = [];
    try {
      other.exec("BEGIN IMMEDIATE"); // holds the write lock
      const user = aUser(org.id);
      const written = store.transaction(async (tx) => {
        seen.push("transaction runs");
        await tx.users.insert(user);
      }).then(() => seen.push("acknowledged"), (e: unknown) => seen.push(`refused: ${String(e)}`));
      await loopTurns(20);
      seen.push("the loop turned 20 times");
      other.exec("COMMIT");
      seen.push("lock released");
      await written;
      expect(seen).toEqual(["the loop turned 20 times", "lock released", "transaction runs", "acknowledged"]);
      expect(await store.users.get(org.id, user.id)).toMatchObject({ id: user.id });
    } finally {
      if (other.inTransaction) other.exec("ROLLBACK");
      other.close();
    }
  });

  it("is refused StoreUnavailable once the lock stayed held for its wait, writing nothing; the next transaction runs once the lock is free", async () => {
    const db = new Database(join(dir, "c.db"));
    db.exec("CREATE TABLE t (x INTEGER)");
    db.pragma("busy_timeout = 0");
    const other = new Database(join(dir, "c.db"));
    const committer = new GroupCommitter(db, { maxMembers: 64, assertFiles: () => undefined, lockWaitMs: 20 });
    try {
      other.exec("BEGIN IMMEDIATE");
      const refused = await committer.run(async () => { db.prepare("INSERT INTO t VALUES (1)").run(); }).then(() => null, (e: unknown) => e);
      expect({ refused: refused instanceof StoreUnavailable, inTransaction: db.inTransaction }).toEqual({ refused: true, inTransaction: false });
      other.exec("COMMIT");
      await committer.run(async () => { db.prepare("INSERT INTO t VALUES (2)").run(); });
      expect(db.prepare("SELECT x FROM t ORDER BY x").pluck().all()).toEqual([2]);
    } finally {
      if (other.inTransaction) other.exec("ROLLBACK");
      other.close();
      db.close();
    }
  });

  it("runs a write made outside a transaction (an organization, a token's use, the outbox) as a transaction of its own, waiting for the lock off the loop, not refused at once", async () => {
    // The lock is held by another thread (in this thread, a wait inside SQLite could never end):
    // taken, then released after 300 ms of the holder's own sleep. The busy timeout is 5 s.
    const holder = new Worker(`
      const Database = require(${JSON.stringify(require.resolve("better-sqlite3"))});
      const { parentPort, workerData } = require("node:worker_threads");
      const db = new Database(workerData);
      db.exec("BEGIN IMMEDIATE");
      parentPort.postMessage("held");
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
      db.exec("COMMIT");
      db.close();
    `, { eval: true, workerData: file });
    try {
      await new Promise<void>((resolve, reject) => {
        holder.once("message", () => resolve());
        holder.once("error", reject);
      });
      const org = anOrg();
      await store.orgs.insert(org);
      expect(await store.orgs.get(org.id)).toMatchObject({ id: org.id });
    } finally {
      await holder.terminate();
    }
  });
});

