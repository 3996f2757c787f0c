/**
 * Compiles a SortSpec to aggregation stages, with the order the SQLite store gives
 * (src/store/sqlite/filter-sql.ts `compileSort`, RFC 7644 §3.4.2.3):
 * - resources without a value come last when ascending and first when descending (`_sn`);
 * - caseExact=false strings sort lower-cased (MongoDB's `$toLower`, like SQLite's NOCASE, folds
 *   ASCII only);
 * - a multi-valued attribute sorts by its primary value, else its first non-null value;
 * - ties are broken by insertion order (`seq`).
 * Membership attributes (Group members, User groups) cannot be sorted on.
 */
import { Errors } from "../../domain/errors";
import type { AttrRef, SortSpec } from "../../domain/filter";
import type { Expr } from "./filter-expr";
import { isStringType } from "./filter-values";
import type { ResourceMap } from "./fields";

export type Doc = Record<string, unknown>;

const notNull = (x: Expr): Expr => ({ $ne: [{ $ifNull: [x, null] }, null] });

/** The primary-or-first non-null value of `sub` in the array at `path` (`sub` undefined: the element itself). */
function firstValue(path: string, sub: string | undefined): Expr {
  const item = sub === undefined ? "$$e" : `$$e.${sub}`;
  const vals = { $filter: { input: { $cond: [{ $isArray: `$${path}` }, `$${path}`, []] }, as: "e", cond: notNull(item) } };
  if (sub === undefined) return { $arrayElemAt: [vals, 0] };
  const primaries = { $filter: { input: "$$vals", as: "e", cond: { $eq: ["$$e.primary", true] } } };
  return {
    $let: {
      vars: { vals },
      in: { $let: { vars: { first: { $arrayElemAt: [{ $concatArrays: [primaries, "$$vals"] }, 0] } }, in: `$$first.${sub}` } },
    },
  };
}

function keyOf(ref: AttrRef, map: ResourceMap): Expr {
  const t = map.target(ref);
  switch (t.kind) {
    case "const": return { $literal: t.value };
    case "version": return { $concat: ['W/"', { $toString: "$version" }, '"'] };
    case "members": throw Errors.invalidParameter("sortBy", `'${ref.attr}' cannot be sorted on`);
    case "field": return t.array ? firstValue(t.array.path, t.array.sub) : `$${t.path}`;
  }
}

/** `$addFields` computing the sort key and the null flag, then `$sort`. */
export function sortStages(sort: SortSpec, map: ResourceMap): Doc[] {
  let key = keyOf(sort.attr, map);
  if (isStringType(sort.attr) && !sort.attr.caseExact) {
    key = { $let: { vars: { k: key }, in: { $cond: [{ $eq: [{ $type: "$$k" }, "string"] }, { $toLower: "$$k" }, "$$k"] } } };
  }
  const dir = sort.descending ? -1 : 1;
  return [
    { $addFields: { _sk: key } },
    { $addFields: { _sn: { $cond: [notNull("$_sk"), 0, 1] } } },
    { $sort: { _sn: dir, _sk: dir, seq: 1 } },
  ];
}
