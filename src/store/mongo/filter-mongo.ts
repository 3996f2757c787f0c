/**
 * Compiles a Filter and a SortSpec (src/domain/filter.ts) for the MongoDB store, shaped as
 * src/store/sqlite/filter-sql.ts is for SQLite: this module defines what a resource map answers and
 * compiles filters and sorts; the maps (data) are ./resource-maps.ts, which imports this module and
 * never the other way; the comparison values and patterns are the leaf ./filter-values.ts (as
 * ./fold.ts is SQLite's). Its answers equal `matches()` in src/domain/filter-eval.ts
 * (test/store/filter-mongo.test.ts holds them to it, and the store contract on every store).
 *
 * Safety: field names come only from ./resource-maps.ts (whitelisted, checked, encoded); request values
 * appear only as values (`$eq`, escaped `$regex`, `$literal`). Patterns are built from escaped
 * literals only (no quantifier or group from a request), so they run in linear time.
 *
 * Semantics:
 * - a multi-valued attribute matches when any value does (`pr` and value filters use `$elemMatch`,
 *   so all conditions hold on one element);
 * - `ne` is `not eq` and `not` is `$nor`: both match a resource that lacks the attribute; `eq null`
 *   is "not present", `ne null` present; `pr` is present and not null, "", [] or {};
 * - caseExact=false strings: the lower-cased shadow field where one exists (userNameLower,
 *   emailsLower, displayNameLower), else an anchored, escaped `$regex` with option `i`; ordering of
 *   such strings is an aggregation expression (`$expr`, below), which a query document cannot say;
 * - dateTimes compare as normalised ISO strings (what the store keeps);
 * - a comparison `matches()` could only answer false for every resource (a value of the wrong JSON
 *   type, `gt` on a boolean, `co` on a dateTime) is refused with invalidFilter, as SQLite refuses it.
 *
 * Membership (Group `members`, User `groups`) lives in group_members, not in the resource's
 * document. Each condition on it becomes a `$lookup` stage (`lookups`): a bounded join from the
 * resource to its membership rows (index {orgId, <side>}), at most one row kept, and the query
 * tests that field (`_m<i>`) for a row. The join costs one index probe per resource it is asked
 * for and sends no list of ids, so a group of any size filters the same way (a list of ids, as this
 * compiler once built, passes MongoDB's 16 MB limit past ~340,000 members). `display` of a member is
 * the user's displayName, else its userName (what MemberRef shows), read by a nested join.
 */
import { Errors } from "../../domain/errors";
import type { AttrRef, CompareOp, Filter, FilterValue, SortSpec } from "../../domain/filter";
import { constMatches, emptyValues, isOrdering, isStringType, MONGO_OP, pattern, plan, textOf } from "./filter-values";

export type Doc = Record<string, unknown>;

/**
 * Where an attribute lives, as a resource map (./resource-maps.ts) answers for a resolved AttrRef:
 * - `field`: a document path. `array` is set when the attribute is multi-valued (the array's path
 *   and the element's sub-attribute), `lower` names a lower-cased shadow usable for
 *   case-insensitive comparisons outside value filters (userNameLower, emailsLower, displayNameLower).
 * - `const`: the attribute has the same value on every resource of the type (meta.resourceType).
 * - `version`: meta.version, the ETag `W/"<n>"` of the `version` field.
 * - `members`: the attribute lives in group_members (Group `members`, User `groups`) and is
 *   answered by a join there (membership lookups, below): `select` is the field naming this
 *   resource, `value` the field naming the other side, `join` the collection holding the other
 *   side (read for `display`).
 */
export type Target =
  | { kind: "field"; path: string; array?: { path: string; sub?: string }; lower?: string }
  | { kind: "const"; value: FilterValue }
  | { kind: "version" }
  | { kind: "members"; select: "groupId" | "userId"; value: "groupId" | "userId"; join: "users" | "groups" };

export interface ResourceMap {
  readonly name: "User" | "Group";
  target(ref: AttrRef): Target;
}

export const FORBIDDEN_NAMES = new Set(["__proto__", "constructor", "prototype"]);

/** Refuses any name that could be an operator, a path separator or a prototype key. */
export function safeName(name: string): string {
  if (name.length === 0 || name.startsWith("$") || name.includes(".") || name.includes("\0") || FORBIDDEN_NAMES.has(name)) {
    throw Errors.invalidFilter(`attribute name '${name.slice(0, 64)}' cannot be queried`);
  }
  return name;
}


export const TRUE: Doc = {};
export const FALSE: Doc = { _id: { $exists: false } };

/** A compiled filter: `$lookup` stages adding membership fields, then the query on the document. */
export interface CompiledFilter {
  lookups: Doc[];
  match: Doc;
}

