/**
 * Applies parsed PATCH operations to a SCIM resource (RFC 7644 §3.5.2.1–3). Pure and all-or-nothing:
 * it works on a deep copy and returns it, so the first invalid operation throws and the input is
 * untouched. Semantics:
 * - add: single-valued sets; complex merges sub-attributes; multi-valued appends each element that is
 *   not already there (members: by `value`).
 * - replace: single-valued sets; complex merges sub-attributes (§3.5.2.3: the others are left
 *   unchanged), or replaces it whole when the operation says `whole` (strict profile); multi-valued without a filter replaces the whole list; with a filter replaces the
 *   matching elements (or their sub-attribute).
 * - add/replace on a value path that matches nothing creates the element from the filter's `eq`
 *   comparisons (Microsoft Entra ID: `emails[type eq "work"].value` with no work email); any other
 *   filter answers noTarget.
 * - remove: deletes the attribute, the sub-attribute, the elements a filter matches, or (Entra) the
 *   elements listed in `values`; removing what is not there is a no-op (IdP replays); an emptied
 *   multi-valued or complex attribute is unassigned.
 * - an element set to `primary: true` makes every other element's primary false (RFC 7643 §2.4).
 * - no operation grows a multi-valued attribute past its advertised limit (`maxValues`): 400.
 * Each operation is linear in the list and its value: elements are compared by key (elementKey).
 */
import { Errors } from "../../domain/errors";
import type { Filter } from "../../domain/filter";
import { matches } from "../../domain/filter-eval";
import type { PatchOperation } from "./operation";
import type { AttrPath } from "./path";
import { canonicalJson, deepEqual, findKey, isObject } from "./values";

type Obj = Record<string, unknown>;

/**
 * The most elements of multi-valued attributes one PATCH request may make the engine look at, over
 * all its operations (each operation on a list looks at the list and at its own value). With the
 * limits of MAX_VALUES a request may carry 1,000 operations on a list of 100, and each of them would
 * scan it: this ceiling keeps a request's work proportionate to what IdPs send (a few operations
 * on short lists) and refuses the rest with 400 tooMany, nothing changed.
 */
export const MAX_ELEMENT_VISITS = 20_000;

interface Budget { left: number }

function charge(budget: Budget, n: number): void {
  budget.left -= n;
  if (budget.left < 0) {
    throw Errors.tooMany(`This PATCH request makes the server compare more than ${MAX_ELEMENT_VISITS} values of multi-valued attributes (operations x elements): nothing was changed. Send fewer operations per request, or replace the attribute whole.`);
  }
}

/** Applies `ops` in order to a copy of `resource`; answers the copy. Throws a DomainError on the first invalid op. */
export function applyPatch(resource: Obj, ops: PatchOperation[]): Obj {
  const out = structuredClone(resource);
  const budget: Budget = { left: MAX_ELEMENT_VISITS };
  for (const op of ops) applyOne(out, op, budget);
  return out;
}

function applyOne(res: Obj, op: PatchOperation, budget: Budget): void {
  if (op.op === "checkId") {
    if (op.value !== res["id"]) throw Errors.mutability("id", "it is set by the server");
    return;
  }
  if (op.path.kind === "extension") {
    const key = findKey(res, op.path.schema);
    if (key !== undefined) delete res[key];
    dropSchemaUrn(res, op.path.schema);
    return;
  }
  const path = op.path;
  const c = container(res, path, op.op !== "remove");
  if (c === undefined) return;
  const key = canonicalKey(c, path.attr);
  if (op.op === "remove") remove(c, key, path, op.values, budget);
  else if (path.def.multiValued) setMulti(c, key, path, op.op, op.value, budget);
  else setSingle(c, key, path, op.value, op.op === "replace" && op.whole === true);
  if (path.schema !== undefined && Object.keys(c).length === 0) {
    delete res[canonicalKey(res, path.schema)];
    dropSchemaUrn(res, path.schema);
  }
}

// ---- containers (the resource itself, or an extension object) ----

