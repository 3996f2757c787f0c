/** What one SQLite schema migration is (./schema-v1.ts, ./schema-steps.ts; run by ./migrations.ts). */
import type Database from "better-sqlite3";

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * Runs before `sql`, in its transaction: answers why the data cannot take the migration (for
   * example rows a new unique index would refuse), in words an operator can act on, or null.
   */
  precheck?: (db: Database.Database) => string | null;
}
