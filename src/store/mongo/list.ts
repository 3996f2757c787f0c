/**
 * One paged list for users and groups: scope (orgId, visibility) AND the compiled filter
 * (./filter-mongo.ts); the total; a page by skip/limit in insertion order (`seq`) or in a sort's
 * order, or by cursor (keyset on `seq`, ./cursor.ts). As in the SQLite store, a cursor follows the
 * stable order only: a cursor with sortBy is refused.
 *
 * A filter on membership adds joins to group_members (`lookups`): the query then runs as an
 * aggregation whose first `$match` holds the scope and every part of the filter that does not read
 * a membership, then the joins, then the rest. In insertion order the pipeline streams: documents
 * come from the {orgId, seq} index in order, each joined as it passes, until the page is full.
 */
import { Errors } from "../../domain/errors";
import type { ListQuery, ListResult } from "../../domain/ports/store";
import type { MongoCtx } from "./ctx";
import { decodeCursor, encodeCursor } from "../cursors";
import { countOf, seqOf, type Doc } from "./decode";
import { compileFilter, compileSort, splitMatch, type CompiledFilter, type ResourceMap } from "./filter-mongo";

const and = (a: Doc, b: Doc): Doc => (Object.keys(b).length === 0 ? a : Object.keys(a).length === 0 ? b : { $and: [a, b] });

/** The stages of a list query: the first match, the joins, the last match (when there are joins). */
export interface ListPlan {
  first: Doc;
  joins: Doc[];
}

export function listPlan(scope: Doc, compiled: CompiledFilter | null): ListPlan {
  if (!compiled) return { first: scope, joins: [] };
  const { before, after } = splitMatch(compiled);
  const joins = compiled.lookups.length === 0 ? [] : [...compiled.lookups, { $match: after }, { $project: Object.fromEntries(compiled.lookups.map((_l, i) => [`_m${i}`, 0])) }];
  return { first: and(scope, before), joins };
}

/** The aggregation for a page by index: the query, the order, the page. */
export function pagePipeline(plan: ListPlan, q: ListQuery, map: ResourceMap): Doc[] {
  const skipLimit = [{ $skip: Math.max(0, q.startIndex - 1) }, { $limit: q.count }];
  if (q.sort) return [{ $match: plan.first }, ...plan.joins, ...compileSort(q.sort, map), ...skipLimit];
  return [{ $match: plan.first }, { $sort: { seq: 1 } }, ...plan.joins, ...skipLimit];
}

/** The aggregation for the page after `afterSeq` by cursor, one more than `count` to see whether more follow. */
export const cursorPipeline = (plan: ListPlan, afterSeq: number, count: number): Doc[] =>
  [{ $match: and(plan.first, { seq: { $gt: afterSeq } }) }, { $sort: { seq: 1 } }, ...plan.joins, { $limit: count + 1 }];

export async function listPage<T>(
  c: MongoCtx, collection: "users" | "groups", map: ResourceMap, orgId: string, scope: Doc, q: ListQuery,
  toRecord: (d: Doc) => T,
): Promise<ListResult<T>> {
  const plan = listPlan(scope, q.filter ? compileFilter(q.filter, map, orgId) : null);
  const coll = c.coll(collection);
  const total = plan.joins.length === 0
    ? await c.run("read", (o) => coll.countDocuments(plan.first, o))
    : countOf(collection, (await c.run("read", (o) => coll.aggregate([{ $match: plan.first }, ...plan.joins, { $count: "n" }], { ...o, allowDiskUse: true }).toArray()))[0]);
  if (q.count <= 0) return { total, items: [] };

  if (q.cursor !== undefined) {
    if (q.sort) throw Errors.invalidParameter("cursor", "cursor paging follows the server's stable order; drop sortBy, or page with startIndex");
    const after = decodeCursor(q.cursor);
    const docs = await c.run("read", (o) => coll.aggregate(cursorPipeline(plan, after, q.count), o).toArray());
    const page = docs.slice(0, q.count);
    const result: ListResult<T> = { total, items: page.map(toRecord) };
    const last = page[page.length - 1];
    if (docs.length > q.count && last) result.nextCursor = encodeCursor(seqOf(collection, last));
    return result;
  }

  const docs = await c.run("read", (o) => coll.aggregate(pagePipeline(plan, q, map), { ...o, allowDiskUse: true }).toArray());
  return { total, items: docs.map(toRecord) };
}