type Op = Exclude<CompareOp, "ne">;

/** Thrown inside $elemMatch when a comparison needs an expression; the value filter switches form. */
class NeedsExpr extends Error {}

// ---------- the aggregation-expression form ----------
// For the one case a query document cannot express: ordering (gt/ge/lt/le) of case-insensitive
// strings without a lower-cased shadow field. Used at the top level as `$expr` over the attribute's
// values, and for a whole value filter (`emails[type gt "h"]`) when such an ordering appears inside
// it, since `$expr` cannot refer to the element inside `$elemMatch`. Every comparison is guarded by
// the value's BSON type, keeping the type bracketing of query operators. MongoDB's `$toLower` folds
// ASCII only, mingo all of Unicode: case-insensitive ordering of non-ASCII letters may differ
// between the two (userName, emails.value and Group displayName use shadow fields and do not).

type Expr = unknown;

const typeIs = (x: Expr, types: string[]): Expr => ({ $in: [{ $type: x }, { $literal: types }] });
const NUMBER_TYPES = ["int", "long", "double", "decimal"];

/** The types a stored value must have to be compared with a filter value. */
function guardFor(value: Exclude<FilterValue, null>, x: Expr): Expr {
  if (typeof value === "string") return typeIs(x, ["string"]);
  if (typeof value === "number") return typeIs(x, NUMBER_TYPES);
  return typeIs(x, ["bool"]);
}

const presentExpr = (x: Expr): Expr => ({ $not: [{ $in: [{ $ifNull: [x, null] }, { $literal: emptyValues() }] }] });

/** One comparison of the value expression `x` (a variable or field path) with a filter value. */
function leafExpr(x: Expr, ref: AttrRef, op: CompareOp, raw: FilterValue): Expr {
  if (op === "ne") return { $not: [leafExpr(x, ref, "eq", raw)] };
  if (raw === null) return op === "eq" ? { $not: [presentExpr(x)] } : false;
  const p = plan(ref, op, raw);
  const guard = guardFor(p.value, x);
  if (op === "co" || op === "sw" || op === "ew") {
    return { $cond: [guard, { $regexMatch: { input: x, regex: pattern(op, textOf(p)), options: p.ci ? "i" : "" } }, false] };
  }
  const subject = p.ci ? { $toLower: x } : x;
  const operand = p.ci ? textOf(p).toLowerCase() : p.value;
  const cmp = isOrdering(op) ? MONGO_OP[op] : "$eq";
  return { $cond: [guard, { [cmp]: [subject, { $literal: operand }] }, false] };
}

/**
 * A value filter's condition on one element, bound to `$$e`; `sub` answers the (checked) field name
 * of a sub-attribute inside the element.
 */
