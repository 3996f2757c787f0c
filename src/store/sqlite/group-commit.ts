/**
 * Group commit on the store's one writer connection. With synchronous=FULL every COMMIT waits for
 * an fsync of the WAL, on the event loop (better-sqlite3 is synchronous), so committing each
 * request's transaction alone caps writes at one per fsync whatever the load. Here the requests'
 * transactions run one after another (a FIFO mutex, as before) inside one SQLite transaction, each
 * in a savepoint of its own, and the transaction commits once when the current turn of the event
 * loop is done (setImmediate), or sooner once it holds `maxMembers`: one fsync for all of them.
 * While the syncer's fsync is in flight the group stays open past its turn, until that fsync
 * completes (unless `holdWhileSyncing` is false: other processes wait for the write lock).
 *
 * - A request is acknowledged (its promise resolves) only once its commit is durable: after the
 *   COMMIT returned under synchronous=FULL (the fsync inside it, on the event loop), or, with a
 *   `syncer` (./wal-sync.ts: the writer at synchronous=NORMAL), after an fsync of the WAL that
 *   started after the COMMIT, in libuv's thread pool; the next groups commit meanwhile. If the
 *   COMMIT (or that fsync) fails, every request in the group is refused (none acknowledged).
 * - A request whose work throws is rolled back to its savepoint: the others' work stays. The
 *   request that opens a group has none: its failure rolls the transaction back, which holds its work only.
 * - Nobody else sees the group before it commits: reads outside a transaction go to another
 *   connection (./store.ts), which sees committed data only; another process waits for the
 *   write lock, held only while a group is open (one turn of the loop). With a syncer, another
 *   connection can read a committed group before the fsync that acknowledges it completes (the
 *   one difference from synchronous=FULL: docs/stores.md, Durability).
 * - If SQLite itself ends the transaction (it rolls the whole of it back on a full disk, an I/O
 *   error), the requests waiting in the group are refused, and the next one opens a new group.
 */
import type Database from "better-sqlite3";
import { StoreOutcomeUnknown, StoreUnavailable } from "../../domain/ports/store";
import { Mutex } from "./mutex";
import { translate } from "./errors";
import type { Member, WalSyncer } from "./wal-sync";

export interface GroupCommitOptions {
  /** Commit once the group holds this many transactions (1: every transaction commits alone). */
  maxMembers: number;
  /** Throws when the store's files are no longer its own: checked before COMMIT (and before BEGIN, unless `beforeBegin`). */
  assertFiles: () => void;
  /**
   * Checked before BEGIN instead of assertFiles. The store's checks the files only while a problem
   * is known: the check before COMMIT is the one that keeps a write out of a file that is not the
   * store's, and one before each BEGIN as well was two more stat calls a group.
   */
  beforeBegin?: () => void;
  /** Told after each group commits, with how many transactions it held (metrics, tests). */
  onCommit?: (members: number) => void;
  /** Acknowledges a group once an fsync of the WAL covers its COMMIT; without it, once COMMIT returned. */
  syncer?: WalSyncer;
  /** With a syncer: keep the group open while an fsync is in flight, committing it when that completes (default true). */
  holdWhileSyncing?: boolean;
  /**
   * How long a BEGIN waits for the write lock that another connection holds (the checkpoint
   * worker's RESTART, another process with WORKERS=N) before the transaction is refused
   * StoreUnavailable; default LOCK_WAIT_MS. It waits off the event loop: see begin().
   */
  lockWaitMs?: number;
}

/** The default of lockWaitMs: what the writer's busy_timeout was when SQLite waited for the lock on the loop. */
export const LOCK_WAIT_MS = 5000;
/** Between two tries of a BEGIN that found the write lock held: the loop serves other requests meanwhile. */
const LOCK_RETRY_MS = 1;

const isBusy = (e: unknown): boolean => typeof (e as { code?: unknown })?.code === "string" && (e as { code: string }).code.startsWith("SQLITE_BUSY");

/** 503 with Retry-After: the group's work is gone, and trying again is right. */
const rolledBack = () => new StoreUnavailable(new Error("the store's transaction was rolled back before it could commit"));

/** What a turn under the mutex answers when it has nothing to wait for. */
const DONE: Promise<void> = Promise.resolve();

/** A member of the open group, or (`waitsOnly`) a durable() call waiting for it. */
type Waiting = Member & { waitsOnly?: true };

