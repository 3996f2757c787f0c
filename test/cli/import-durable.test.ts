/**
 * An import's batches on the SQLite store at DURABILITY=full, its WAL fsync held back or failed
 * through the store's `syncWal` option (test/helpers/switchable-sync.ts):
 * - a batch takes one commit (and one fsync): the lookups planning it makes are reads, answered
 *   by the reader connection, not transactions of the group commit waiting for an fsync each.
 */
import { systemClock } from "../../src/domain/clock";
import { importLines } from "../../src/cli/import";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { userBody } from "../helpers/server";
import { switchableSync } from "../helpers/switchable-sync";
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