/** Renames a key that differs only in case to its canonical name; answers the canonical name. */
function canonicalKey(obj: Obj, name: string): string {
  const found = findKey(obj, name);
  if (found !== undefined && found !== name) {
    obj[name] = obj[found];
    delete obj[found];
  }
  return name;
}

function container(res: Obj, path: AttrPath, create: boolean): Obj | undefined {
  if (path.schema === undefined) return res;
  const key = canonicalKey(res, path.schema);
  const current = res[key];
  if (isObject(current)) return current;
  if (!create) return undefined;
  const fresh: Obj = {};
  res[key] = fresh;
  const schemas = res["schemas"];
  if (Array.isArray(schemas) && !schemas.some((s) => typeof s === "string" && s.toLowerCase() === key.toLowerCase())) {
    schemas.push(key);
  }
  return fresh;
}

function dropSchemaUrn(res: Obj, urn: string): void {
  const schemas = res["schemas"];
  if (Array.isArray(schemas)) {
    res["schemas"] = schemas.filter((s) => !(typeof s === "string" && s.toLowerCase() === urn.toLowerCase()));
  }
}

// ---- single-valued attributes ----

function setSingle(c: Obj, key: string, path: AttrPath, value: unknown, whole: boolean): void {
  const current = c[key];
  if (path.sub !== undefined) {
    const obj: Obj = isObject(current) ? current : {};
    obj[path.sub] = value;
    c[key] = obj;
  } else if (path.def.type === "complex") {
    c[key] = whole ? { ...(value as Obj) } : { ...(isObject(current) ? current : {}), ...(value as Obj) };
  } else {
    if (path.def.mutability === "immutable" && current !== undefined && !deepEqual(current, value)) {
      throw Errors.mutability(path.attr, "it is immutable and already has a value");
    }
    c[key] = value;
  }
}

// ---- multi-valued attributes ----

const elementsOf = (v: unknown): Obj[] | unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/**
 * The identity of an element, as a string, so that comparing elements is a Map or Set lookup and a
 * whole operation stays linear in the list and the value (never each new element against each old
 * one). Elements of an attribute whose `value` is immutable (members) are the same when their
 * `value` is; any other two elements are the same when they are equal as JSON, whatever the order
 * of their keys (`canonicalJson`).
 */
function elementKey(path: AttrPath, e: unknown): string {
  if (isObject(e) && e["value"] !== undefined && valueIsIdentity(path)) return `v${JSON.stringify(e["value"])}`;
  return `c${canonicalJson(e)}`;
}

const valueIsIdentity = (path: AttrPath): boolean =>
  path.def.subAttributes?.find((s) => s.name === "value")?.mutability === "immutable";

/** Whether one element satisfies the path's value filter (its `where`, asked of the element alone). */
function matchesElement(path: AttrPath, element: unknown): boolean {
  const { attr, where } = path.filter!;
  const wrapped: Obj = attr.schema === undefined
    ? { [attr.attr]: [element] }
    : { [attr.schema]: { [attr.attr]: [element] } };
  return matches(wrapped, where);
}

/** The element a value filter describes, from its `eq` comparisons joined by `and`; undefined if it describes none. */
function seedFromFilter(f: Filter, out: Obj): boolean {
  if (f.kind === "cmp" && f.op === "eq" && f.attr.sub !== undefined && f.value !== null) {
    out[f.attr.sub] = f.value;
    return true;
  }
  if (f.kind === "and") return f.items.every((i) => seedFromFilter(i, out));
  return false;
}

/**
 * An attribute's advertised limit (`maxValues`, /Schemas) holds after every operation that grows
 * it, so that no sequence of operations builds a list past it (and the work of each operation
 * stays bounded by the limit); a resource already above it (data from before the limit) may shrink.
 */
function checkLimit(path: AttrPath, length: number, before: number): void {
  const max = path.def.maxValues;
  if (max !== undefined && length > max && length > before) throw Errors.tooManyValues(path.attr, max, length);
}

