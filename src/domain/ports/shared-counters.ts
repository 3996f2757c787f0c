/**
 * Counters shared by every instance on one store, for request budgets (src/http/rate-limit.ts).
 * Optional: a store without them (SQLite, one process) leaves the counting in memory.
 */
export interface SharedCounters {
  /**
   * Adds `add[k]` to each counter `k` of `window` (a name the caller gives a time window) and
   * answers those counters' totals after the addition, all instances together, in one round trip.
   * The window is forgotten some time after `expiresAt`.
   */
  add(window: string, add: Readonly<Record<string, number>>, expiresAt: Date): Promise<Record<string, number>>;
}
