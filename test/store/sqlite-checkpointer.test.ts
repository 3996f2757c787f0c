/**
 * WAL checkpoints run on a worker thread (src/store/sqlite/checkpointer.ts, the worker in
 * src/store/sqlite/checkpoint-worker.js): the database file receives committed pages without the
 * store's connection checkpointing, the WAL stops growing, closing the store stops the worker and
 * leaves no WAL behind, a worker that fails says so, and the built server runs the same worker
 * file from dist/.
 */
import Database from "better-sqlite3";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCheckpointer, WORKER_FILE, type CheckpointStat } from "../../src/store/sqlite/checkpointer";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { ensureBuilt } from "../helpers/built-server";
import { anOrg, aUser } from "../helpers/fixtures";

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "orgscim-checkpoint-")); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once `check` holds, polling; fails after `ms` (generous: the machine may be loaded). */
async function until(check: () => boolean, what: string, ms = 60000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(20);
  }
}

/**
 * The database file's size before and after 20 users are written (a few hundred WAL pages, under
 * SQLite's own 1,000-page checkpoint). With the worker, "before" is taken once it reported a
 * complete checkpoint (the open's migrations in the file), "after" once the file grew past it,
 * however long the worker's interval and the machine's load make either; without it, "after" 300 ms
 * after the writes (no checkpoint can come: nothing runs one below 1,000 pages).
 */
async function fileGrowth(file: string, backgroundCheckpoints: boolean): Promise<{ before: number; after: number; close: () => Promise<void> }> {
  const stats: CheckpointStat[] = [];
  const store = openSqliteStore({ path: file, backgroundCheckpoints, onCheckpoint: (s) => stats.push(s) });
  const org = anOrg(); await store.orgs.insert(org);
  if (backgroundCheckpoints) await until(() => stats.some((s) => s.walFrames > 0 && s.checkpointedFrames === s.walFrames), "a complete checkpoint of what the open wrote");
  const before = statSync(file).size;
  for (let i = 0; i < 20; i++) await store.transaction(async (tx) => tx.users.insert(aUser(org.id)));
  if (backgroundCheckpoints) await until(() => statSync(file).size > before, `the database file growing past ${before} bytes (the writes checkpointed by the worker)`);
  else await sleep(300);
  return { before, after: statSync(file).size, close: () => store.close() };
}

