/**
 * WAL checkpoints run on a worker thread (src/store/sqlite/checkpointer.ts): the database file
 * receives committed pages without the store's connection checkpointing, and closing the store
 * stops the worker and leaves no WAL behind.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCheckpointer } from "../../src/store/sqlite/checkpointer";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { anOrg, aUser } from "../helpers/fixtures";

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "orgscim-checkpoint-")); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The database file's size after 20 users are written (a few hundred WAL pages, under SQLite's own 1,000-page checkpoint) and 300 ms pass. */
async function fileGrowth(file: string, backgroundCheckpoints: boolean): Promise<{ before: number; after: number; close: () => Promise<void> }> {
  const store = openSqliteStore({ path: file, backgroundCheckpoints });
  const org = anOrg(); await store.orgs.insert(org);
  await sleep(200); // whatever the open wrote (migrations) is checkpointed, or not, by now
  const before = statSync(file).size;
  for (let i = 0; i < 20; i++) await store.transaction(async (tx) => tx.users.insert(aUser(org.id)));
  await sleep(300);
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

  it("reports a worker that cannot check the file once, not at every tick", async () => {
    const reports: string[] = [];
    const c = startCheckpointer(dir, 10, (m) => reports.push(m)); // a directory: the worker cannot open it
    await sleep(300);
    await c.stop();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(/database|directory|open/i);
  });
});
