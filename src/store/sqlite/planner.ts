/**
 * Keeps SQLite's query planner informed. Without statistics (sqlite_stat1) the planner guesses,
 * and at 100,000 users it guessed wrong: `emails[type eq "work"].value eq` walked the
 * organization's users checking each against the email index instead of looking the email up and
 * fetching its user (figures: bench/README.md). `PRAGMA optimize` gathers statistics for the tables
 * that lack them or have grown a lot since, sampling at most `analysis_limit` rows per index so its
 * cost does not grow with the organization. SQLite's own advice for
 * long-lived connections: at open with 0x10002, then periodically.
 */
import type Database from "better-sqlite3";

/**
 * How often a long-lived connection asks SQLite whether its statistics are stale. A store opened
 * empty has none, and an organization's first sync (or an import) grows it fast: until statistics
 * exist some lookups walk the organization (test/store/sqlite-users-index-uses.test.ts pins the
 * point lookups to their index; lists still depend on statistics). When nothing changed much the
 * check costs next to nothing, so it runs every minute, not hourly.
 */
export const PLANNER_REFRESH_MS = 60_000;

/** Rows sampled per index by ANALYZE under PRAGMA optimize. */
const ANALYSIS_LIMIT = 400;

/** Gathers statistics for every table that needs them (all tables, not only those used so far). */
export function refreshPlannerStatistics(db: Database.Database): void {
  db.pragma(`analysis_limit = ${ANALYSIS_LIMIT}`);
  db.pragma("optimize = 0x10002");
}

/** Runs refreshPlannerStatistics every `everyMs` while the store is open; answers the stop function. */
export function keepPlannerStatisticsFresh(db: Database.Database, everyMs: number, onError: (e: unknown) => void): () => void {
  const timer = setInterval(() => {
    if (!db.open || db.inTransaction) return;
    try {
      refreshPlannerStatistics(db);
    } catch (e) {
      onError(e);
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
