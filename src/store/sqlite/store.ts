/**
 * The embedded store: one SQLite file (WAL, foreign keys on), migrated at open. It refuses writes
 * (503) once the file at its path is not the one it holds open, or once an fsync of its WAL failed.
 *
 * Writes: one writer connection. Transactions run one at a time (a FIFO mutex), each in a savepoint
 * of a group transaction that commits once per turn of the event loop: group commit
 * (./group-commit.ts), one fsync for the group, each transaction acknowledged only after that
 * commit is durable, a failing one rolled back alone. With DURABILITY=full the writer commits at
 * synchronous=NORMAL and the WAL is fsynced in libuv's thread pool (./wal-sync.ts), so the
 * event loop never waits for the disk; with group commit off, synchronous=FULL (the fsync inside
 * COMMIT, on the loop); with DURABILITY=normal, no fsync per commit at all. Reads outside a
 * transaction: a second connection that sees committed data only (./routing.ts). Rule for callers: a transaction body does store work
 * only; it never awaits network I/O.
 *
 * A transaction's fn is handed the writer's repositories: no AsyncLocalStorage runs for it
 * (./routing.ts). batch(fn) holds one transaction over many: the transactions `fn` runs become
 * savepoints inside it (found through AsyncLocalStorage, enabled only while a batch runs, so they
 * skip the mutex the batch already holds), and the batch commits with its group. A /Bulk request
 * of 1,000 creates committed 1,000 times, writing each touched page to the WAL each time: 62% of
 * its time.
 */
import Database from "better-sqlite3";
import { AsyncLocalStorage } from "node:async_hooks";
import { closeSync, fsyncSync, mkdirSync, openSync, statfsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Repos, Store } from "../../domain/ports/store";
import { StoreUnavailable } from "../../domain/ports/store";
import { sqliteAccounts } from "./accounts";
import { guard, translate } from "./errors";
import { sqliteGroups } from "./groups";
import { migrate } from "./migrations";
import { sqliteAudit, sqliteDomains, sqliteInvitations } from "./misc";
import { GroupCommitter } from "./group-commit";
import { readerPragmas, routeRepos } from "./routing";
import { SAFETY_NET_PAGES, startCheckpointer, type CheckpointStat } from "./checkpointer";
import { keepPlannerStatisticsFresh, PLANNER_REFRESH_MS, refreshPlannerStatistics } from "./planner";
import { sqliteEvents } from "./events";
import { sqliteOutbox } from "./outbox";
import { sqliteProvisioningErrors } from "./provisioning-errors";
import { sqliteOrgs, sqliteTokens } from "./orgs";
import { sqliteUsers } from "./users";
import { rememberFiles } from "./file-identity";
import { LocalChanges, principalVersionOf } from "./local-changes";
import { WalSyncer, type SyncFile } from "./wal-sync";

export interface SqliteOptions {
  /** A file path, or ":memory:". */
  path: string;
  /**
   * full (default): the WAL is fsynced at every commit before it is acknowledged, so an
   * acknowledged write survives power loss (with group commit, the fsync runs off the event loop:
   * ./wal-sync.ts). normal: synchronous=NORMAL, it survives a crash of the process only.
   */
  durability?: "full" | "normal";
  /** WAL checkpoints on a worker thread (./checkpointer.ts); default true for a file. */
  backgroundCheckpoints?: boolean;
  /**
   * Another process on this file runs the background checkpoints (WORKERS=N: src/cluster.ts):
   * this one starts no checkpointer and keeps only the safety net of SAFETY_NET_PAGES, so that
   * its commits do not checkpoint at SQLite's default 1,000 pages.
   */
  checkpointsElsewhere?: boolean;
  /** Where a failing background checkpoint is reported; default: nowhere (the safety net still bounds the WAL). */
  onCheckpointError?: (message: string) => void;
  /** Told after a background checkpoint, at most once a second (for the metrics). */
  onCheckpoint?: (stat: CheckpointStat) => void;
  /**
   * Told when the file at `path` stops being the one this store holds open (deleted, moved away,
   * replaced), with what happened, and again with null if it comes back (./file-identity.ts).
   */
  onFileProblem?: (problem: string | null) => void;
  /**
   * Other processes of this server write to the file too (WORKERS=N: src/cluster.ts): a group is
   * then committed at the end of its turn even while an fsync is in flight, so that the write lock
   * is not held across the fsync while they wait for it (./group-commit.ts holdWhileSyncing).
   */
  otherWriters?: boolean;
  /** Group commit (./group-commit.ts); default true. false: every transaction commits alone. */
  groupCommit?: boolean;
  /** Told after each commit with the number of transactions it holds (before its fsync, when that runs off the loop). */
  onGroupCommit?: (members: number) => void;
  /** How the WAL is fsynced off the event loop; default fs.fsync. Tests slow it down or make it fail. */
  syncWal?: SyncFile;
  /** Told once when an fsync of the WAL failed: the store then refuses every write (503) and readiness, until restarted. */
  onSyncFailure?: (problem: string) => void;
}

