/**
 * The writer's mutex runs a free caller's transaction at once, inside the caller's stack (3b8aaad),
 * and group commit gives each joining member a savepoint of one fixed name: a transaction started
 * from inside another's fn, or a fn that never awaits (throwing before it returns a promise, or
 * after a write), still runs alone and is undone alone.
 */
import type { Repos, Store } from "../../src/domain/ports/store";
import { anOrg, aUser } from "../helpers/fixtures";
import { sqliteFileStore } from "../helpers/sqlite-file-store";

const t = sqliteFileStore("orgscim-tx-reentry-");
let store: Store;
beforeAll(() => { store = t.store; });
const committed = (id: string): boolean => t.committed(id);

class Undone extends Error {}

describe("transactions started from inside another, and fns that never await", () => {
  it("runs a transaction started inside another's fn after that fn, alone: the first one's failure does not take it along", async () => {
    const org = anOrg(); await store.orgs.insert(org);
    const [outer, inner] = [aUser(org.id), aUser(org.id)];
    const order: string[] = [];
    let started!: Promise<void>;
    const first = store.transaction(async (tx) => {
      await tx.users.insert(outer);
      started = store.transaction(async (t) => { order.push("inner runs"); await t.users.insert(inner); });
      order.push("outer continues");
      await Promise.resolve();
      order.push("outer fails");
      throw new Undone();
    });
    await expect(first).rejects.toBeInstanceOf(Undone);
    await started;
    expect(order).toEqual(["outer continues", "outer fails", "inner runs"]);
    expect([committed(outer.id), committed(inner.id)]).toEqual([false, true]);
  });

  it("undoes a fn that throws before returning a promise, or after a write without awaiting, alone; the members around it commit", async () => {
    const org = anOrg(); await store.orgs.insert(org);
    const [a, b, c, d] = [aUser(org.id), aUser(org.id), aUser(org.id), aUser(org.id)];
    const syncThrow = ((tx: Repos) => {
      void tx.users.insert(b); // better-sqlite3 runs the INSERT now: the savepoint must take it back
      throw new Undone();
    }) as unknown as (tx: Repos) => Promise<void>;
    const outcomes = await Promise.all([
      store.transaction(async (tx) => tx.users.insert(a)),
      store.transaction(syncThrow),
      store.transaction((tx) => tx.users.insert(c).then(() => Promise.reject(new Undone()))),
      store.transaction((tx) => tx.users.insert(d)),
    ].map((p) => p.then(() => "ok", (e: unknown) => (e instanceof Undone ? "undone" : `error: ${String(e)}`))));
    expect(outcomes).toEqual(["ok", "undone", "undone", "ok"]);
    expect([a, b, c, d].map((u) => committed(u.id))).toEqual([true, false, false, true]);
  });

  it("undoes the fn that opens a group and throws before returning a promise; the next transaction opens the group again", async () => {
    const org = anOrg(); await store.orgs.insert(org);
    const [a, b] = [aUser(org.id), aUser(org.id)];
    const syncThrow = ((tx: Repos) => {
      void tx.users.insert(a);
      throw new Undone();
    }) as unknown as (tx: Repos) => Promise<void>;
    await expect(store.transaction(syncThrow)).rejects.toBeInstanceOf(Undone);
    await store.transaction(async (tx) => tx.users.insert(b));
    expect([committed(a.id), committed(b.id)]).toEqual([false, true]);
  });
});
