/**
 * Compiles a Filter (src/domain/filter.ts) into a MongoDB query document, with the semantics of
 * `matches()` in src/domain/filter-eval.ts. Field names come only from ./fields.ts (whitelisted,
 * checked, encoded); request values appear only as values (`$eq`, escaped `$regex`, `$literal`).
 *
 * Semantics:
 * - a multi-valued attribute matches when any value does (MongoDB's array traversal; `pr` and value
 *   filters use `$elemMatch` so all conditions hold on one element);
 * - `ne` is `not eq` and `not` is `$nor`: both match a resource that lacks the attribute;
 *   `eq null` means "not present", `ne null` means present;
 * - case-insensitive strings: lower-cased shadow fields where they exist (userNameLower,
 *   emailsLower, displayNameLower), else an anchored, escaped `$regex` with option `i`; ordering
 *   of such strings goes through ./filter-expr.ts;
 * - dateTimes are compared as normalised ISO strings;
 * - `pr`: present and not null, "", [] or {};
 * - a comparison `matches()` could only answer false for every resource (a value of the wrong
 *   JSON type, `gt` on a boolean, `co` on a dateTime) is refused with invalidFilter, as the SQLite
 *   store refuses it (./filter-values.ts `plan`).
 *
 * Membership (Group `members.value|display`, User `groups.value|display`) is not in the resource's
 * document. Such a comparison becomes a pre-query on group_members. Compiling is therefore two
 * steps, both pure:
 *   1. `membershipLookups(filter, map)` lists the pre-queries; the caller runs each as the
 *      aggregation `lookupPipeline(lookup, orgId)` on group_members, whose `_id`s are the ids found;
 *   2. `compileFilter(filter, map, resolved)` builds the query, with `{_id: {$in: ids}}` for each
 *      lookup, `resolved` mapping each lookup's `key` to its ids.
 * A filter without membership needs no step 1: `compileFilter(filter, map)`.
 * `display` of a member is the user's displayName, else its userName (what MemberRef shows).
 */
import { Errors } from "../../domain/errors";
import type { AttrRef, Filter } from "../../domain/filter";
import { anyElement, anyValue, elementExpr, leafExpr } from "./filter-expr";
import { constMatches, emptyValues, isOrdering, MONGO_OP, pattern, plan } from "./filter-values";
import { safeName, type ResourceMap, type Target } from "./fields";

export type Doc = Record<string, unknown>;

export const TRUE: Doc = {};
export const FALSE: Doc = { _id: { $exists: false } };

export interface MembershipLookup {
  /** Identifies the lookup in `resolved`. */
  key: string;
  /** The group_members field naming the resources searched for. */
  select: "groupId" | "userId";
  /** The group_members field naming the other side. */
  value: "groupId" | "userId";
  /** The collection of the other side, joined when the query reads `display`. */
  join?: "users" | "groups";
  /** The condition on a group_members document (`display` added by the join), without orgId. */
  query: Doc;
}

export type Resolved = ReadonlyMap<string, readonly string[]>;

type Lookup = (l: Omit<MembershipLookup, "key">) => readonly string[];

interface Ctx {
  map: ResourceMap;
  lookup: Lookup;
  /** Inside a value filter compiled with $elemMatch: the array's path. */
  elem?: string;
}

/** Thrown inside $elemMatch when a comparison needs an expression; the value filter switches form. */
class NeedsExpr extends Error {}

/** The pre-queries a filter needs before it can be compiled. */
export function membershipLookups(filter: Filter, map: ResourceMap): MembershipLookup[] {
  const found = new Map<string, MembershipLookup>();
  node(filter, {
    map,
    lookup(l) {
      const key = lookupKey(l);
      found.set(key, { key, ...l });
      return [];
    },
  });
  return [...found.values()];
}

export function compileFilter(filter: Filter, map: ResourceMap, resolved: Resolved = new Map()): Doc {
  return node(filter, {
    map,
    lookup(l) {
      const ids = resolved.get(lookupKey(l));
      if (!ids) throw new Error("membership lookup not resolved: call membershipLookups first");
      return ids;
    },
  });
}

/** The aggregation on group_members answering a lookup: one `{_id}` per resource id found. */
export function lookupPipeline(l: MembershipLookup, orgId: string): Doc[] {
  const stages: Doc[] = [{ $match: { orgId: { $eq: orgId } } }];
  if (l.join) {
    stages.push(
      { $lookup: { from: l.join, localField: l.value, foreignField: "_id", as: "ref" } },
      { $unwind: "$ref" },
      { $match: { "ref.orgId": { $eq: orgId } } },
      { $addFields: { display: l.join === "users" ? { $ifNull: ["$ref.displayName", "$ref.userName"] } : "$ref.displayName" } },
    );
  }
  stages.push({ $match: l.query }, { $group: { _id: `$${l.select}` } });
  return stages;
}

const lookupKey = (l: Omit<MembershipLookup, "key">): string => JSON.stringify([l.select, l.value, l.join ?? null, l.query]);