function elementExpr(f: Filter, sub: (ref: AttrRef) => string): Expr {
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
const anyValue = (path: string, expr: Expr): Expr => ({
  $anyElementTrue: [{ $map: { input: { $cond: [{ $isArray: `$${path}` }, `$${path}`, [`$${path}`]] }, as: "v", in: expr }}],
});

/** True when any element of the array at `path` satisfies `expr` (bound to `$$e`). */
const anyElement = (path: string, expr: Expr): Expr => ({
  $anyElementTrue: [{ $map: { input: { $cond: [{ $isArray: `$${path}` }, `$${path}`, []] }, as: "e", in: expr }}],
});

/** meta.version as the resource shows it: the ETag W/"<version>". */
const VERSION_ETAG = { $concat: ['W/"', { $toString: "$version" }, '"'] };

class Compiler {
  readonly lookups: Doc[] = [];
  private readonly fields = new Map<string, string>();

  constructor(private readonly map: ResourceMap, private readonly orgId: string) {}

  node(f: Filter, elem?: string, map: ResourceMap = this.map): Doc {
    switch (f.kind) {
      case "and": return f.items.length === 0 ? TRUE : { $and: f.items.map((i) => this.node(i, elem, map)) };
      case "or": return f.items.length === 0 ? FALSE : { $or: f.items.map((i) => this.node(i, elem, map)) };
      case "not": return { $nor: [this.node(f.item, elem, map)] };
      case "pr": return this.present(f.attr, elem, map);
      case "cmp":
        if (f.op === "ne") return { $nor: [this.node({ ...f, op: "eq" }, elem, map)] };
        if (f.value === null) return f.op === "eq" ? { $nor: [this.present(f.attr, elem, map)] } : FALSE;
        return this.compare(f.attr, f.op, f.value, elem, map);
      case "has": return this.valueFilter(f.attr, f.where, elem, map);
      default: throw Errors.invalidFilter("unknown filter node");
    }
  }

  /** The document path of a field target, relative to the element inside a value filter. */
  private fieldPath(t: Extract<Target, { kind: "field" }>, elem: string | undefined): string {
    if (elem === undefined) return t.path;
    if (t.array?.path !== elem || t.array.sub === undefined) throw Errors.invalidFilter("a value filter may only name sub-attributes of its attribute");
    return t.array.sub;
  }

  /** A condition on group members (or a user's groups): a join to group_members, and a test of its field. */
  private membership(t: Extract<Target, { kind: "members" }>, build: (inner: ResourceMap) => Doc, elem: string | undefined): Doc {
    if (elem !== undefined) throw Errors.invalidFilter("membership cannot be filtered inside a value filter");
    let joined = false;
    const inner: ResourceMap = {
      name: this.map.name,
      target(ref) {
        const sub = ref.sub ?? "value";
        if (sub === "value") return { kind: "field", path: t.value };
        if (sub === "display") {
          joined = true;
          return { kind: "field", path: "display" };
        }
        throw Errors.invalidFilter(`'${ref.attr}.${sub}' cannot be used in a filter`);
      },
    };
    const query = build(inner);
    // Correlated by `let` and an equality in `$expr` (an index probe since MongoDB 5.0), each with
    // its organization first.
    const byKey = (field: string) => ({ $match: { orgId: { $eq: this.orgId }, $expr: { $eq: [`$${field}`, "$$key"] } } });
    const display = t.join === "users" ? { $ifNull: ["$ref.displayName", "$ref.userName"] } : "$ref.displayName";
    const join = joined ? [
      { $lookup: { from: t.join, let: { key: `$${t.value}` }, pipeline: [byKey("_id"), { $project: { displayName: 1, userName: 1 } }], as: "ref" } },
      { $unwind: "$ref" },
      { $addFields: { display } },
    ] : [];
    const pipeline = [byKey(t.select), ...join, { $match: query }, { $limit: 1 }, { $project: { _id: 1 } }];
    const key = JSON.stringify(pipeline);
    let field = this.fields.get(key);
    if (field === undefined) {
      field = `_m${this.fields.size}`;
      this.fields.set(key, field);
      this.lookups.push({ $lookup: { from: "group_members", let: { key: "$_id" }, pipeline, as: field } });
    }
    return { [field]: { $ne: [] } };
  }

  private present(ref: AttrRef, elem: string | undefined, map: ResourceMap): Doc {
    const t = map.target(ref);
    switch (t.kind) {
      case "const": return constMatches(ref, t.value, { kind: "pr", attr: ref }) ? TRUE : FALSE;
      case "version": return TRUE;
      case "members": return this.membership(t, (inner) => this.present(ref, undefined, inner), elem);
      case "field": {
        const cond = { $nin: emptyValues() };
        if (elem === undefined && t.array) return { [t.array.path]: { $elemMatch: t.array.sub === undefined ? cond : { [t.array.sub]: cond } } };
        return { [this.fieldPath(t, elem)]: cond };
      }
    }
  }

  private compare(ref: AttrRef, op: Op, raw: string | number | boolean, elem: string | undefined, map: ResourceMap): Doc {
    const t = map.target(ref);
    if (t.kind === "members") return this.membership(t, (inner) => this.compare(ref, op, raw, undefined, inner), elem);
    const p = plan(ref, op, raw);
    if (t.kind === "const") return constMatches(ref, t.value, { kind: "cmp", attr: ref, op, value: raw }) ? TRUE : FALSE;
    if (t.kind === "version") {
      const m = op === "eq" && typeof raw === "string" ? /^W\/"([1-9]\d{0,14}|0)"$/.exec(raw) : null;
      return m ? { version: Number(m[1]) } : { $expr: leafExpr(VERSION_ETAG, ref, op, raw) };
    }
    if (p.ci && elem === undefined && t.lower !== undefined) {
      const low = textOf(p).toLowerCase();
      if (op === "eq") return { [t.lower]: { $eq: low } };
      if (isOrdering(op)) return { [t.lower]: { [MONGO_OP[op]]: low } };
      return { [t.lower]: { $regex: pattern(op, low) } };
    }
    const path = this.fieldPath(t, elem);
    if (op === "co" || op === "sw" || op === "ew" || (op === "eq" && p.ci)) {
      const re = pattern(op, textOf(p));
      return { [path]: p.ci ? { $regex: re, $options: "i" } : { $regex: re } };
    }
    if (op === "eq") return { [path]: { $eq: p.value } };
    if (!p.ci) return { [path]: { [MONGO_OP[op]]: p.value } };
    if (elem !== undefined) throw new NeedsExpr();
    return { $expr: anyValue(path, leafExpr("$$v", ref, op, raw)) };
  }

  private valueFilter(ref: AttrRef, where: Filter, elem: string | undefined, map: ResourceMap): Doc {
    if (elem !== undefined) throw Errors.invalidFilter("a value filter cannot nest inside another");
    const t = map.target({ ...ref, sub: firstSub(where) });
    if (t.kind === "members") return this.membership(t, (inner) => this.node(where, undefined, inner), elem);
    if (t.kind !== "field" || !t.array) throw Errors.invalidFilter(`'${ref.attr}' is not multi-valued`);
    const arrayPath = t.array.path;
    try {
      return { [arrayPath]: { $elemMatch: this.node(where, arrayPath, map) } };
    } catch (e) {
      if (!(e instanceof NeedsExpr)) throw e;
      const sub = (leaf: AttrRef): string => {
        const lt = map.target(leaf);
        if (lt.kind !== "field" || lt.array?.path !== arrayPath || lt.array.sub === undefined) {
          throw Errors.invalidFilter("a value filter may only name sub-attributes of its attribute");
        }
        return safeName(lt.array.sub);
      };
      return { $expr: anyElement(arrayPath, elementExpr(where, sub)) };
    }
  }
}

/** Any sub-attribute named inside a value filter (they all belong to the same attribute). */
function firstSub(f: Filter): string | undefined {
  switch (f.kind) {
    case "and": case "or": {
      for (const i of f.items) {
        const s = firstSub(i);
        if (s !== undefined) return s;
      }
      return undefined;
    }
    case "not": return firstSub(f.item);
    default: return f.attr.sub;
  }
}

/** Compiles a filter for the resources of `orgId` (the joins to group_members stay in it). */
export function compileFilter(filter: Filter, map: ResourceMap, orgId: string): CompiledFilter {
  const c = new Compiler(map, orgId);
  const match = c.node(filter);
  return { lookups: c.lookups, match };
}

const isDoc = (x: unknown): x is Doc => typeof x === "object" && x !== null && !Array.isArray(x);

/** The part of a compiled query that does not read a membership field, and the rest. */
export function splitMatch(q: CompiledFilter): { before: Doc; after: Doc } {
  if (q.lookups.length === 0) return { before: q.match, after: TRUE };
  const reads = (d: Doc) => JSON.stringify(d).includes('"_m');
  const all = q.match.$and;
  const items = Array.isArray(all) && Object.keys(q.match).length === 1 ? all.filter(isDoc) : [q.match];
  const before = items.filter((i) => !reads(i));
  const after = items.filter(reads);
  const and = (xs: Doc[]): Doc => (xs.length === 0 ? TRUE : xs.length === 1 ? xs[0]! : { $and: xs });
  return { before: and(before), after: and(after) };
}

// ---------- sorting (RFC 7644 §3.4.2.3, the order src/store/sqlite/filter-sql.ts `compileSort` gives) ----------

const notNull = (x: Expr): Expr => ({ $ne: [{ $ifNull: [x, null] }, null] });

/** The primary-or-first non-null value of `sub` in the array at `path` (`sub` undefined: the element itself). */
function firstValue(path: string, sub: string | undefined): Expr {
  const item = sub === undefined ? "$$e" : `$$e.${sub}`;
  const vals = { $filter: { input: { $cond: [{ $isArray: `$${path}` }, `$${path}`, []] }, as: "e", cond: notNull(item) } };
  if (sub === undefined) return { $arrayElemAt: [vals, 0] };
  const primaries = { $filter: { input: "$$vals", as: "e", cond: { $eq: ["$$e.primary", true] } } };
  return {
    $let: { vars: { vals }, in: { $let: { vars: { first: { $arrayElemAt: [{ $concatArrays: [primaries, "$$vals"] }, 0] } }, in: `$$first.${sub}` } } },
  };
}

function sortKey(ref: AttrRef, map: ResourceMap): Expr {
  const t = map.target(ref);
  switch (t.kind) {
    case "const": return { $literal: t.value };
    case "version": return VERSION_ETAG;
    case "members": throw Errors.invalidParameter("sortBy", `'${ref.attr}' cannot be sorted on`);
    case "field": return t.array ? firstValue(t.array.path, t.array.sub) : `$${t.path}`;
  }
}

/**
 * `$addFields` computing the sort key and its null flag, then `$sort`: resources without a value
 * last ascending and first descending; caseExact=false strings lower-cased (MongoDB's `$toLower`,
 * like SQLite's lower(), folds ASCII only); a multi-valued attribute by its primary value, else its
 * first; ties in insertion order (`seq`). Membership attributes cannot be sorted on.
 */
export function compileSort(sort: SortSpec, map: ResourceMap): Doc[] {
  let key = sortKey(sort.attr, map);
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