describe("background WAL checkpoints (SQLite)", () => {
  it("copies committed pages into the database file from the worker, while the store's connection does not", async () => {
    const withWorker = await fileGrowth(join(dir, "worker.db"), true);
    const without = await fileGrowth(join(dir, "none.db"), false);
    try {
      expect(withWorker.after).toBeGreaterThan(withWorker.before);
      expect(without.after).toBe(without.before); // everything still in the WAL until 1,000 pages accumulate
    } finally {
      await withWorker.close();
      await without.close();
    }
  });

  it("keeps the WAL from growing under the real store: each round of writes reuses the frames the worker checkpointed", async () => {
    // Five rounds of 8 users: without the worker they pile up in the WAL (well under SQLite's
    // own 1,000-page checkpoint); with it, after each round the worker reports a complete
    // checkpoint (every WAL frame in the file), and the next round writes from the WAL's start.
    const walAfterRounds = async (backgroundCheckpoints: boolean): Promise<number[]> => {
      const file = join(dir, `rounds-${backgroundCheckpoints}.db`);
      const stats: Array<CheckpointStat & { at: number }> = [];
      const store = openSqliteStore({ path: file, backgroundCheckpoints, onCheckpoint: (s) => stats.push({ ...s, at: Date.now() }) });
      try {
        const org = anOrg(); await store.orgs.insert(org);
        const sizes: number[] = [];
        for (let round = 0; round < 5; round++) {
          for (let i = 0; i < 8; i++) await store.transaction(async (tx) => tx.users.insert(aUser(org.id)));
          const wrote = Date.now();
          if (backgroundCheckpoints) await until(() => stats.some((s) => s.at > wrote + 50 && s.walFrames > 0 && s.checkpointedFrames === s.walFrames), "a complete checkpoint reported by the worker");
          else await sleep(200);
          sizes.push(statSync(`${file}-wal`).size);
        }
        return sizes;
      } finally {
        await store.close();
      }
    };
    const withWorker = await walAfterRounds(true);
    const without = await walAfterRounds(false);
    expect(without[4]!).toBeGreaterThan(without[0]! * 1.5); // the control: the rounds do grow an unchecked WAL
    expect(withWorker[4]!).toBeLessThanOrEqual(withWorker[0]!);
  });

  /** A WAL of 300 frames (plus `extra` with a reader holding the snapshot before them), written by a connection that never checkpoints. */
  const longWal = (name: string, extra = 0): { db: Database.Database; file: string; reader: Database.Database | null } => {
    const file = join(dir, name);
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.pragma("wal_autocheckpoint = 0");
    db.exec("CREATE TABLE t (x TEXT)");
    const insert = db.prepare("INSERT INTO t VALUES (?)");
    for (let i = 0; i < 300; i++) insert.run("x".repeat(1000));
    let reader: Database.Database | null = null;
    if (extra > 0) {
      reader = new Database(file, { readonly: true });
      reader.exec("BEGIN");
      reader.prepare("SELECT count(*) FROM t").get(); // its snapshot: the 300 rows
      for (let i = 0; i < extra; i++) insert.run("y".repeat(1000));
    }
    return { db, file, reader };
  };

  it("follows a passive checkpoint that copied all of a long WAL with a RESTART (so the next write starts the WAL over); not below restartFrames", async () => {
    const run = async (restartFrames: number): Promise<CheckpointStat[]> => {
      const { db, file } = longWal(`restart-${restartFrames}.db`);
      const stats: CheckpointStat[] = [];
      const errors: string[] = [];
      const c = startCheckpointer(file, 10, (m) => errors.push(m), (st) => stats.push(st), restartFrames);
      try {
        // Reports come at most once a second: the second one follows at least one more tick after the complete pass.
        await until(() => stats.filter((st) => st.walFrames >= 300 && st.checkpointedFrames === st.walFrames).length >= 2, `two reports of a complete checkpoint of the 300 frames; reports: ${JSON.stringify(stats)}`);
        expect(errors).toEqual([]);
        return stats;
      } finally {
        await c.stop();
        db.close();
      }
    };
    expect((await run(100)).at(-1)!.restarts).toBeGreaterThan(0);
    expect((await run(1000)).at(-1)!.restarts).toBe(0);
  });

  // Passive passes copy pages into the database file without syncing it (SQLite syncs the file only
  // after a pass that reached the WAL's end, which a steady stream of commits never lets happen), so
  // the RESTART's sync, under the write lock, used to write back every page copied since the last
  // RESTART: for a large group's scattered memberships 20-30 ms during which every write waited.
  // The worker finds its own descriptor of the file in /proc/self/fd (Linux); where there is none it
  // syncs nothing first and RESTARTs as before: each system is held to what it does, nothing skipped.
  const procFds = existsSync("/proc/self/fd");
  it(procFds ? "syncs the database file before each RESTART, holding no lock, so that the RESTART's own sync finds little left to write" : "without /proc/self/fd (not Linux) syncs nothing before a RESTART, which syncs the file itself as before", async () => {
    const { db, file } = longWal("restart-flush.db");
    const stats: CheckpointStat[] = [];
    const errors: string[] = [];
    const c = startCheckpointer(file, 10, (m) => errors.push(m), (st) => stats.push(st), 100);
    try {
      await until(() => stats.some((st) => st.restarts > 0), `a RESTART; reports: ${JSON.stringify(stats)}`);
      expect(errors).toEqual([]);
      const last = stats.at(-1)!;
      if (procFds) expect(last.flushes).toBeGreaterThanOrEqual(last.restarts);
      else expect(last.flushes).toBe(0);
    } finally {
      await c.stop();
      db.close();
    }
  });

  it("completes no RESTART while a reader's older snapshot holds the passive checkpoint back, and one once the reader ends", async () => {
    const { db, file, reader } = longWal("restart-reader.db", 200);
    const stats: CheckpointStat[] = [];
    const c = startCheckpointer(file, 10, () => undefined, (st) => stats.push(st), 100);
    try {
      await until(() => stats.filter((st) => st.checkpointedFrames > 0 && st.checkpointedFrames < st.walFrames).length >= 2, `two reports of a checkpoint held back by the reader; reports: ${JSON.stringify(stats)}`);
      expect(stats.every((st) => st.restarts === 0)).toBe(true);
      reader!.exec("COMMIT");
      reader!.close();
      await until(() => stats.some((st) => st.restarts > 0), `a RESTART once the reader ended; reports: ${JSON.stringify(stats)}`);
    } finally {
      await c.stop();
      db.close();
    }
  });

  it("stops the worker on close and leaves no WAL file", async () => {
    const file = join(dir, "close.db");
    const store = openSqliteStore({ path: file });
    const org = anOrg(); await store.orgs.insert(org);
    await store.users.insert(aUser(org.id));
    await store.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    const again = openSqliteStore({ path: file, backgroundCheckpoints: false });
    expect((await again.users.list(org.id, { startIndex: 1, count: 10 })).total).toBe(1);
    await again.close();
  });

  it("reports a worker that cannot open the file once, not at every tick", async () => {
    const reports: string[] = [];
    const c = startCheckpointer(dir, 10, (m) => reports.push(m)); // a directory: the worker cannot open it
    await until(() => reports.length > 0, "a report");
    await sleep(200);
    await c.stop();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain(`cannot open ${dir} for checkpoints`);
  });

  it("reports a checkpoint that fails (a file that is not a database) with SQLite's reason, once", async () => {
    const file = join(dir, "not-a-database.db");
    writeFileSync(file, "this is not a database file, and it is long enough to have a header...".repeat(100));
    const reports: string[] = [];
    const c = startCheckpointer(file, 10, (m) => reports.push(m));
    await until(() => reports.length > 0, "a report");
    await sleep(200); // a dozen more failing ticks
    await c.stop();
    expect(reports).toEqual([expect.stringMatching(/not a database/)]);
  });
});

