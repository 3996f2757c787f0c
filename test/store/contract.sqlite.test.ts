/** The store contract on the embedded SQLite store, in a temporary file (WAL needs a real file). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { runStoreContract } from "./contract";

const dir = mkdtempSync(join(tmpdir(), "orgscim-contract-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runStoreContract("sqlite", async () => openSqliteStore({ path: join(dir, "contract.db") }), (s) => s.close());
