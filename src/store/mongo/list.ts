/**
 * One paged list for users and groups: scope (orgId, visibility) AND the compiled filter; the
 * total by countDocuments; a page by skip/limit in insertion order (`seq`) or in a sort's order
 * (./sort-mongo.ts), or by cursor (keyset on `seq`, ./cursor.ts). As in the SQLite store, a
 * cursor follows the stable order only: a cursor with sortBy is refused.
 * Membership lookups of the filter (./filter-mongo.ts) run first, on group_members.
 */
import { Errors } from "../../domain/errors";
import type { Filter } from "../../domain/filter";
import type { ListQuery, ListResult } from "../../domain/ports/store";
import type { MongoCtx } from "./ctx";
import { decodeCursor, encodeCursor } from "./cursor";
import type { Doc } from "./docs";
import { compileFilter, lookupPipeline, membershipLookups } from "./filter-mongo";
import type { ResourceMap } from "./fields";
import { sortStages } from "./sort-mongo";

/** The query of a list: its scope and, when there is one, the compiled filter. */
export async function whereOf(c: MongoCtx, map: ResourceMap, orgId: string, scope: Doc, filter?: Filter): Promise<Doc> {
  if (!filter) return scope;
  const resolved = new Map<string, string[]>();
  for (const l of membershipLookups(filter, map)) {
    const rows = await c.run("read", (o) => c.coll("group_members").aggregate(lookupPipeline(l, orgId), o).toArray());
    resolved.set(l.key, rows.map((r) => String(r._id)));
  }
  return { $and: [scope, compileFilter(filter, map, resolved)] };
}

/** The aggregation for a page by index: the query, the order, the page. */
export function pagePipeline(where: Doc, q: ListQuery, map: ResourceMap): Doc[] {
  const order = q.sort ? sortStages(q.sort, map) : [{ $sort: { seq: 1 } }];
  return [{ $match: where }, ...order, { $skip: Math.max(0, q.startIndex - 1) }, { $limit: q.count }];
}

/** The query for the page after `afterSeq` by cursor. */
export const cursorQuery = (where: Doc, afterSeq: number): Doc => ({ $and: [where, { seq: { $gt: afterSeq } }] });

export async function listPage<T>(
  c: MongoCtx, collection: "users" | "groups", map: ResourceMap, orgId: string, scope: Doc, q: ListQuery,
  toRecord: (d: Doc) => T,
): Promise<ListResult<T>> {
  const where = await whereOf(c, map, orgId, scope, q.filter);
  const coll = c.coll(collection);
  const total = await c.run("read", (o) => coll.countDocuments(where, o));
  if (q.count <= 0) return { total, items: [] };

  if (q.cursor !== undefined) {
    if (q.sort) throw Errors.invalidParameter("cursor", "cursor paging follows the server's stable order; drop sortBy, or page with startIndex");
    const after = decodeCursor(q.cursor);
    const docs = await c.run("read", (o) => coll.find(cursorQuery(where, after), o).sort({ seq: 1 }).limit(q.count + 1).toArray());
    const page = docs.slice(0, q.count);
    const result: ListResult<T> = { total, items: page.map(toRecord) };
    const last = page[page.length - 1];
    if (docs.length > q.count && last) result.nextCursor = encodeCursor(last.seq as number);
    return result;
  }

  const docs = await c.run("read", (o) => coll.aggregate(pagePipeline(where, q, map), { ...o, allowDiskUse: true }).toArray());
  return { total, items: docs.map(toRecord) };
}
