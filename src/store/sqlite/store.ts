/**
 * The embedded store: one SQLite file (WAL, synchronous=NORMAL, foreign keys on), migrated at
 * open. Transactions are serialized by a FIFO mutex and run as BEGIN IMMEDIATE, so a
 * transaction's reads and writes are never interleaved with another's.
 * Rule for callers: a transaction body does store work only; it never awaits network I/O.
 */
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Repos, Store } from "../../domain/ports/store";
import { StoreUnavailable } from "../../domain/ports/store";
import { sqliteAccounts } from "./accounts";
import { guard, translate } from "./errors";
import { sqliteGroups } from "./groups";
import { migrate } from "./migrations";
import { sqliteAudit, sqliteDomains, sqliteInvitations } from "./misc";
import { Mutex } from "./mutex";
import { keepPlannerStatisticsFresh, refreshPlannerStatistics } from "./planner";
import { sqliteOutbox } from "./outbox";
import { sqliteOrgs, sqliteTokens } from "./orgs";
import { sqliteUsers } from "./users";

export interface SqliteOptions {
  /** A file path, or ":memory:". */
  path: string;
}

export function openSqliteStore(options: SqliteOptions): Store {
  if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
  const db = guard(() => new Database(options.path));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  // Overwrite deleted content (purged mail bodies with invitation tokens, deleted users) on disk.
  db.pragma("secure_delete = ON");
  migrate(db);
  refreshPlannerStatistics(db);
  // Hourly; a failed refresh only leaves the previous statistics in place, and the next one retries.
  const stopRefreshing = keepPlannerStatisticsFresh(db, 3_600_000, () => undefined);

  const repos: Repos = {
    orgs: sqliteOrgs(db),
    tokens: sqliteTokens(db),
    users: sqliteUsers(db),
    groups: sqliteGroups(db),
    accounts: sqliteAccounts(db),
    domains: sqliteDomains(db),
    invitations: sqliteInvitations(db),
    outbox: sqliteOutbox(db),
    audit: sqliteAudit(db),
  };
  const mutex = new Mutex();
  const ping = db.prepare("SELECT 1").pluck();

  return {
    kind: "sqlite",
    ...repos,
    transaction: (fn) =>
      mutex.run(async () => {
        guard(() => db.exec("BEGIN IMMEDIATE"));
        try {
          const result = await fn(repos);
          guard(() => db.exec("COMMIT"));
          return result;
        } catch (e) {
          if (db.inTransaction) {
            try { db.exec("ROLLBACK"); } catch { /* the transaction is already gone */ }
          }
          throw translate(e);
        }
      }),
    ping: async () => {
      if (!db.open) throw new StoreUnavailable();
      guard(() => ping.get());
    },
    close: async () => {
      stopRefreshing();
      if (db.open) {
        try { refreshPlannerStatistics(db); } catch { /* statistics are an optimisation; closing matters more */ }
        db.close();
      }
    },
  };
}
