/**
 * DURABILITY=full with group commit: the writer commits at synchronous=NORMAL and the WAL is
 * fsynced off the event loop (src/store/sqlite/wal-sync.ts). Real files; the fsync is the real
 * fs.fsync, held back or failed through the store's `syncWal` option, so each rule below fails on
 * a store that acknowledges on COMMIT:
 * - a transaction is acknowledged only once an fsync that started after its COMMIT completed;
 * - a group opened while an fsync is in flight stays open until it completes, then commits with
 *   what joined it meanwhile and waits for the next fsync (with other writers on the file,
 *   WORKERS=N, it commits at the end of its turn, as before, and waits likewise);
 * - a failed fsync refuses every member not yet acknowledged and every later write (503), and
 *   readiness, until restart; nothing of a group is acknowledged while another part is refused;
 * - an fsync completing after the store's file was moved away acknowledges nothing;
 * - a failing transaction is still undone alone (its savepoint);
 * - the one visible difference from synchronous=FULL: another connection reads a committed row
 *   before the fsync that acknowledges it (docs/stores.md, Durability).
 */
import Database from "better-sqlite3";
import { fstatSync, fsync, mkdtempSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StoreOutcomeUnknown, StoreUnavailable, type Store } from "../../src/domain/ports/store";
import { openSqliteStore, type SqliteOptions } from "../../src/store/sqlite/store";
import type { SyncFile } from "../../src/store/sqlite/wal-sync";
import { anOrg, aUser } from "../helpers/fixtures";

let dir: string;
let serial = 0;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "orgscim-wal-sync-")); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An fsync that waits until the test releases it (then runs the real one) or fails it. */
function heldSync() {
  const calls: { fd: number; done: (e: NodeJS.ErrnoException | null) => void; seenAtStart: Set<string> }[] = [];
  let wake: (() => void) | null = null;
  let probe: (() => Set<string>) = () => new Set();
  const sync: SyncFile = (fd, done) => {
    calls.push({ fd, done, seenAtStart: probe() });
    wake?.();
  };
  return {
    sync,
    calls,
    /** What is on the file when an fsync starts (read by another connection). */
    watch(fn: () => Set<string>) { probe = fn; },
    async called(n: number): Promise<void> {
      while (calls.length < n) await new Promise<void>((r) => { wake = r; });
    },
    release(i: number): void { fsync(calls[i]!.fd, calls[i]!.done); },
    fail(i: number, code = "EIO"): void {
      calls[i]!.done(Object.assign(new Error(`${code}: i/o error, fsync`), { code }));
    },
  };
}

/** A promise with its outcome readable at any time. */
function tracked<T>(p: Promise<T>): { p: Promise<T>; state: () => "pending" | "fulfilled" | "rejected" } {
  let state: "pending" | "fulfilled" | "rejected" = "pending";
  p.then(() => { state = "fulfilled"; }, () => { state = "rejected"; });
  return { p, state: () => state };
}

const turn = () => new Promise<void>((r) => setImmediate(r));

function openWith(sync: SyncFile, extra: Partial<SqliteOptions> = {}) {
  const file = join(dir, `s${serial++}.db`);
  const commits: number[] = [];
  const failures: string[] = [];
  const store = openSqliteStore({ path: file, durability: "full", backgroundCheckpoints: false, syncWal: sync, onGroupCommit: (n) => commits.push(n), onSyncFailure: (p) => failures.push(p), ...extra });
  /** Ids of users another connection sees on the file. */
  const onFile = (): Set<string> => {
    const db = new Database(file, { readonly: true });
    try {
      return new Set((db.prepare("SELECT id FROM users").pluck().all() as string[]));
    } finally {
      db.close();
    }
  };
  return { file, store, commits, failures, onFile };
}

async function orgIn(store: Store, held: ReturnType<typeof heldSync>, i: number): Promise<string> {
  const org = anOrg();
  const p = store.orgs.insert(org);
  await held.called(i + 1);
  held.release(i);
  await p;
  return org.id;
}