/**
 * A group commits once it holds this many transactions, even within one turn of the loop: bounds
 * the work a failed commit refuses at once, and how long another process waits for the write lock.
 */
export const GROUP_MAX_MEMBERS = 64;

function openReader(path: string): Database.Database {
  const conn = guard(() => new Database(path));
  try {
    return readerPragmas(conn);
  } catch (e) {
    conn.close();
    throw translate(e);
  }
}

/** How often the store checks that its files are still at their path, when nothing else does. */
const FILE_CHECK_INTERVAL_MS = 250;
/** The readiness probe writes at most this often; callers in between share its answer. */
const PROBE_EVERY_MS = 1000;
/**
 * Below this much free space on the store's disk, readiness answers not ready: a small probe write
 * can still fit (the WAL reuses its own space) while a /Bulk request or a checkpoint no longer does.
 */
export const MIN_FREE_BYTES = 16 * 1024 * 1024;

/** Throws StoreUnavailable when the disk holding `path` has less than MIN_FREE_BYTES free for this process. */
function assertRoom(path: string): void {
  let free: number;
  try {
    const st = statfsSync(dirname(path));
    free = st.bavail * st.bsize;
  } catch {
    return; // no answer from statfs: the probe write decides
  }
  if (free < MIN_FREE_BYTES) throw new StoreUnavailable(new Error(`the disk holding ${path} has ${free} bytes free (readiness needs ${MIN_FREE_BYTES})`));
}

/**
 * How often the checkpoint worker copies the WAL back into the database file. Each pass copies a
 * page once however many commits rewrote it since the last (the users and audit indexes' last
 * pages, the role group's row): a longer interval copies fewer pages a write; the WAL is bounded
 * by the worker's RESTART (./checkpointer.ts), not by this interval.
 */
const CHECKPOINT_INTERVAL_MS = 250;
/** The writer connection's page cache bound, in KiB (64 MiB). */
const WRITER_CACHE_KIB = 65536;

