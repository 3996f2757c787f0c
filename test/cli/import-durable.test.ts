/**
 * An import's batches on the SQLite store at DURABILITY=full, its WAL fsync held back or failed
 * through the store's `syncWal` option (test/helpers/switchable-sync.ts):
 * - a batch takes one commit (and one fsync): the lookups planning it makes are reads, answered
 *   by the reader connection, not transactions of the group commit waiting for an fsync each.
 * - while a batch waits for its fsync, the next batch's lines are read (parsed and coerced), not
 *   planned: planning waits for the batch before it to be acknowledged, as before.
 * - a batch counts as imported (its outcomes, the progress told) only once its fsync completed;
 *   one whose fsync failed counts nothing of itself as imported.
 */
import { systemClock } from "../../src/domain/clock";
import { importLines } from "../../src/cli/import";
import type { ImportReport } from "../../src/domain/portability";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { userBody } from "../helpers/server";
import { switchableSync } from "../helpers/switchable-sync";
import { setTimeout as sleep } from "node:timers/promises";
import { newOrg, tempStores, type TempStores } from "./seed";

const FILE_ORG = "OR99999999999999999999999999999999";
const header = JSON.stringify({ type: "export", format: "orgscim-ndjson", version: 1, orgId: FILE_ORG, exported: "2026-01-01T00:00:00.000Z", store: "sqlite" });
const userLine = (n: number) => JSON.stringify({ type: "user", resource: userBody(`u${n}@t.test`) });

let stores: TempStores;
beforeEach(() => { stores = tempStores(); });
afterEach(async () => { await stores.close(); });

function openHeld(name: string, onGroupCommit?: (members: number) => void) {
  const f = switchableSync();
  const store = openSqliteStore({ path: stores.path(name), durability: "full", syncWal: f.sync, backgroundCheckpoints: false, ...(onGroupCommit ? { onGroupCommit } : {}) });
  return { f, store };
}

/** The lines of a file of `users` users, a line yielded only when asked for: `asked` counts them. */
function file(users: number) {
  const read = { asked: 0 };
  async function* lines(): AsyncGenerator<string> {
    yield header;
    for (let n = 1; n <= users; n++) {
      read.asked = n;
      yield userLine(n);
    }
  }
  return { read, lines: lines() };
}

describe("an import's batches and the WAL's fsync (SQLite, DURABILITY=full)", () => {
  it("commits each batch once: its lookups (managed elsewhere, by userName, by email) are reads", async () => {
    let commits = 0;
    const { store } = openHeld("commits.db", () => { commits += 1; });
    try {
      const org = await newOrg(store, "Commits", { domainEnforcement: false });
      commits = 0;
      const { lines } = file(6);
      const { report } = await importLines(store, systemClock, org.id, lines, { batchSize: 2 });
      expect(report.counts.user!.created).toBe(6);
      expect(commits).toBe(3);
    } finally {
      await store.close();
    }
  });
});

/** Waits (up to ~2 s) until `cond` holds. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await sleep(10);
  expect(cond()).toBe(true);
}

describe("an import reads ahead while a batch's fsync is in flight", () => {
  it("reads the next batch's lines, plans nothing more and counts nothing, until the fsync completes", async () => {
    const { f, store } = openHeld("ahead.db");
    try {
      const org = await newOrg(store, "Ahead", { domainEnforcement: false });
      f.hold();
      const { read, lines } = file(6);
      const told: number[] = [];
      const run = importLines(store, systemClock, org.id, lines, { batchSize: 2, onBatch: (line) => told.push(line) });
      await until(() => f.held.length === 1);
      // The first batch (lines 2-3) is committed and waits for its fsync: lines of the next are read meanwhile.
      await until(() => read.asked === 4);
      await sleep(50);
      expect(read.asked).toBe(4); // the next batch is full: it waits for the first to be acknowledged
      expect(f.held).toHaveLength(1); // and is not written (nor planned) before
      expect(told).toEqual([]);
      f.release();
      const { report } = await run;
      expect(report.counts.user!.created).toBe(6);
      expect(told).toEqual([3, 5, 7]);
    } finally {
      f.release();
      await store.close();
    }
  });

  it("counts nothing of a batch whose fsync failed as imported", async () => {
    const { f, store } = openHeld("ahead-fail.db");
    try {
      const org = await newOrg(store, "AheadFail", { domainEnforcement: false });
      f.hold();
      const { lines } = file(6);
      const told: number[] = [];
      const run = importLines(store, systemClock, org.id, lines, { batchSize: 2, onBatch: (line) => told.push(line) });
      await until(() => f.held.length === 1);
      f.fail();
      const outcome: ImportReport | Error = await run.then((r) => r.report, (e: unknown) => (e instanceof Error ? e : new Error(String(e))));
      const created = outcome instanceof Error ? 0 : outcome.counts.user?.created ?? 0;
      expect(created).toBe(0);
      expect(told.filter((line) => line <= 3)).toEqual(outcome instanceof Error ? [] : [3]);
    } finally {
      await store.close().catch(() => undefined);
    }
  });
});
