/**
 * store.batch on SQLite (what a /Bulk request runs in): its transactions commit together at the
 * end, each still all-or-nothing on its own (a savepoint), and nothing is visible to another
 * connection before the batch ends. store.commitBatch: the same batch, answered at its COMMIT, with
 * the promise of its fsync.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Store } from "../../src/domain/ports/store";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { anOrg, aUser } from "../helpers/fixtures";

let dir: string;
let file: string;
let store: Store;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "orgscim-batch-"));
  file = join(dir, "batch.db");
  store = openSqliteStore({ path: file });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Users of the organization as another connection sees them (committed rows only). */
const committed = (orgId: string): number => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT count(*) FROM users WHERE org_id = ?").pluck().get(orgId) as number;
  } finally {
    db.close();
  }
};

describe("store.batch on SQLite", () => {
  it("commits its transactions once, at the end; a failing one is undone alone", async () => {
    const org = anOrg(); await store.orgs.insert(org);
    const [a, b, c] = [aUser(org.id), aUser(org.id), aUser(org.id)];
    const seenInside: number[] = [];
    const outcomes = await store.batch!(async () => {
      const results: string[] = [];
      for (const [u, fail] of [[a, false], [b, true], [c, false]] as const) {
        try {
          await store.transaction(async (tx) => {
            await tx.users.insert(u);
            await tx.audit.append({ id: `AE${u.id.slice(2)}`, orgId: org.id, time: u.created, actor: "test", action: "user.create", targetType: "User", targetId: u.id, outcome: "success", before: null, after: null });
            if (fail) throw new Error("this operation fails after its writes");
          });
          results.push("ok");
        } catch {
          results.push("failed");
        }
        seenInside.push(committed(org.id));
      }
      return results;
    });
    expect(outcomes).toEqual(["ok", "failed", "ok"]);
    expect(seenInside).toEqual([0, 0, 0]); // nothing reached the file before the batch's commit
    expect(committed(org.id)).toBe(2);
    expect(await store.users.get(org.id, a.id)).not.toBeNull();
    expect(await store.users.get(org.id, b.id)).toBeNull();
    expect(await store.users.get(org.id, c.id)).not.toBeNull();
    expect((await store.audit.list(org.id, { limit: 10 })).map((e) => e.targetId).sort()).toEqual([a.id, c.id].sort());
  });

  it("rolls everything back when the batch itself fails", async () => {
    const org = anOrg(); await store.orgs.insert(org);
    await expect(store.batch!(async () => {
      await store.transaction(async (tx) => tx.users.insert(aUser(org.id)));
      throw new Error("the batch fails");
    })).rejects.toThrow("the batch fails");
    expect(committed(org.id)).toBe(0);
  });

  it("runs a transaction left behind by a batch (a timer it set) as a transaction of its own", async () => {
    const org = anOrg(); await store.orgs.insert(org);
    const later = aUser(org.id);
    let done!: Promise<void>;
    await store.batch!(async () => {
      done = new Promise<void>((resolve, reject) => {
        setTimeout(() => void store.transaction(async (tx) => tx.users.insert(later)).then(resolve, reject), 20);
      });
    });
    await done;
    expect(committed(org.id)).toBe(1);
  });

  it("queues a transaction from outside behind a running batch", async () => {
    const org = anOrg(); await store.orgs.insert(org);
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const batch = store.batch!(async () => {
      await store.transaction(async (tx) => tx.users.insert(aUser(org.id)));
      order.push("batch wrote");
      await gate;
      order.push("batch ends");
    });
    const outside = store.transaction(async (tx) => {
      order.push("outside runs");
      await tx.users.insert(aUser(org.id));
    });
    await new Promise((r) => setTimeout(r, 20));
    release();
    await Promise.all([batch, outside]);
    expect(order).toEqual(["batch wrote", "batch ends", "outside runs"]);
    expect(committed(org.id)).toBe(2);
  });
});

describe("store.commitBatch on SQLite", () => {
  it("answers once its batch committed, before the fsync; `durable` once that fsync is done", async () => {
    const held: (() => void)[] = [];
    let holding = false;
    const heldFile = join(dir, "commit-batch.db");
    const s = openSqliteStore({ path: heldFile, durability: "full", syncWal: (fd, done) => (holding ? void held.push(() => done(null)) : done(null)) });
    try {
      const org = anOrg(); await s.orgs.insert(org);
      holding = true;
      const { result, durable } = await s.commitBatch!(async () => {
        await s.transaction(async (tx) => tx.users.insert(aUser(org.id)));
        return "done";
      });
      expect(result).toBe("done");
      const db = new Database(heldFile, { readonly: true });
      try {
        expect(db.prepare("SELECT count(*) FROM users WHERE org_id = ?").pluck().get(org.id)).toBe(1); // committed, the fsync still held
      } finally {
        db.close();
      }
      let isDurable = false;
      void durable.then(() => (isDurable = true));
      await new Promise((r) => setTimeout(r, 50));
      expect([isDurable, held.length]).toEqual([false, 1]);
      holding = false;
      held.splice(0).forEach((h) => h());
      await durable;
    } finally {
      holding = false;
      held.splice(0).forEach((h) => h());
      await s.close();
    }
  });

  it("rejects when its batch does not commit, and leaves nothing", async () => {
    const org = anOrg(); await store.orgs.insert(org);
    await expect(store.commitBatch!(async () => {
      await store.transaction(async (tx) => tx.users.insert(aUser(org.id)));
      throw new Error("the batch fails");
    })).rejects.toThrow("the batch fails");
    expect(committed(org.id)).toBe(0);
  });
});
