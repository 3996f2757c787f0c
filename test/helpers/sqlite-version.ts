/** A SQLite store as an older orgscim left it: the migrations before `version` applied as migrate() applies them, recorded. */
import type Database from "better-sqlite3";
import { foldCase } from "../../src/store/sqlite/fold";
import { MIGRATIONS } from "../../src/store/sqlite/migrations";
import { auditTimeMs } from "../../src/store/sqlite/misc";

export function migrateBelow(raw: Database.Database, version: number): void {
  raw.function("scim_fold", { deterministic: true }, (s: unknown) => (typeof s === "string" ? foldCase(s) : s)); // as migrate() does
  raw.function("scim_audit_time_ms", { deterministic: true }, auditTimeMs); // as migrate() does (migration 28)
  raw.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  for (const m of MIGRATIONS.filter((x) => x.version < version)) {
    raw.transaction(() => {
      raw.exec(m.sql);
      raw.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 't')").run(m.version, m.name);
    })();
  }
}
