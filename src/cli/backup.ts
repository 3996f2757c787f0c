/**
 * `orgscim backup --out FILE`: a consistent copy of the embedded SQLite store, safe while the
 * server runs. It uses SQLite's online backup API on a connection of its own and copies every page
 * in one step, inside one read transaction: in WAL mode readers never block the server's writers,
 * so the server keeps serving, and the copy is the store as of the moment the step began (every
 * write acknowledged before it is in the copy). The copy is written next to FILE, made a
 * self-contained file (rollback journal, no -wal), checked (PRAGMA quick_check), and only then
 * renamed to FILE. It never migrates the store it reads.
 *
 * Restoring is copying the file back while the server is stopped (README: Backups).
 */
import Database from "better-sqlite3";
import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { sqlitePathOf } from "../store/open";

export class BackupError extends Error {}

export interface BackupResult {
  source: string;
  out: string;
  schemaVersion: number | null;
  users: number;
  groups: number;
  bytes: number;
  ms: number;
}

export async function backupSqlite(databaseUrl: string, out: string, options: { force?: boolean } = {}): Promise<BackupResult> {
  const source = sqlitePathOf(databaseUrl);
  if (source === null) {
    throw new BackupError("orgscim backup copies the embedded SQLite store; DATABASE_URL names MongoDB: use mongodump and mongorestore (README: Backups).");
  }
  if (!existsSync(source)) throw new BackupError(`There is no store at ${source} (DATABASE_URL): nothing to back up.`);
  const target = resolve(out);
  if (resolve(source) === target) throw new BackupError("--out names the store itself; choose another file.");
  if (existsSync(target) && !options.force) throw new BackupError(`${out} exists; choose another file, or pass --force to replace it.`);
  if (!existsSync(dirname(target))) throw new BackupError(`The folder of ${out} does not exist.`);
  const partial = `${target}.partial-${process.pid}`;
  const started = Date.now();
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    // Everything in one step: a step is one read transaction, so the copy is one moment of the store.
    await db.backup(partial, { progress: () => 0x7fffffff });
  } catch (e) {
    rmSync(partial, { force: true });
    throw new BackupError(`The backup of ${source} failed: ${(e as Error).message}`);
  } finally {
    db.close();
  }
  const copy = new Database(partial);
  let result: Omit<BackupResult, "bytes" | "ms">;
  try {
    copy.pragma("journal_mode = DELETE");
    const check = copy.pragma("quick_check", { simple: true });
    if (check !== "ok") throw new BackupError(`The copy failed its integrity check (${String(check)}); the store itself may be damaged: run PRAGMA integrity_check on it.`);
    const count = (table: string) => {
      const exists = copy.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
      return exists ? (copy.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n : 0;
    };
    const version = count("schema_migrations") > 0 ? (copy.prepare("SELECT max(version) AS v FROM schema_migrations").get() as { v: number }).v : null;
    result = { source, out: target, schemaVersion: version, users: count("users"), groups: count("groups") };
  } catch (e) {
    copy.close();
    rmSync(partial, { force: true });
    throw e;
  }
  copy.close();
  renameSync(partial, target);
  return { ...result, bytes: statSync(target).size, ms: Date.now() - started };
}