function node(f: Filter, ctx: Ctx): Doc {
  switch (f.kind) {
    case "and": return f.items.length === 0 ? TRUE : { $and: f.items.map((i) => node(i, ctx)) };
    case "or": return f.items.length === 0 ? FALSE : { $or: f.items.map((i) => node(i, ctx)) };
    case "not": return { $nor: [node(f.item, ctx)] };
    case "pr": return present(f.attr, ctx);
    case "cmp":
      if (f.op === "ne") return { $nor: [node({ ...f, op: "eq" }, ctx)] };
      if (f.value === null) return f.op === "eq" ? { $nor: [present(f.attr, ctx)] } : FALSE;
      return compare(f.attr, f.op, f.value, ctx);
    case "has": return valueFilter(f.attr, f.where, ctx);
    default: throw Errors.invalidFilter("unknown filter node");
  }
}

/** The document path of a field target, relative to the element inside a value filter. */
function fieldPath(t: Extract<Target, { kind: "field" }>, ctx: Ctx): string {
  if (ctx.elem === undefined) return t.path;
  if (t.array?.path !== ctx.elem || t.array.sub === undefined) {
    throw Errors.invalidFilter("a value filter may only name sub-attributes of its attribute");
  }
  return t.array.sub;
}

/** A condition on group members (or a user's groups), answered by a lookup on group_members. */
function membership(t: Extract<Target, { kind: "members" }>, build: (inner: Ctx) => Doc, ctx: Ctx): Doc {
  if (ctx.elem !== undefined) throw Errors.invalidFilter("membership cannot be filtered inside a value filter");
  let joined = false;
  const map: ResourceMap = {
    name: ctx.map.name,
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
  const query = build({ map, lookup: ctx.lookup });
  const l: Omit<MembershipLookup, "key"> = { select: t.select, value: t.value, query };
  if (joined) l.join = t.join;
  return { _id: { $in: [...ctx.lookup(l)] } };
}

function present(ref: AttrRef, ctx: Ctx): Doc {
  const t = ctx.map.target(ref);
  switch (t.kind) {
    case "const": return constMatches(ref, t.value, { kind: "pr", attr: ref }) ? TRUE : FALSE;
    case "version": return TRUE;
    case "members": return membership(t, (inner) => present(ref, inner), ctx);
    case "field": {
      const cond = { $nin: emptyValues() };
      if (ctx.elem === undefined && t.array) {
        return { [t.array.path]: { $elemMatch: t.array.sub === undefined ? cond : { [t.array.sub]: cond } } };
      }
      return { [fieldPath(t, ctx)]: cond };
    }
  }
}

type Op = Exclude<Extract<Filter, { kind: "cmp" }>["op"], "ne">;

/** meta.version as the resource shows it: the ETag W/"<version>". */
const VERSION_ETAG = { $concat: ['W/"', { $toString: "$version" }, '"'] };

function compare(ref: AttrRef, op: Op, raw: string | number | boolean, ctx: Ctx): Doc {
  const t = ctx.map.target(ref);
  if (t.kind === "members") return membership(t, (inner) => compare(ref, op, raw, inner), ctx);
  const p = plan(ref, op, raw);
  if (t.kind === "const") return constMatches(ref, t.value, { kind: "cmp", attr: ref, op, value: raw }) ? TRUE : FALSE;
  if (t.kind === "version") {
    const m = op === "eq" && typeof raw === "string" ? /^W\/"([1-9]\d{0,14}|0)"$/.exec(raw) : null;
    return m ? { version: Number(m[1]) } : { $expr: leafExpr(VERSION_ETAG, ref, op, raw) };
  }
  if (p.ci && ctx.elem === undefined && t.lower !== undefined) {
    const low = (p.value as string).toLowerCase();
    if (op === "eq") return { [t.lower]: { $eq: low } };
    if (isOrdering(op)) return { [t.lower]: { [MONGO_OP[op]]: low } };
    return { [t.lower]: { $regex: pattern(op, low) } };
  }
  const path = fieldPath(t, ctx);
  if (op === "co" || op === "sw" || op === "ew" || (op === "eq" && p.ci)) {
    const re = pattern(op, p.value as string);
    return { [path]: p.ci ? { $regex: re, $options: "i" } : { $regex: re } };
  }
  if (op === "eq") return { [path]: { $eq: p.value } };
  if (!p.ci) return { [path]: { [MONGO_OP[op]]: p.value } };
  if (ctx.elem !== undefined) throw new NeedsExpr();
  return { $expr: anyValue(path, leafExpr("$$v", ref, op, raw)) };
}

function valueFilter(ref: AttrRef, where: Filter, ctx: Ctx): Doc {
  if (ctx.elem !== undefined) throw Errors.invalidFilter("a value filter cannot nest inside another");
  const t = ctx.map.target({ ...ref, sub: firstSub(where) });
  if (t.kind === "members") return membership(t, (inner) => node(where, inner), ctx);
  if (t.kind !== "field" || !t.array) throw Errors.invalidFilter(`'${ref.attr}' is not multi-valued`);
  const arrayPath = t.array.path;
  try {
    return { [arrayPath]: { $elemMatch: node(where, { ...ctx, elem: arrayPath }) } };
  } catch (e) {
    if (!(e instanceof NeedsExpr)) throw e;
    const sub = (leaf: AttrRef): string => {
      const lt = ctx.map.target(leaf);
      if (lt.kind !== "field" || lt.array?.path !== arrayPath || lt.array.sub === undefined) {
        throw Errors.invalidFilter("a value filter may only name sub-attributes of its attribute");
      }
      return safeName(lt.array.sub);
    };
    return { $expr: anyElement(arrayPath, elementExpr(where, sub)) };
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
