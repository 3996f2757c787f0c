/**
 * Where deep startIndex pages of a list in seq order began, so that the next deep page starts from
 * the nearest one instead of counting the organization's rows from the first. SQLite finds an
 * OFFSET by stepping over every row before it (~30 ns a row in a covering index: ~3 ms at 100,000
 * users); an IdP that pages by startIndex (Okta) asks startIndex 1, 101, 201, ... and each page's
 * extra row (listPage reads count + 1) is where the next one begins.
 *
 * An anchor says "the row at position `offset` of this query (its WHERE and parameters) has seq
 * `seq`", which holds while the database holds the same rows: each anchor is kept with the state it
 * was read in (the connection's data_version, which changes when any other connection commits, and
 * its own total_changes()), and is used only in that same state, checked again after the page is
 * read (another process may commit between). Never inside a transaction, whose writes may still
 * roll back. Bounded: ANCHORED_LISTS lists, ANCHORS_KEPT anchors each.
 */
import type Database from "better-sqlite3";

/** Pages that skip fewer rows than this neither use nor keep anchors (a lookup's first page pays nothing). */
export const ANCHORED_FROM = 1000;
const ANCHORED_LISTS = 64;
const ANCHORS_KEPT = 2048;

interface Anchored {
  state: string;
  /** Offsets ascending, and the seq at each. */
  offsets: number[];
  seqs: number[];
}

interface PerDb {
  version: Database.Statement;
  changes: Database.Statement;
  lists: Map<string, Anchored>;
}

const kept = new WeakMap<Database.Database, PerDb>();

function perDb(db: Database.Database): PerDb {
  let p = kept.get(db);
  if (!p) {
    p = { version: db.prepare("PRAGMA data_version").pluck(), changes: db.prepare("SELECT total_changes()").pluck(), lists: new Map() };
    kept.set(db, p);
  }
  return p;
}

/** The database's state as this connection sees it: equal strings, the same rows. */
export function stateOf(db: Database.Database): string {
  const p = perDb(db);
  return `${String(p.version.get())} ${String(p.changes.get())}`;
}

/** The nearest anchor at or before `offset` of the list `key` in `state`, if any. */
export function anchorBefore(db: Database.Database, key: string, state: string, offset: number): { offset: number; seq: number } | undefined {
  const list = perDb(db).lists.get(key);
  if (!list || list.state !== state) return undefined;
  const { offsets } = list;
  // The last offset <= `offset` (binary search).
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((offsets[mid] as number) <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : { offset: offsets[lo - 1] as number, seq: list.seqs[lo - 1] as number };
}

/** Keeps `offset` → `seq` for the list `key`, read in `state` (anchors of another state are dropped). */
export function keepAnchor(db: Database.Database, key: string, state: string, offset: number, seq: number): void {
  const { lists } = perDb(db);
  let list = lists.get(key);
  if (list && list.state !== state) list = undefined;
  if (!list) {
    lists.delete(key);
    if (lists.size >= ANCHORED_LISTS) lists.delete(lists.keys().next().value as string);
    list = { state, offsets: [], seqs: [] };
    lists.set(key, list);
  }
  const { offsets, seqs } = list;
  let at = offsets.length;
  while (at > 0 && (offsets[at - 1] as number) > offset) at--;
  if (at > 0 && offsets[at - 1] === offset) return;
  if (offsets.length >= ANCHORS_KEPT) {
    // Full: start again from this one (a walk keeps its next page's anchor either way).
    offsets.length = 0;
    seqs.length = 0;
    at = 0;
  }
  offsets.splice(at, 0, offset);
  seqs.splice(at, 0, seq);
}