describe("the checkpoint worker's file", () => {
  // Building dist/ when it is older than the sources takes longer than a test's 30 s on a loaded machine.
  beforeAll(() => ensureBuilt(), 120_000);

  it("is a file Node runs as it is, from the sources", () => {
    expect(WORKER_FILE).toMatch(/src[\\/]store[\\/]sqlite[\\/]checkpoint-worker\.js$/);
    expect(existsSync(WORKER_FILE)).toBe(true);
  });

  it("ships in dist/ beside the built checkpointer, which runs it: a checkpoint completes", async () => {
    const built = join(__dirname, "..", "..", "dist", "store", "sqlite", "checkpointer.js");
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the built module, not the source
    const { startCheckpointer: startBuilt, WORKER_FILE: builtWorker } = require(built) as typeof import("../../src/store/sqlite/checkpointer");
    expect(builtWorker).toBe(join(__dirname, "..", "..", "dist", "store", "sqlite", "checkpoint-worker.js"));
    expect(existsSync(builtWorker)).toBe(true);
    const file = join(dir, "built.db");
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.pragma("wal_autocheckpoint = 0"); // only the worker checkpoints
    db.exec("CREATE TABLE t (x TEXT)");
    const insert = db.prepare("INSERT INTO t VALUES (?)");
    for (let i = 0; i < 200; i++) insert.run("x".repeat(1000));
    const stats: CheckpointStat[] = [];
    const errors: string[] = [];
    const c = startBuilt(file, 10, (m) => errors.push(m), (s) => stats.push(s));
    try {
      await until(() => stats.some((s) => s.walFrames > 50 && s.checkpointedFrames === s.walFrames), "a complete checkpoint from the built worker");
      expect(errors).toEqual([]);
    } finally {
      await c.stop();
      db.close();
    }
  });
});