describe("SQLite DURABILITY=full: the WAL fsynced off the event loop", () => {
  it("acknowledges a transaction only once an fsync that started after its COMMIT has completed", async () => {
    const held = heldSync();
    const s = openWith(held.sync);
    held.watch(s.onFile);
    try {
      const org = await orgIn(s.store, held, 0);
      const users = [aUser(org), aUser(org), aUser(org)];
      const txs = users.map((u) => tracked(s.store.transaction(async (tx) => { await tx.users.insert(u); })));
      await held.called(2);
      expect(s.commits).toEqual([1, 3]); // one group, committed
      for (const u of users) expect(held.calls[1]!.seenAtStart.has(u.id)).toBe(true); // the fsync started after the COMMIT
      for (let i = 0; i < 5; i++) await turn();
      expect(txs.map((t) => t.state())).toEqual(["pending", "pending", "pending"]); // acknowledging on COMMIT fails here
      held.release(1);
      await Promise.all(txs.map((t) => t.p));
      expect(held.calls[1]!.fd).toBeGreaterThan(0);
      const wal = fstatSync(held.calls[1]!.fd);
      const named = statSync(`${s.file}-wal`);
      expect([wal.dev, wal.ino]).toEqual([named.dev, named.ino]); // the store's own WAL file
    } finally {
      await s.store.close();
    }
  });

  it("holds the next group open while an fsync is in flight, commits it with what joined it meanwhile once that fsync completes, and acknowledges it only after the next fsync", async () => {
    const held = heldSync();
    const s = openWith(held.sync);
    held.watch(s.onFile);
    try {
      const org = await orgIn(s.store, held, 0);
      const [a, b, c] = [aUser(org), aUser(org), aUser(org)];
      const ta = tracked(s.store.transaction(async (tx) => { await tx.users.insert(a); }));
      await held.called(2);
      const tb = tracked(s.store.transaction(async (tx) => { await tx.users.insert(b); }));
      for (let i = 0; i < 5; i++) await turn();
      const tc = tracked(s.store.transaction(async (tx) => { await tx.users.insert(c); })); // a later turn: joins b's open group
      for (let i = 0; i < 5; i++) await turn();
      expect(s.commits).toEqual([1, 1]); // b's group not committed while a's fsync is in flight
      expect(s.onFile().has(b.id)).toBe(false);
      expect(held.calls).toHaveLength(2);
      held.release(1);
      await ta.p;
      await held.called(3); // b's and c's group committed once a's fsync completed, and its fsync started
      expect(s.commits).toEqual([1, 1, 2]);
      expect(held.calls[2]!.seenAtStart.has(b.id) && held.calls[2]!.seenAtStart.has(c.id)).toBe(true);
      for (let i = 0; i < 5; i++) await turn();
      expect([tb.state(), tc.state()]).toEqual(["pending", "pending"]); // acknowledged by their own fsync only
      held.release(2);
      await Promise.all([tb.p, tc.p]);
    } finally {
      await s.store.close();
    }
  });

  it("with other writers on the file (WORKERS=N), commits the next group at the end of its turn while an fsync is in flight (the write lock is not held across it), and acknowledges it only after the next fsync", async () => {
    const held = heldSync();
    const s = openWith(held.sync, { otherWriters: true });
    held.watch(s.onFile);
    try {
      const org = await orgIn(s.store, held, 0);
      const [a, b] = [aUser(org), aUser(org)];
      const ta = tracked(s.store.transaction(async (tx) => { await tx.users.insert(a); }));
      await held.called(2);
      const tb = tracked(s.store.transaction(async (tx) => { await tx.users.insert(b); }));
      while (s.commits.length < 3) await turn();
      expect(s.onFile().has(b.id)).toBe(true); // b committed while a's fsync is in flight
      expect(held.calls).toHaveLength(2); // no second fsync while one is in flight
      held.release(1);
      await ta.p;
      for (let i = 0; i < 5; i++) await turn();
      expect(tb.state()).toBe("pending"); // a's fsync started before b's COMMIT: it does not cover b
      await held.called(3);
      expect(held.calls[2]!.seenAtStart.has(b.id)).toBe(true);
      held.release(2);
      await tb.p;
    } finally {
      await s.store.close();
    }
  });

  it("refuses a group held open behind an fsync that fails as not applied (9002: it never committed), and the fsync's own members as outcome unknown", async () => {
    const held = heldSync();
    const s = openWith(held.sync);
    try {
      const org = await orgIn(s.store, held, 0);
      const a = tracked(s.store.transaction(async (tx) => { await tx.users.insert(aUser(org)); }));
      await held.called(2);
      const b = aUser(org);
      const tb = tracked(s.store.transaction(async (tx) => { await tx.users.insert(b); }));
      for (let i = 0; i < 5; i++) await turn();
      held.fail(1);
      await expect(a.p).rejects.toBeInstanceOf(StoreOutcomeUnknown);
      const refused = await tb.p.then(() => null, (e: unknown) => e);
      expect(refused).toBeInstanceOf(StoreUnavailable);
      expect(refused).not.toBeInstanceOf(StoreOutcomeUnknown);
      expect(s.onFile().has(b.id)).toBe(false);
      expect(held.calls).toHaveLength(2);
    } finally {
      await s.store.close();
    }
  });

  it("refuses every request waiting on a failed fsync and every later write (503), and answers readiness not ready", async () => {
    const held = heldSync();
    // Other writers on the file: the second group commits while the first's fsync is in flight, and is refused with it.
    const s = openWith(held.sync, { otherWriters: true });
    try {
      const org = await orgIn(s.store, held, 0);
      const ready = s.store.ping(); // a probe write: acknowledged after its fsync
      await held.called(2);
      held.release(1);
      expect(await ready.then(() => "ready", () => "not ready")).toBe("ready");
      const first = [aUser(org), aUser(org)].map((u) => tracked(s.store.transaction(async (tx) => { await tx.users.insert(u); })));
      await held.called(3);
      const second = [aUser(org), aUser(org)].map((u) => tracked(s.store.transaction(async (tx) => { await tx.users.insert(u); })));
      while (s.commits.length < 4) await turn(); // the second group committed, waiting for the next fsync
      const durable = s.store.durable!().then(() => null, (e: unknown) => e); // a reader waiting to send, writing nothing
      held.fail(2);
      const outcomes = await Promise.allSettled([...first, ...second].map((t) => t.p));
      expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "rejected", "rejected"]);
      // They had committed: refused as "outcome unknown" (9010), never as "nothing was changed".
      for (const o of outcomes) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(StoreOutcomeUnknown);
      const told = await durable;
      expect(told).toBeInstanceOf(StoreUnavailable);
      expect(told).not.toBeInstanceOf(StoreOutcomeUnknown);
      expect(s.failures).toHaveLength(1);
      expect(s.failures[0]).toMatch(/fsync: EIO.*until orgscim is restarted/);
      // Later writes, inside a transaction or not, are refused; nothing more is committed or fsynced.
      const calls = held.calls.length;
      const refusedLater = await s.store.transaction(async (tx) => { await tx.users.insert(aUser(org)); }).then(() => null, (e: unknown) => e);
      expect(refusedLater).toBeInstanceOf(StoreUnavailable);
      expect(refusedLater).not.toBeInstanceOf(StoreOutcomeUnknown); // nothing of it committed
      await expect(s.store.users.insert(aUser(org))).rejects.toBeInstanceOf(StoreUnavailable);
      await expect(s.store.ping()).rejects.toBeInstanceOf(StoreUnavailable);
      expect(held.calls).toHaveLength(calls);
      expect(s.commits).toHaveLength(4);
      // Reads go on (from the file as it is).
      expect(await s.store.orgs.get(org)).not.toBeNull();
    } finally {
      await s.store.close();
    }
  });

  it("refuses the requests of an fsync that completed after the store's file was moved away (what it flushed is no longer the store)", async () => {
    const held = heldSync();
    const s = openWith(held.sync);
    try {
      const org = await orgIn(s.store, held, 0);
      const txs = [aUser(org), aUser(org)].map((u) => tracked(s.store.transaction(async (tx) => { await tx.users.insert(u); })));
      await held.called(2); // committed before the move: COMMIT's own check passed
      renameSync(s.file, `${s.file}.moved`);
      held.release(1);
      const outcomes = await Promise.allSettled(txs.map((t) => t.p));
      expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
      for (const o of outcomes) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailable);
      renameSync(`${s.file}.moved`, s.file); // the same file back: taken again
      const later = tracked(s.store.transaction(async (tx) => { await tx.users.insert(aUser(org)); }));
      await held.called(3);
      held.release(2);
      await later.p;
    } finally {
      await s.store.close();
    }
  });

  it("undoes a failing transaction alone, and acknowledges the others of its group after their fsync", async () => {
    const held = heldSync();
    const s = openWith(held.sync);
    try {
      const org = await orgIn(s.store, held, 0);
      const [a, b, c] = [aUser(org), aUser(org), aUser(org)];
      const txs = [a, b, c].map((u) => tracked(s.store.transaction(async (tx) => {
        await tx.users.insert(u);
        if (u === b) throw new Error("b fails after its write");
      })));
      await held.called(2);
      await expect(txs[1]!.p).rejects.toEqual(new Error("b fails after its write"));
      expect([txs[0]!.state(), txs[2]!.state()]).toEqual(["pending", "pending"]);
      held.release(1);
      await Promise.all([txs[0]!.p, txs[2]!.p]);
      const seen = s.onFile();
      expect([a, b, c].map((u) => seen.has(u.id))).toEqual([true, false, true]);
      expect(s.commits).toEqual([1, 2]);
    } finally {
      await s.store.close();
    }
  });

  it("lets another connection read a committed row before the fsync that acknowledges its writer (the one difference from synchronous=FULL)", async () => {
    const held = heldSync();
    const s = openWith(held.sync);
    try {
      const org = await orgIn(s.store, held, 0);
      const u = aUser(org);
      const tx = tracked(s.store.transaction(async (t) => { await t.users.insert(u); }));
      await held.called(2);
      expect(tx.state()).toBe("pending");
      expect((await s.store.users.get(org, u.id))?.id).toBe(u.id); // the store's reader connection
      expect(s.onFile().has(u.id)).toBe(true); // any other connection
      held.release(1);
      await tx.p;
    } finally {
      await s.store.close();
    }
  });

  it("waits at close for the fsync in flight, then acknowledges what it covered", async () => {
    const held = heldSync();
    const s = openWith(held.sync);
    const org = await orgIn(s.store, held, 0);
    const tx = tracked(s.store.transaction(async (t) => { await t.users.insert(aUser(org)); }));
    await held.called(2);
    const closing = tracked(s.store.close());
    for (let i = 0; i < 5; i++) await turn();
    expect([tx.state(), closing.state()]).toEqual(["pending", "pending"]);
    held.release(1);
    await closing.p;
    expect(tx.state()).toBe("fulfilled");
  });

  it("fsyncs nothing off the loop with DURABILITY=normal, nor with group commit off (synchronous=FULL: the fsync inside COMMIT)", async () => {
    for (const extra of [{ durability: "normal" as const }, { groupCommit: false }]) {
      const held = heldSync();
      const s = openWith(held.sync, extra);
      try {
        const org = anOrg();
        await s.store.orgs.insert(org);
        await s.store.transaction(async (tx) => { await tx.users.insert(aUser(org.id)); });
        expect(held.calls).toHaveLength(0);
      } finally {
        await s.store.close();
      }
    }
  });
});