export function openSqliteStore(options: SqliteOptions): Store {
  if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
  const db = guard(() => new Database(options.path));
  try {
    db.pragma("journal_mode = WAL");
    // Migrations commit at FULL (durable before the server starts); with the fsync off the loop the writer turns NORMAL below.
    db.pragma(`synchronous = ${options.durability === "normal" ? "NORMAL" : "FULL"}`);
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    // Overwrite deleted content (purged mail bodies with invitation tokens, deleted users) on disk.
    db.pragma("secure_delete = ON");
    // Statement journals (a users INSERT fires triggers, so it keeps one) and sorter spills stay in
    // memory instead of temporary files created and deleted around the statement.
    db.pragma("temp_store = MEMORY");
    // The writer keeps its page cache across its own commits (a reader's is emptied by every one), so
    // a larger cache keeps the B-tree leaves writes touch at random (the memberships of a large
    // group, the users indexes) in memory: SQLite's default 2 MB made ~7 reads from the file a
    // member PATCH on a 100,000-member group. Pages are taken as they are read, up to this bound.
    db.pragma(`cache_size = -${WRITER_CACHE_KIB}`);
    migrate(db);
  } catch (e) {
    db.close(); // a file another process holds locked (StoreUnavailable) may be retried: leave nothing open
    throw translate(e);
  }
  const checkpointer = options.path !== ":memory:" && options.backgroundCheckpoints !== false && options.checkpointsElsewhere !== true
    ? startCheckpointer(options.path, CHECKPOINT_INTERVAL_MS, options.onCheckpointError ?? (() => undefined), options.onCheckpoint)
    : null;
  if (checkpointer || options.checkpointsElsewhere === true) db.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
  // After a checkpoint resets the WAL, its file is cut back to 64 MB (a burst would otherwise keep its size).
  db.pragma("journal_size_limit = 67108864");
  refreshPlannerStatistics(db);
  // From here the writer never sleeps inside SQLite for a lock another connection holds (the
  // checkpoint worker's RESTART, another process): a BEGIN that finds it held is tried again after
  // a timer, off the event loop (./group-commit.ts begin). A planner refresh finding it held is
  // skipped until its next interval (keepPlannerStatisticsFresh).
  db.pragma("busy_timeout = 0");
  // The files at `path` must stay the ones this connection writes: checked before every commit,
  // by ping (/readyz), and on a timer that logs and turns the connection read-only.
  const files = options.path === ":memory:" ? null : rememberFiles(options.path);
  let syncer: WalSyncer | undefined;
  let walFd: number | null = null;
  let goneReported: string | null = null;
  const fileProblemChanged = (problem: string | null) => {
    if (problem === goneReported) return;
    goneReported = problem;
    try { db.pragma(`query_only = ${problem || syncer?.failed ? "ON" : "OFF"}`); } catch { /* closed */ }
    options.onFileProblem?.(problem);
  };
  const stopWatching = files?.watch(FILE_CHECK_INTERVAL_MS, fileProblemChanged) ?? (() => undefined);
  try {
    if (files && options.durability !== "normal" && options.groupCommit !== false) ({ syncer, walFd } = syncWalOffTheLoop(db, options, files, () => assertFiles(true)));
  } catch (e) {
    stopWatching();
    void checkpointer?.stop();
    db.close();
    throw translate(e);
  }
  /**
   * Throws StoreUnavailable (503) when the store's file is gone or replaced. A check that passed
   * holds until the code running now yields (a microtask later), unless `fresh`: the check after an
   * fsync (fresh) and the one before the COMMIT of the group held for that fsync run back to back,
   * and the second would stat the same two paths again within microseconds, telling nothing the
   * first did not (both are before that COMMIT). A failed check is never kept.
   */
  let checkedNow = false;
  const forgetCheck = () => { checkedNow = false; };
  const assertFiles = (fresh = false) => {
    if (checkedNow && !fresh) return;
    const problem = files?.problem() ?? null;
    if (problem !== goneReported) fileProblemChanged(problem);
    if (problem !== null) throw new StoreUnavailable(new Error(problem));
    if (files) {
      checkedNow = true;
      queueMicrotask(forgetCheck);
    }
  };
  // A failed refresh only leaves the previous statistics in place, and the next one retries.
  const stopRefreshing = keepPlannerStatisticsFresh(db, PLANNER_REFRESH_MS, () => undefined);

  // What the writer's open transaction changed (temp triggers on it): lets two reads every write
  // makes be answered by the writer or from memory, exactly (./local-changes.ts).
  const changes = new LocalChanges(db);
  const reposOver = (conn: Database.Database, writer?: LocalChanges): Repos => ({
    orgs: sqliteOrgs(conn),
    tokens: sqliteTokens(conn),
    users: sqliteUsers(conn),
    groups: sqliteGroups(conn),
    accounts: sqliteAccounts(conn),
    domains: sqliteDomains(conn),
    invitations: sqliteInvitations(conn),
    outbox: sqliteOutbox(conn),
    audit: sqliteAudit(conn),
    events: sqliteEvents(conn, writer),
    provisioningErrors: sqliteProvisioningErrors(conn),
  });
  // Transactions run on the writer (db); reads outside a transaction on their own connection,
  // which sees committed data only (an open group is invisible to it). In memory there is one.
  const reader = options.path === ":memory:" ? db : openReader(options.path);
  const repos = reposOver(db, changes);
  const committer = new GroupCommitter(db, {
    maxMembers: options.path === ":memory:" || options.groupCommit === false ? 1 : GROUP_MAX_MEMBERS,
    assertFiles,
    // Only while a problem is known: then the files are looked at again, so that the first write
    // after they came back (moved away and back) is taken, its statements not refused by query_only.
    beforeBegin: () => { if (goneReported !== null) assertFiles(); },
    onCommit: (members) => {
      changes.ended();
      options.onGroupCommit?.(members);
    },
    syncer,
    holdWhileSyncing: options.otherWriters !== true,
  });
  /** Runs fn on the writer as a member of the group commit, handing it the writer's repositories. */
  const transact = <T>(fn: (tx: Repos) => Promise<T>, onCommitted?: (result: T) => void): Promise<T> => committer.run(() => fn(repos), onCommitted);
  const ping = db.prepare("SELECT 1").pluck();
  const principalVersion = principalVersionOf(db, reader, changes);
  const probeWrite = db.prepare("INSERT OR REPLACE INTO server_secrets (name, value) VALUES ('readiness-probe', ?)");
  let probe: { at: number; result: Promise<void> } | null = null;
  /**
   * The batch the current async context runs in; `open` turns false when it ends, for work it left
   * behind. While an AsyncLocalStorage is enabled Node (20) runs a hook at every promise of the
   * process, every request's included: enabled by batches.run, disabled once no batch runs
   * (getStore() then answers undefined, read as no batch).
   */
  const batches = new AsyncLocalStorage<{ open: boolean }>();
  let batchesRunning = 0;
  const inBatch = () => batches.getStore()?.open === true;
  /** fn in a batch scope, on the writer (inside transact): the batch's transactions and store calls find it. */
  const inBatchScope = <T>(scope: { open: boolean }, fn: () => Promise<T>): Promise<T> => {
    const ended = () => {
      scope.open = false;
      if (--batchesRunning === 0) batches.disable();
    };
    batchesRunning++;
    let work: Promise<T>;
    try {
      work = batches.run(scope, fn);
    } catch (e) {
      ended();
      throw e;
    }
    return work.finally(ended);
  };
  let savepoints = 0;

  /** A transaction inside a batch: a savepoint, released when fn succeeds, rolled back to when it throws. */
  const inSavepoint = async <T>(fn: (tx: Repos) => Promise<T>): Promise<T> => {
    const name = `sp${++savepoints}`;
    guard(() => db.exec(`SAVEPOINT ${name}`));
    try {
      const result = await fn(repos);
      guard(() => db.exec(`RELEASE ${name}`));
      return result;
    } catch (e) {
      try {
        db.exec(`ROLLBACK TO ${name}`);
        db.exec(`RELEASE ${name}`);
      } catch { /* the batch's transaction is gone: batch() reports it */ }
      throw translate(e);
    }
  };

  const facade = routeRepos(repos, reposOver(reader), inBatch, (fn) => transact(fn));

  return {
    kind: "sqlite",
    ...facade,
    transaction: (fn) => (inBatch() && db.inTransaction ? inSavepoint(fn) : transact(fn)),
    batch: (fn) => transact(() => inBatchScope({ open: true }, fn)),
    // Answered at its COMMIT, with batch's own answer (after the fsync) as `durable`, marked handled: its
    // caller may await it only later. The scope closes when fn ends: the next batch may open before the fsync.
    commitBatch: <T>(fn: () => Promise<T>) => new Promise<{ result: T; durable: Promise<void> }>((resolve, reject) => {
      const acknowledged = transact(() => inBatchScope({ open: true }, fn), (result) => {
        const durable = acknowledged.then(() => undefined);
        durable.catch(() => undefined);
        resolve({ result, durable });
      });
      acknowledged.catch(reject);
    }),
    secret: async (name, make) => {
      const found = guard(() => reader.prepare("SELECT value FROM server_secrets WHERE name = ?").pluck().get(name) as string | undefined);
      if (found !== undefined) return found;
      // Written in a transaction of its own; a racing writer's value wins.
      return transact(async () => guard(() => {
        db.prepare("INSERT OR IGNORE INTO server_secrets (name, value) VALUES (?, ?)").run(name, make());
        return db.prepare("SELECT value FROM server_secrets WHERE name = ?").pluck().get(name) as string;
      }));
    },
    // Raised by triggers (migration 19, ./principal-versions.ts) in the transaction that changes what a principal is resolved from.
    // Whatever was readable before the call, the open group's work included: on disk once it resolves (./group-commit.ts, ./wal-sync.ts).
    // (Inside a batch its own group cannot commit before it ends: only what committed is waited for. Not
    // to be called from inside a plain transaction, which no context names: it would wait for its own group.)
    durable: () => (inBatch() ? (syncer ? syncer.durable() : Promise.resolve()) : committer.durable()),
    principalVersion: async (orgId) => guard(() => principalVersion(orgId) ?? 0),
    // Readiness means "can take writes": the files are the store's, the disk holding
    // them has room, and a real write commits. At most one probe write a second, shared by callers.
    ping: async () => {
      if (!db.open) throw new StoreUnavailable();
      assertFiles();
      if (syncer?.failed) throw syncer.failed;
      guard(() => ping.get());
      if (options.path !== ":memory:") assertRoom(options.path);
      const now = Date.now();
      if (!probe || now - probe.at >= PROBE_EVERY_MS) {
        const result = transact(async () => { guard(() => probeWrite.run(new Date(now).toISOString())); });
        probe = { at: now, result };
      }
      await probe.result;
    },
    close: async () => {
      stopRefreshing();
      stopWatching();
      if (db.open) await committer.flush().catch(() => undefined); // what is acknowledged is committed; an open group commits now, and its fsync completes
      if (walFd !== null) { const fd = walFd; walFd = null; closeSync(fd); } // once: a second close must not close a descriptor number reused since
      await checkpointer?.stop(); // first, so this connection is the last and its close checkpoints the rest
      if (reader !== db && reader.open) reader.close();
      if (db.open) {
        try { refreshPlannerStatistics(db); } catch { /* statistics are an optimisation; closing matters more */ }
        db.close();
      }
    },
  };
}

