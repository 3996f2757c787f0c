/**
 * The aggregation-expression form of filter comparisons, for the one case a query document cannot
 * express: ordering (gt/ge/lt/le) of case-insensitive strings that have no lower-cased shadow
 * field. Used at the top level as `$expr` over the attribute's values, and for a whole value filter
 * (`emails[type gt "h"]`) when such an ordering appears inside it, since `$expr` cannot refer to
 * the element inside `$elemMatch`.
 *
 * Every comparison is guarded by the value's BSON type, so it keeps the type bracketing of query
 * operators (a string never compares with a number). Note: MongoDB's `$toLower` folds ASCII only;
 * mingo folds all of Unicode. Case-insensitive ordering of non-ASCII letters may therefore differ
 * between the two; userName, emails.value and Group displayName use shadow fields and do not.
 */
import { Errors } from "../../domain/errors";
import type { AttrRef, CompareOp, Filter, FilterValue } from "../../domain/filter";
import { emptyValues, isOrdering, MONGO_OP, pattern, plan } from "./filter-values";

export type Expr = unknown;

const typeIs = (x: Expr, types: string[]): Expr => ({ $in: [{ $type: x }, { $literal: types }] });
const NUMBER_TYPES = ["int", "long", "double", "decimal"];

/** The types a stored value must have to be compared with a filter value. */
function guardFor(value: Exclude<FilterValue, null>, x: Expr): Expr {
  if (typeof value === "string") return typeIs(x, ["string"]);
  if (typeof value === "number") return typeIs(x, NUMBER_TYPES);
  return typeIs(x, ["bool"]);
}

export const presentExpr = (x: Expr): Expr => ({ $not: [{ $in: [{ $ifNull: [x, null] }, { $literal: emptyValues() }] }] });

/** One comparison of the value expression `x` (a variable or field path) with a filter value. */
export function leafExpr(x: Expr, ref: AttrRef, op: CompareOp, raw: FilterValue): Expr {
  if (op === "ne") return { $not: [leafExpr(x, ref, "eq", raw)] };
  if (raw === null) return op === "eq" ? { $not: [presentExpr(x)] } : false;
  const p = plan(ref, op, raw);
  const guard = guardFor(p.value, x);
  if (op === "co" || op === "sw" || op === "ew") {
    return { $cond: [guard, { $regexMatch: { input: x, regex: pattern(op, p.value as string), options: p.ci ? "i" : "" } }, false] };
  }
  const subject = p.ci ? { $toLower: x } : x;
  const operand = p.ci ? (p.value as string).toLowerCase() : p.value;
  const cmp = isOrdering(op) ? MONGO_OP[op] : "$eq";
  return { $cond: [guard, { [cmp]: [subject, { $literal: operand }] }, false] };
}

/**
 * A value filter's condition on one element, bound to `$$e`; `sub` answers the (checked) field name
 * of a sub-attribute inside the element.
 */
export function elementExpr(f: Filter, sub: (ref: AttrRef) => string): Expr {
  const rec = (g: Filter) => elementExpr(g, sub);
  switch (f.kind) {
    case "and": return { $and: f.items.map(rec) };
    case "or": return { $or: f.items.map(rec) };
    case "not": return { $not: [rec(f.item)] };
    case "pr": return presentExpr(`$$e.${sub(f.attr)}`);
    case "cmp": return leafExpr(`$$e.${sub(f.attr)}`, f.attr, f.op, f.value);
    case "has": throw Errors.invalidFilter("a value filter cannot contain another value filter");
  }
}

/** True when any value at `path` (a scalar, or each element of an array) satisfies `expr($$v)`. */
export const anyValue = (path: string, expr: Expr): Expr => ({
  $anyElementTrue: [{ $map: { input: { $cond: [{ $isArray: `$${path}` }, `$${path}`, [`$${path}`]] }, as: "v", in: expr }}],
});

/** True when any element of the array at `path` satisfies `expr` (bound to `$$e`). */
export const anyElement = (path: string, expr: Expr): Expr => ({
  $anyElementTrue: [{ $map: { input: { $cond: [{ $isArray: `$${path}` }, `$${path}`, []] }, as: "e", in: expr }}],
});
