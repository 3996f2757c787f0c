/**
 * The WAL's fsync, off the event loop (DURABILITY=full with group commit: ./group-commit.ts).
 *
 * The writer connection commits with synchronous=NORMAL: COMMIT writes the group's frames into the
 * WAL file (the OS page cache: they survive a crash of the process) and fsyncs nothing. This class
 * then flushes that file with fs.fsync on a descriptor of its own, in libuv's thread pool: fsync
 * flushes the file (the inode), whichever descriptor wrote it. A group's requests are acknowledged
 * only when an fsync that started after their COMMIT has completed: durable as with
 * synchronous=FULL, where SQLite fsyncs the WAL inside COMMIT, on the event loop.
 *
 * Pipelined: while one fsync is in flight the next groups run (./group-commit.ts holds the open
 * one until `whenSynced`, unless other processes write); their members wait for the next fsync,
 * started as soon as the one in flight completes (it covers every group committed meanwhile). A failed fsync refuses every member not yet acknowledged, and every later one: after
 * a failed fsync nothing says what of the file reached the disk (Linux may drop the pages it could
 * not write), so the store acknowledges no write until it is restarted.
 */
import { fsync } from "node:fs";
import { StoreOutcomeUnknown, StoreUnavailable } from "../../domain/ports/store";

/** Flushes the file open at `fd` to disk; fs.fsync unless a test slows or fails it. */
export type SyncFile = (fd: number, done: (e: NodeJS.ErrnoException | null) => void) => void;

export interface Member {
  acknowledge: () => void;
  refuse: (e: unknown) => void;
  /** Told when its COMMIT returned, before the fsync that acknowledges it (./group-commit.ts). */
  committed?: () => void;
}

export class WalSyncer {
  /** Committed, waiting for an fsync that starts after their COMMIT. */
  private unsynced: Member[] = [];
  private inFlight: Promise<void> | null = null;
  private failure: StoreUnavailable | null = null;
  /** Told once when the fsync in flight completes (or fails): ./group-commit.ts commits the group it held open meanwhile. */
  private afterFlight: Array<() => void> = [];

  constructor(
    private readonly fd: number,
    private readonly options: {
      sync?: SyncFile;
      onFailure: (problem: string) => void;
      /** Throws when the store's files are no longer at its path: checked after each fsync, before acknowledging. */
      assertFiles?: () => void;
    },
  ) {}

  /** Why the store acknowledges no write any more, or null. */
  get failed(): StoreUnavailable | null {
    return this.failure;
  }

  /** `members` committed just now: each is acknowledged once an fsync started from now on completes. */
  committed(members: Member[]): void {
    if (this.failure) {
      for (const m of members) m.refuse(this.failure);
      return;
    }
    for (const m of members) this.unsynced.push(m);
    if (!this.inFlight) this.start();
  }

  /**
   * Resolves once an fsync that started after this call completed: whatever any connection could
   * read before the call (this process's commits and other processes' alike: fsync flushes the
   * file) is then on disk. Rejects once an fsync failed.
   */
  durable(): Promise<void> {
    // A caller of durable() wrote nothing: it is told the store failed, not that its write's outcome is unknown.
    return new Promise<void>((acknowledge, refuse) => this.committed([{ acknowledge, refuse: (e) => refuse(e instanceof StoreOutcomeUnknown ? this.failure ?? e : e) }]));
  }

  /** Whether an fsync is in flight. */
  get syncing(): boolean {
    return this.inFlight !== null;
  }

  /** Calls `fn` once the fsync in flight has completed or failed, after its members are answered (at once when none is). */
  whenSynced(fn: () => void): void {
    if (this.inFlight) this.afterFlight.push(fn);
    else fn();
  }

  /** Resolves once every member committed so far has been acknowledged or refused. */
  async settled(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private start(): void {
    const covered = this.unsynced;
    this.unsynced = [];
    const sync = this.options.sync ?? fsync;
    let completed!: () => void;
    const done = new Promise<void>((resolve) => (completed = resolve));
    this.inFlight = done;
    sync(this.fd, (e) => {
      if (this.inFlight === done) this.inFlight = null;
      if (e) this.fail(e, covered);
      else {
        if (this.unsynced.length > 0) this.start(); // the groups committed while this one was in flight
        const moved = this.filesMoved();
        for (const m of covered) {
          if (moved) m.refuse(moved);
          else m.acknowledge();
        }
      }
      const waiting = this.afterFlight;
      this.afterFlight = [];
      for (const fn of waiting) fn();
      completed();
    });
  }

  /** The file was deleted or replaced after the COMMIT: what the fsync flushed is no longer the store (./file-identity.ts). */
  private filesMoved(): unknown {
    try {
      this.options.assertFiles?.();
      return null;
    } catch (e) {
      return e;
    }
  }

  private fail(e: NodeJS.ErrnoException, covered: Member[]): void {
    const problem = `the store's WAL could not be flushed to disk (fsync: ${e.code ?? e.message}); writes committed since the last flush may not be durable and are refused, and so is every write until orgscim is restarted`;
    this.failure = new StoreUnavailable(new Error(problem, { cause: e }));
    const refused = [...covered, ...this.unsynced];
    this.unsynced = [];
    // These committed: their rows may be read now and after a restart. Told so (9010), not "nothing changed".
    const unknown = new StoreOutcomeUnknown(new Error(`${problem}; this write had committed before the flush failed`, { cause: e }));
    for (const m of refused) m.refuse(unknown);
    this.options.onFailure(problem);
  }
}
