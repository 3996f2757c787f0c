/**
 * Versioned schema migrations for the SQLite store. Each entry runs once, in order, inside a
 * transaction, and is recorded in schema_migrations. Never edit a migration that has shipped:
 * add a new one.
 */
import type Database from "better-sqlite3";
import { foldCase } from "./fold";
import type { Migration } from "./migration";
import { auditTimeMs } from "./misc";
import { SCHEMA_STEPS } from "./schema-steps";
import { SCHEMA_STEPS_22 } from "./schema-steps-22";
import { SCHEMA_STEPS_28 } from "./schema-steps-28";
import { SCHEMA_V1 } from "./schema-v1";

export type { Migration } from "./migration";

/**
 * Every migration, in version order. Versions follow one another with no gap but these, which no
 * release ever used (a store never holds them; they are never reused).
 */
export const MIGRATIONS: readonly Migration[] = [SCHEMA_V1, ...SCHEMA_STEPS, ...SCHEMA_STEPS_22, ...SCHEMA_STEPS_28].sort((a, b) => a.version - b.version);
export const HISTORIC_GAPS: readonly number[] = [4];



/** Thrown when a migration's precheck refuses the data: start-up stops with its message. */
export class MigrationRefused extends Error {
  constructor(readonly version: number, reason: string) {
    super(`SQLite migration ${version} cannot run: ${reason}`);
    this.name = "MigrationRefused";
  }
}

/** The latest schema version this orgscim writes. */
export function latestSchemaVersion(): number {
  return Math.max(...MIGRATIONS.map((m) => m.version));
}

/**
 * The store holds migrations this orgscim does not know: a newer orgscim wrote it. Opening it
 * would let old code write rows without what the newer schema keeps (triggers, folded columns), so
 * the store is refused, unchanged.
 */
export class NewerSchemaError extends Error {
  constructor(readonly storeVersion: number, readonly knownVersion: number, readonly unknown: number[]) {
    super(
      `This SQLite store was written by a newer orgscim: it has schema migration(s) ${unknown.join(", ")}, and this ` +
      `orgscim knows migrations up to ${knownVersion}. Downgrading is not supported. Run the newer orgscim again, or ` +
      "restore a backup taken before the upgrade (README: Upgrades). The store was not changed.",
    );
    this.name = "NewerSchemaError";
  }
}

/** Applies the migrations the database has not seen yet, in version order; answers the versions applied. */
export function migrate(db: Database.Database): number[] {
  // For backfills only: never used in an index or a trigger, so other tools can write the file.
  db.function("scim_fold", { deterministic: true }, (s: unknown) => (typeof s === "string" ? foldCase(s) : s));
  db.function("scim_audit_time_ms", { deterministic: true }, auditTimeMs);
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  const done = new Set(
    (db.prepare("SELECT version FROM schema_migrations").all() as { version: number }[]).map((r) => r.version),
  );
  const known = MIGRATIONS;
  const newer = [...done].filter((v) => !known.some((m) => m.version === v)).sort((a, b) => a - b);
  if (newer.length > 0) throw new NewerSchemaError(Math.max(...done), known[known.length - 1]!.version, newer);
  const applied: number[] = [];
  for (const m of known) {
    if (done.has(m.version)) continue;
    const ran = db.transaction(() => {
      // Read again under the write lock: another process opening the same file may have applied it meanwhile.
      if (db.prepare("SELECT 1 FROM schema_migrations WHERE version = ?").get(m.version) !== undefined) return false;
      const refused = m.precheck?.(db) ?? null;
      if (refused !== null) throw new MigrationRefused(m.version, refused);
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        m.version, m.name, new Date().toISOString(),
      );
      return true;
    }).immediate();
    if (ran) applied.push(m.version);
  }
  return applied;
}
