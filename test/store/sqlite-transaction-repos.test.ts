/**
 * A SQLite transaction's repositories (`tx` of `store.transaction(async (tx) => ...)`): its fn is
 * handed the writer's, with no AsyncLocalStorage naming the transaction (src/store/sqlite/routing.ts).
 * - `tx` answers on the writer: it sees the transaction's own writes.
 * - The facade (`store.users...`) is not the transaction's: it reads committed data only.
 * - Work a transaction left behind (a timer, a promise not awaited) that calls the facade is routed
 *   as any other call: it never joins (and never falls with) another transaction open then.
 * - Inside a batch (/Bulk), the facade and `transaction` are the batch's.
 */
import type { Store } from "../../src/domain/ports/store";
import { anOrg, aUser } from "../helpers/fixtures";
import { sqliteFileStore } from "../helpers/sqlite-file-store";

const t = sqliteFileStore("orgscim-tx-repos-");
let store: Store;
beforeAll(() => { store = t.store; });
const committed = (id: string): boolean => t.committed(id);

class Undone extends Error {}

describe("a SQLite transaction's own repositories", () => {
  it("see the transaction's writes while it runs; the facade reads committed data only", async () => {
    const org = anOrg(); await store.orgs.insert(org);
    const u = aUser(org.id);
    const seen = await store.transaction(async (tx) => {
      await tx.users.insert(u);
      return { tx: (await tx.users.get(org.id, u.id))?.id ?? null, facade: (await store.users.get(org.id, u.id))?.id ?? null };
    });
    expect(seen).toEqual({ tx: u.id, facade: null });
    expect(committed(u.id)).toBe(true);
  });

  it("route a facade write left behind by a transaction (a promise it did not await) as a transaction of its own, never into another one open then", async () => {
    const org = anOrg(); await store.orgs.insert(org);
    const later = aUser(org.id);
    let fire!: () => void;
    const fired = new Promise<void>((r) => (fire = r));
    let wrote!: Promise<void>;
    await store.transaction(async () => {
      void fired.then(() => { wrote = store.users.insert(later); });
    });
    // Another transaction is open (and will be rolled back) when the left-behind write is made.
    const other = store.transaction(async (tx) => {
      await tx.users.insert(aUser(org.id));
      fire();
      await fired;
      await Promise.resolve();
      throw new Undone();
    });
    await expect(other).rejects.toBeInstanceOf(Undone);
    await wrote;
    expect(committed(later.id)).toBe(true);
  });

  it("of a transaction inside a batch see the batch's writes, and so does the facade inside the batch", async () => {
    const org = anOrg(); await store.orgs.insert(org);
    const [a, b] = [aUser(org.id), aUser(org.id)];
    const seen = await store.batch!(async () => {
      await store.transaction(async (tx) => tx.users.insert(a));
      return store.transaction(async (tx) => {
        await tx.users.insert(b);
        return [(await tx.users.get(org.id, a.id))?.id, (await store.users.get(org.id, b.id))?.id];
      });
    });
    expect(seen).toEqual([a.id, b.id]);
    expect([committed(a.id), committed(b.id)]).toEqual([true, true]);
  });
});
