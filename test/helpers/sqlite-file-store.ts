/**
 * A SQLite store on a file of its own for one test file: opened before its tests, closed and its
 * folder removed after them; and a second connection's view of that file (committed rows only).
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Store } from "../../src/domain/ports/store";
import { openSqliteStore } from "../../src/store/sqlite/store";

export interface SqliteFileStore {
  /** The store (set once the test file's beforeAll ran). */
  readonly store: Store;
  /** The store's file (set once the test file's beforeAll ran). */
  readonly file: string;
  /** Whether another connection sees the user: committed rows only. */
  committed(userId: string): boolean;
}

export function sqliteFileStore(prefix: string): SqliteFileStore {
  let dir = "";
  let file = "";
  let store: Store | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    file = join(dir, "tx.db");
    store = openSqliteStore({ path: file });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get store(): Store {
      if (!store) throw new Error("the store is opened in beforeAll: use it inside a test or a hook");
      return store;
    },
    get file(): string {
      return file;
    },
    committed(userId: string): boolean {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare("SELECT count(*) FROM users WHERE id = ?").pluck().get(userId) === 1;
      } finally {
        db.close();
      }
    },
  };
}
