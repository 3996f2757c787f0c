/**
 * One paged list query for any resource table: filter and sort compiled by ./filter-sql, pages by
 * OFFSET (startIndex; a deep page in seq order from the nearest page before it: ./page-anchors.ts)
 * or by keyset on seq (cursor, RFC 9865), the total from the page when it ends
 * the results, else by count(*) (kept for the list's next pages while the rows stay the same:
 * ./list-totals.ts; without a filter, the table's own counter when it keeps one).
 */
import type Database from "better-sqlite3";
import { Errors } from "../../domain/errors";
import { totalShownByPage } from "../../domain/ports/page-total";
import type { ListQuery, ListResult } from "../../domain/ports/store";
import { decodeCursor, encodeCursor } from "../cursors";
import { compileFilter, compileSort, type SqlResourceMap } from "./filter-sql";
import { listTotal } from "./list-totals";
import { ANCHORED_FROM, anchorBefore, keepAnchor, stateOf } from "./page-anchors";

/** Prepared statements by SQL text, per database; bounded, since filter shapes come from requests. */
const STATEMENTS_KEPT = 256;
const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

export function prepared(db: Database.Database, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let st = cache.get(sql);
  if (st) {
    // Most recently used last, so the first entry is the one to drop.
    cache.delete(sql);
  } else {
    st = db.prepare(sql);
    if (cache.size >= STATEMENTS_KEPT) cache.delete(cache.keys().next().value as string);
  }
  cache.set(sql, st);
  return st;
}

/**
 * A page size written into the SQL as a literal: with a bound `LIMIT ?` SQLite (built with STAT4)
 * plans the statement again at every execution, so the prepared statement (one per page size,
 * kept by `prepared`) is reused as it was planned. Only a whole number reaches the SQL text.
 */
function pageSize(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`page size must be a whole number, got ${String(n)}`);
  return n;
}

export function listPage<T>(
  db: Database.Database,
  map: SqlResourceMap,
  from: string,
  scope: string,
  columns: string,
  orgId: string,
  q: ListQuery,
  toRecord: (row: unknown) => T,
  /** The number of rows `scope` admits in the organization, from a counter: used when there is no filter. */
  countAll?: (orgId: string) => number,
  /**
   * Rows as arrays of the columns in `columns`' order (better-sqlite3's raw mode: no object with
   * named keys made per row), `seq` first. Otherwise rows are objects with a `seq` key.
   */
  raw = false,
): ListResult<T> {
  const alias = from.split(" ")[1] ?? "t";
  let where = `${alias}.org_id = ? AND ${scope}`;
  const params: unknown[] = [orgId];
  if (q.filter) {
    const compiled = compileFilter(q.filter, map, { orgId });
    where += ` AND (${compiled.sql})`;
    params.push(...compiled.params);
  }
  // The page first: when it ends the results it gives the total, and no count runs (../../domain/ports/page-total.ts).
  // A filtered list's count is kept while the database holds the same rows (./list-totals.ts): its next pages need not count again.
  const listKey = (): string => `${from}\u0000${where}\u0000${JSON.stringify(params)}`;
  const count = (): number => prepared(db, `SELECT count(*) FROM ${from} WHERE ${where}`).pluck().get(...params) as number;
  const total = (): number => !q.filter && countAll ? countAll(orgId) : listTotal(db, listKey(), count);
  if (q.count <= 0) return { total: total(), items: [] };

  // One row more than the page: it says whether more follow (a cursor), and whether the page ends the results (the total).
  const limit = pageSize(q.count + 1);
  let rows: unknown[];
  let skipped: number | undefined;
  let nextCursor: string | undefined;
  if (q.cursor !== undefined) {
    if (q.sort) throw Errors.invalidParameter("cursor", "cursor paging follows the server's stable order; drop sortBy, or page with startIndex");
    const after = decodeCursor(q.cursor);
    rows = prepared(db, `SELECT ${columns} FROM ${from} WHERE ${where} AND ${alias}.seq > ? ORDER BY ${alias}.seq LIMIT ${limit}`).raw(raw).all(...params, after);
    skipped = q.cursor === "" ? 0 : undefined; // a later page does not know how many went before
    const last = rows[q.count - 1] as { seq: number } | number[] | undefined;
    if (rows.length > q.count && last) nextCursor = encodeCursor(Array.isArray(last) ? (last[0] as number) : last.seq);
  } else {
    const order = q.sort ? compileSort(q.sort, map) : `ORDER BY ${alias}.seq`;
    const offset = Math.max(0, q.startIndex - 1);
    skipped = offset;
    const page = (n: number) => prepared(db, `SELECT ${columns} FROM ${from} WHERE ${where} ${order} LIMIT ${limit} OFFSET ?`).raw(raw).all(...params, n);
    // A page beginning before ANCHORED_FROM neither uses nor keeps anchors, whatever its count: a
    // lookup (startIndex 1, count SCIM_MAX_RESULTS) reads its page alone, no state, no anchor kept.
    rows = q.sort || db.inTransaction || offset < ANCHORED_FROM ? page(offset) : anchoredPage(db, listKey(), offset, q.count, page,
      (anchor) => prepared(db, `SELECT ${columns} FROM ${from} WHERE ${where} AND ${alias}.seq >= ? ${order} LIMIT ${limit} OFFSET ?`).raw(raw).all(...params, anchor.seq, offset - anchor.offset));
  }
  const n = Math.min(rows.length, q.count);
  const items: T[] = [];
  for (let i = 0; i < n; i++) items.push(toRecord(rows[i]));
  const result: ListResult<T> = { total: (skipped !== undefined ? totalShownByPage(skipped, limit, rows.length) : undefined) ?? total(), items };
  if (nextCursor !== undefined) result.nextCursor = nextCursor;
  return result;
}

const seqOf = (row: unknown): number => (Array.isArray(row) ? (row[0] as number) : (row as { seq: number }).seq);

/**
 * A startIndex page in seq order, at least ANCHORED_FROM deep, from the nearest page anchor before
 * it (./page-anchors.ts), when one holds in the database's current state; else from the first
 * row. It keeps where it began, and (from its extra row) where the next page begins.
 */
function anchoredPage(
  db: Database.Database, key: string, skipped: number, count: number,
  page: (offset: number) => unknown[], from: (anchor: { offset: number; seq: number }) => unknown[],
): unknown[] {
  const state = stateOf(db);
  const anchor = anchorBefore(db, key, state, skipped);
  const rows = anchor ? from(anchor) : page(skipped);
  // Another connection committed while the page was read: the anchor may not hold, and none is kept.
  if (stateOf(db) !== state) return anchor ? page(skipped) : rows;
  if (rows.length > 0) keepAnchor(db, key, state, skipped, seqOf(rows[0]));
  if (rows.length > count) keepAnchor(db, key, state, skipped + count, seqOf(rows[count]));
  return rows;
}