export class GroupCommitter {
  private readonly mutex = new Mutex();
  private waiting: Waiting[] = [];
  private scheduled = false;
  /** The open group waits for the fsync in flight (schedule). */
  private holding = false;
  /**
   * A joining member's savepoint: one name for all, prepared once (members run one after another,
   * each released or rolled back to before the next begins, so the name always means the running
   * member's; a batch's inner savepoints are released inside it). A name per member made SQLite
   * parse two statements a member: ~0.5 µs.
   */
  private readonly savepoint: Database.Statement;
  private readonly release: Database.Statement;
  private readonly rollbackTo: Database.Statement;

  constructor(private readonly db: Database.Database, private readonly options: GroupCommitOptions) {
    this.savepoint = db.prepare("SAVEPOINT gc");
    this.release = db.prepare("RELEASE gc");
    this.rollbackTo = db.prepare("ROLLBACK TO gc");
  }

  /**
   * Runs `fn` alone on the writer, inside the open group (a savepoint), and resolves with its result
   * once the group has committed. `fn` runs under the mutex: it must not wait for anything but the store.
   * `onCommitted` is told the result as soon as the group's COMMIT returned, before its fsync (store.commitBatch).
   */
  run<T>(fn: () => Promise<T>, onCommitted?: (result: T) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.mutex.run(() => this.member(fn, resolve, reject, onCommitted)).catch(reject);
    });
  }

  /** One member's turn on the writer (under the mutex): settled once its work is in the group or undone, never rejected. */
  private member<T>(fn: () => Promise<T>, resolve: (result: T) => void, reject: (e: unknown) => void, onCommitted?: (result: T) => void): Promise<void> {
    let opened: boolean | Promise<boolean>;
    try {
      opened = this.begin();
    } catch (e) {
      reject(translate(e));
      return DONE;
    }
    if (typeof opened === "boolean") return this.work(opened, fn, resolve, reject, onCommitted);
    return opened.then((opens) => this.work(opens, fn, resolve, reject, onCommitted), (e: unknown) => reject(translate(e)));
  }

  private work<T>(opens: boolean, fn: () => Promise<T>, resolve: (result: T) => void, reject: (e: unknown) => void, onCommitted?: (result: T) => void): Promise<void> {
    // The transaction that opens the group needs no savepoint: nothing else is in it yet (members
    // run one at a time, under the mutex), so undoing it is rolling the whole transaction back.
    // Two statements and a copy of every page it changes into the sub-journal saved for it.
    const joins = !opens;
    const failed = (e: unknown) => {
      if (joins) this.undo();
      else this.rollbackEmpty();
      reject(translate(e));
      this.afterFailure();
    };
    let pending: Promise<T>;
    try {
      if (joins) this.savepoint.run();
      pending = fn();
    } catch (e) {
      failed(e);
      return DONE;
    }
    return pending.then((result) => {
      try {
        if (joins) this.release.run();
      } catch (e) {
        failed(e);
        return;
      }
      this.waiting.push({ acknowledge: () => resolve(result), refuse: reject, ...(onCommitted ? { committed: () => onCommitted(result) } : {}) });
      // A /Bulk slice (onCommitted) is answered at its COMMIT and the next slice waits for that: never held.
      if (this.waiting.length >= this.options.maxMembers || (onCommitted && this.holding)) this.commit();
      else this.schedule();
    }, failed);
  }

  /**
   * Resolves once whatever a connection could read before the call is durable: the open group's
   * work too (a request running in it reads the group's earlier members), once that group
   * committed and, with a syncer, an fsync after it completed. Rejects when the group is refused
   * or the fsync failed: what was read may never be on disk (a failed fsync as StoreUnavailable,
   * since the caller wrote nothing itself).
   */
  durable(): Promise<void> {
    const syncer = this.options.syncer;
    // Only a finished member of the open group could have been read (by a later member): with none,
    // what could be read is what committed before, and the group's fate is not the caller's. (Its
    // opener, running now without a savepoint, may yet fail and roll the whole group back.)
    if (!this.waiting.some((m) => !m.waitsOnly)) return syncer ? syncer.durable() : Promise.resolve();
    return new Promise<void>((acknowledge, refuse) => {
      this.waiting.push({ waitsOnly: true, acknowledge, refuse: (e) => refuse(e instanceof StoreOutcomeUnknown ? syncer?.failed ?? e : e) });
      this.schedule();
    });
  }

  /** Commits what is open, now, and waits until every committed request is acknowledged or refused (close, shutdown). */
  async flush(): Promise<void> {
    await this.mutex.run(() => this.commitNow());
    await this.options.syncer?.settled();
  }

  /**
   * Opens the group's transaction unless it is open; answers whether this call opened it. The
   * writer's busy_timeout is 0 (./store.ts): a BEGIN that finds the write lock held by another
   * connection fails at once and is tried again after a timer, so the event loop serves other
   * requests (and the lock's holder its thread) meanwhile instead of sleeping inside SQLite's busy
   * handler; the transactions behind it wait on the mutex, as they did. Refused (StoreUnavailable)
   * once the lock stayed held for lockWaitMs.
   */
  private begin(): boolean | Promise<boolean> {
    if (this.db.inTransaction) return false;
    // A group whose transaction SQLite ended by itself cannot be acknowledged. (The error made only
    // then: an Error captures its stack, and this runs at every group's BEGIN.)
    if (this.waiting.length > 0) this.refuseWaiting(rolledBack());
    return this.open(0);
  }

  /** BEGIN now (true), or once the write lock is free (a promise), or throws; `deadline` 0 on the first try. */
  private open(deadline: number): true | Promise<true> {
    (this.options.beforeBegin ?? this.options.assertFiles)();
    const failed = this.options.syncer?.failed;
    if (failed) throw failed;
    try {
      this.db.exec("BEGIN IMMEDIATE");
      return true;
    } catch (e) {
      if (!isBusy(e) || this.db.inTransaction) throw e;
      const now = Date.now();
      const until = deadline || now + (this.options.lockWaitMs ?? LOCK_WAIT_MS);
      if (now >= until) throw e;
      return new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS)).then(() => this.open(until));
    }
  }

  private undo(): void {
    if (!this.db.inTransaction) return;
    try {
      this.rollbackTo.run();
      this.release.run();
    } catch { /* the transaction is gone: afterFailure refuses the group */ }
  }

  private afterFailure(): void {
    if (!this.db.inTransaction) this.refuseWaiting(rolledBack());
    else if (this.waiting.length === 0) this.rollbackEmpty();
    else this.schedule();
  }

  /** Nothing in the group succeeded: end the transaction, so no write lock is held for nothing. */
  private rollbackEmpty(): void {
    try { this.db.exec("ROLLBACK"); } catch { /* already gone */ }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // After the current turn's I/O callbacks: the requests read in this turn join the group first.
    // While an fsync is in flight the group stays open until it completes: its members could be
    // acknowledged only by the fsync after it anyway, which starts then; committed at once, it took
    // a COMMIT (and its WAL pages) of its own, now shared with the requests of the turns meanwhile.
    const commit = () => {
      this.scheduled = false;
      this.holding = false;
      this.mutex.run(() => this.commitNow()).catch(() => undefined);
    };
    setImmediate(() => {
      const syncer = this.options.syncer;
      if (syncer && this.options.holdWhileSyncing !== false && syncer.syncing && !this.waiting.some((m) => m.committed)) {
        this.holding = true;
        syncer.whenSynced(commit);
      } else commit();
    });
  }

  private commitNow(): Promise<void> {
    this.commit();
    return DONE;
  }

  /** COMMIT the open group and acknowledge its members, or refuse them all. Called holding the mutex. */
  private commit(): void {
    const members = this.waiting;
    this.waiting = [];
    if (!this.db.inTransaction) {
      for (const m of members) m.refuse(translate(rolledBack()));
      return;
    }
    if (members.length === 0) {
      this.rollbackEmpty();
      return;
    }
    try {
      this.options.assertFiles(); // never acknowledge a write into a file that is no longer the store
      const failed = this.options.syncer?.failed;
      if (failed) throw failed; // a failed fsync: nothing is acknowledged any more
      this.db.exec("COMMIT");
    } catch (e) {
      if (this.db.inTransaction) {
        try { this.db.exec("ROLLBACK"); } catch { /* already gone */ }
      }
      const error = translate(e);
      for (const m of members) m.refuse(error);
      return;
    }
    this.options.onCommit?.(members.length);
    for (const m of members) m.committed?.();
    if (this.options.syncer) this.options.syncer.committed(members);
    else for (const m of members) m.acknowledge();
  }

  private refuseWaiting(e: unknown): void {
    if (this.waiting.length === 0) return;
    const members = this.waiting;
    this.waiting = [];
    const error = translate(e);
    for (const m of members) m.refuse(error);
  }
}
