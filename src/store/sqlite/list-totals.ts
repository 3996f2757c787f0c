/**
 * A list's count(*) (its totalResults when the page does not show it, ../../domain/ports/page-total.ts)
 * kept with the database state it was counted in, so that the next pages of the same list (a client
 * walking a filtered list by cursor or startIndex asks the same count on every page: RFC 9865 says a
 * service provider SHOULD return an accurate totalResults on each) take it while that state holds
 * instead of counting every match again. The state is page-anchors' (the connection's data_version,
 * which changes when any other connection or process commits, and its own total_changes(), which
 * counts its writes, rolled back or not): the same state, the same rows, the same count. A count is
 * kept only when the state did not change while it ran, and never used or kept inside a transaction
 * (its writes may still roll back). A list is its FROM, WHERE and parameters (the organization is one
 * of them). Bounded: LISTS_KEPT lists a database, the least recently used dropped first.
 */
import type Database from "better-sqlite3";
import { stateOf } from "./page-anchors";

const LISTS_KEPT = 64;

const kept = new WeakMap<Database.Database, Map<string, { state: string; total: number }>>();

/** The total of the list `key`: kept from an earlier count in the database's current state, else `count()`. */
export function listTotal(db: Database.Database, key: string, count: () => number): number {
  if (db.inTransaction) return count();
  let lists = kept.get(db);
  if (!lists) kept.set(db, (lists = new Map()));
  const state = stateOf(db);
  const known = lists.get(key);
  lists.delete(key);
  if (known?.state === state) {
    lists.set(key, known);
    return known.total;
  }
  const total = count();
  if (stateOf(db) !== state) return total;
  if (lists.size >= LISTS_KEPT) lists.delete(lists.keys().next().value as string);
  lists.set(key, { state, total });
  return total;
}
