/**
 * While an AsyncLocalStorage is enabled Node 20 runs a hook at every promise of the process, every
 * lookup's too. A SQLite transaction is handed its connection (src/store/sqlite/routing.ts): none is
 * enabled while one runs, however many overlap, a SCIM PUT's included (its transaction is told it
 * is one: src/domain/events-capture.ts scimPut). A batch (/Bulk, imports) finds its transactions
 * through one: enabled only while one runs. Probe: with promise hooks on, each continuation after an await runs as an async
 * resource of its own (executionAsyncId changes); with them off it does not. Jest turns hooks on in
 * its own process, so the probe runs the built store (dist/, `npm run build`) in a child process.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const DIST = join(__dirname, "..", "..", "dist");

const CHILD = `
const { executionAsyncId } = require("node:async_hooks");
const [dist, file] = process.argv.slice(1);
const { openSqliteStore } = require(dist + "/store/sqlite/store.js");
const { scimPut, withEvents } = require(dist + "/domain/events-capture.js");
const on = async () => { await null; const a = executionAsyncId(); await null; return executionAsyncId() !== a; };
(async () => {
  const seen = {};
  seen.before = await on();
  const store = openSqliteStore({ path: file });
  await store.transaction(async () => { seen.inTransaction = await on(); });
  seen.afterTransaction = await on();
  // Two transactions overlapping: the first to end leaves the other's scope in place.
  let release;
  const held = new Promise((r) => { release = r; });
  const first = store.transaction(async () => { await held; });
  const second = store.transaction(async () => on());
  release();
  seen.inSecond = await second;
  await first;
  seen.afterBoth = await on();
  await store.batch(async () => { seen.inBatch = await on(); });
  seen.afterBatch = await on();
  await withEvents(store).transaction(async () => { seen.inPut = await on(); }, scimPut);
  seen.afterPut = await on();
  await store.transaction(async () => { throw new Error("refused"); }).catch(() => undefined);
  seen.afterFailure = await on();
  await store.close();
  process.stdout.write(JSON.stringify(seen));
})();
`;

describe("promise hooks of the SQLite store's transaction scopes", () => {
  const dir = mkdtempSync(join(tmpdir(), "orgscim-hooks-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("are off while transactions run, a SCIM PUT's too, on while a batch runs, and off once none does", () => {
    const seen = JSON.parse(execFileSync(process.execPath, ["-e", CHILD, DIST, join(dir, "s.db")], { encoding: "utf8" })) as Record<string, boolean>;
    expect(seen).toEqual({
      before: false,
      inTransaction: false, afterTransaction: false,
      inSecond: false, afterBoth: false,
      inBatch: true, afterBatch: false,
      inPut: false, afterPut: false,
      afterFailure: false,
    });
  });
});