function setMulti(c: Obj, key: string, path: AttrPath, op: "add" | "replace", value: unknown, budget: Budget): void {
  const list = [...elementsOf(c[key])] as unknown[];
  const before = list.length;
  charge(budget, before + (Array.isArray(value) ? value.length : 1));
  let touched: unknown[];
  if (path.filter !== undefined || path.sub !== undefined) {
    const hits = list.map((e, i) => (path.filter === undefined || matchesElement(path, e) ? i : -1)).filter((i) => i >= 0);
    if (hits.length === 0) {
      const seed: Obj = {};
      if (path.filter !== undefined && !seedFromFilter(path.filter.where, seed)) throw Errors.noTarget(path.text);
      const created = path.sub !== undefined ? { ...seed, [path.sub]: value } : { ...seed, ...(value as Obj) };
      list.push(created);
      touched = [created];
    } else {
      touched = hits.map((i) => {
        const e = isObject(list[i]) ? { ...(list[i] as Obj) } : {};
        const next = path.sub !== undefined ? { ...e, [path.sub]: value } : op === "add" ? { ...e, ...(value as Obj) } : { ...(value as Obj) };
        list[i] = next;
        return next;
      });
    }
  } else {
    if (op === "replace") list.length = 0;
    const seen = new Set(list.map((e) => elementKey(path, e)));
    touched = [];
    for (const v of value as unknown[]) {
      const k = elementKey(path, v);
      if (seen.has(k)) continue;
      seen.add(k);
      list.push(v);
      touched.push(v);
    }
  }
  checkLimit(path, list.length, before);
  enforceSinglePrimary(path, list, touched);
  if (list.length === 0) delete c[key];
  else c[key] = list;
}

/** RFC 7643 §2.4: `primary: true` appears at most once; the element just set wins. */
function enforceSinglePrimary(path: AttrPath, list: unknown[], touched: unknown[]): void {
  const winners = touched.filter((e) => isObject(e) && e["primary"] === true);
  if (winners.length > 1) throw Errors.invalidValue(`At most one element of '${path.attr}' may have primary true.`);
  const winner = winners[0];
  if (winner === undefined) return;
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (e !== winner && isObject(e) && e["primary"] === true) list[i] = { ...e, primary: false };
  }
}

// ---- remove ----

function remove(c: Obj, key: string, path: AttrPath, values: unknown[] | undefined, budget: Budget): void {
  const current = c[key];
  if (current === undefined) return;
  if (!path.def.multiValued) {
    if (path.sub === undefined) delete c[key];
    else if (isObject(current)) {
      const next = { ...current };
      delete next[path.sub];
      if (Object.keys(next).length === 0) delete c[key];
      else c[key] = next;
    }
    return;
  }
  let list = [...elementsOf(current)] as unknown[];
  charge(budget, list.length + (values?.length ?? 0));
  if (values !== undefined) {
    const gone = removalKeys(path, values);
    list = list.filter((e) => !gone(e));
  } else if (path.filter !== undefined || path.sub !== undefined) {
    const hit = (e: unknown) => path.filter === undefined || matchesElement(path, e);
    if (path.sub === undefined) list = list.filter((e) => !hit(e));
    else {
      list = list.map((e) => {
        if (!hit(e) || !isObject(e)) return e;
        const next = { ...e };
        delete next[path.sub!];
        return next;
      }).filter((e) => !isObject(e) || Object.keys(e).length > 0);
    }
  } else {
    list = [];
  }
  if (list.length === 0) delete c[key];
  else c[key] = list;
}

/**
 * Entra's removal values, as one lookup per element: `{value:"u1"}` removes the element whose
 * `value` is u1; any other removal value removes the elements equal to it (as `elementKey` says).
 */
function removalKeys(path: AttrPath, values: unknown[]): (element: unknown) => boolean {
  const byValue = new Set<string>();
  const byKey = new Set<string>();
  for (const v of values) {
    if (isObject(v) && v["value"] !== undefined) byValue.add(JSON.stringify(v["value"]));
    else byKey.add(elementKey(path, v));
  }
  return (e) => (isObject(e) && e["value"] !== undefined && byValue.has(JSON.stringify(e["value"]))) || byKey.has(elementKey(path, e));
}
