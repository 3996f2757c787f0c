/**
 * One paged list for users and groups: scope (orgId, visibility) AND the compiled filter
 * (./filter-mongo.ts); a page by skip/limit in insertion order (`seq`) or in a sort's
 * order, or by cursor (keyset on `seq`, ./cursor.ts). As in the SQLite store, a cursor follows the
 * stable order only: a cursor with sortBy is refused. The total is counted only when the page does
 * not end the results (one document more than the page is read to know).
 *
 * A filter on membership adds joins to group_members (`lookups`): the query then runs as an
 * aggregation whose first `$match` holds the scope and every part of the filter that does not read
 * a membership, then the joins, then the rest. In insertion order the pipeline streams: documents
 * come from the {orgId, seq} index in order, each joined as it passes, until the page is full.
 */
import { Errors } from "../../domain/errors";
import { totalShownByPage } from "../../domain/ports/page-total";
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

/** The aggregation for a page by index: the query, the order, the page (of `limit` documents: the list reads one more than `count`). */
export function pagePipeline(plan: ListPlan, q: ListQuery, map: ResourceMap, limit = q.count): Doc[] {
  const skipLimit = [{ $skip: Math.max(0, q.startIndex - 1) }, { $limit: limit }];
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
  // The page first, one document more than asked for: when the page ends the results it gives the total (../../domain/ports/page-total.ts).
  const total = async (): Promise<number> => plan.joins.length === 0
    ? await c.run("read", (o) => coll.countDocuments(plan.first, o))
    : countOf(collection, (await c.run("read", (o) => coll.aggregate([{ $match: plan.first }, ...plan.joins, { $count: "n" }], { ...o, allowDiskUse: true }).toArray()))[0]);
  if (q.count <= 0) return { total: await total(), items: [] };

  const limit = q.count + 1;
  let docs: Doc[];
  let skipped: number | undefined;
  if (q.cursor !== undefined) {
    if (q.sort) throw Errors.invalidParameter("cursor", "cursor paging follows the server's stable order; drop sortBy, or page with startIndex");
    const after = decodeCursor(q.cursor);
    docs = await c.run("read", (o) => coll.aggregate(cursorPipeline(plan, after, q.count), o).toArray());
    skipped = q.cursor === "" ? 0 : undefined; // a later page does not know how many went before
  } else {
    docs = await c.run("read", (o) => coll.aggregate(pagePipeline(plan, q, map, limit), { ...o, allowDiskUse: true }).toArray());
    skipped = Math.max(0, q.startIndex - 1);
  }
  const page = docs.length > q.count ? docs.slice(0, q.count) : docs;
  const result: ListResult<T> = { total: (skipped !== undefined ? totalShownByPage(skipped, limit, docs.length) : undefined) ?? await total(), items: page.map(toRecord) };
  const last = page[page.length - 1];
  if (q.cursor !== undefined && docs.length > q.count && last) result.nextCursor = encodeCursor(seqOf(collection, last));
  return result;
}