/**
 * DURABILITY=full with group commit: the writer commits at synchronous=NORMAL (no fsync inside
 * COMMIT) and the WAL is fsynced in libuv's thread pool through a descriptor of its own, checked
 * to be the very file the store's identity check remembered (./file-identity.ts), which is
 * compared with the path before every commit. A checkpoint still fsyncs the WAL before copying
 * it into the database file, and the database file after (synchronous=NORMAL in WAL mode).
 */
function syncWalOffTheLoop(db: Database.Database, options: SqliteOptions, files: ReturnType<typeof rememberFiles>, assertFiles: () => void): { syncer: WalSyncer; walFd: number } {
  const wal = `${resolve(options.path)}-wal`;
  const walFd = openSync(wal, "r+"); // never creates: the WAL exists once the store is open in WAL mode
  try {
    if (!files.holds(wal, walFd)) throw new StoreUnavailable(new Error(`the store file ${wal} changed while the store opened`));
    // SQLite at FULL fsyncs the folder once after creating the WAL (its name must survive a power cut too).
    const folder = openSync(dirname(wal), "r");
    try { fsyncSync(folder); } catch { /* a folder that cannot be fsynced: SQLite ignores it too */ } finally { closeSync(folder); }
    db.pragma("synchronous = NORMAL");
  } catch (e) {
    closeSync(walFd);
    throw e;
  }
  const syncer = new WalSyncer(walFd, {
    sync: options.syncWal,
    assertFiles, // as before the COMMIT, again before acknowledging it: the file may have gone meanwhile
    onFailure: (problem) => {
      try { db.pragma("query_only = ON"); } catch { /* closed */ }
      options.onSyncFailure?.(problem);
    },
  });
  return { syncer, walFd };
}
