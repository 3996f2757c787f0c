/**
 * A dry run (`orgscim import --dry-run`) runs every write in a transaction it rolls back. The store
 * it hands out has no batch of either kind: a batch's commit is a real one.
 */
import { rollingBack } from "../../src/cli/dry-run";
import { openSqliteStore } from "../../src/store/sqlite/store";

it("offers no batch nor commitBatch, though the store under it has both", async () => {
  const store = openSqliteStore({ path: ":memory:" });
  try {
    expect([typeof store.batch, typeof store.commitBatch]).toEqual(["function", "function"]);
    const dry = rollingBack(store);
    expect([dry.batch, dry.commitBatch]).toEqual([undefined, undefined]);
  } finally {
    await store.close();
  }
});
