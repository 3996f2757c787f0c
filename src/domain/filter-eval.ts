/**
 * Evaluates a parsed filter (./filter) in memory against one SCIM resource in its JSON form:
 * core attributes at the top, extension attributes under their URN key, `id` at the top and
 * `meta.created` etc. under `meta`. The SQLite compiler (src/store/sqlite/filter-sql.ts) gives the
 * same answers; a property test holds them to it.
 *
 * Semantics (RFC 7644 §3.4.2.2, with the choices the RFC leaves open made explicit):
 * - multi-valued attributes: a comparison is true when any element satisfies it;
 * - `ne` is `not eq`: true when the attribute is missing, and for a multi-valued attribute true
 *   when no element equals the value;
 * - `eq null` means "not present", `ne null` means "present";
 * - caseExact=false strings compare after `toLowerCase()` (the SQLite store folds ASCII only);
 * - a value of the wrong JSON type never matches (a string "true" is not the boolean true);
 * - dateTime values compare as instants (see `parseDateTime`), numbers numerically;
 * - `pr`: present unless null, undefined, "", [] or {};
 * - absent or malformed complex attributes are simply missing; nothing here throws.
 */
import type { AttrRef, CompareOp, Filter, FilterValue } from "./filter";

/**
 * Strict ISO-8601 / RFC 3339 date-time parser: `YYYY-MM-DD`, optionally `THH:MM[:SS[.fraction]]`,
 * optionally `Z` or `±HH:MM` / `±HHMM` (no zone = UTC). Fractions are rounded to the millisecond,
 * as SQLite's strftime does.
 * Answers epoch milliseconds, or NaN. Hand-written, linear, no regex.
 */
export function parseDateTime(s: string): number {
  if (s.length < 10 || s.length > 64) return NaN;
  let i = 0;
  const num = (n: number): number => {
    let v = 0;
    for (let k = 0; k < n; k++) {
      const c = s.charCodeAt(i + k);
      if (!(c >= 48 && c <= 57)) return -1;
      v = v * 10 + (c - 48);
    }
    i += n;
    return v;
  };
  const lit = (ch: string): boolean => (s.charAt(i) === ch ? (i++, true) : false);
  const year = num(4);
  if (year < 1000 || !lit("-")) return NaN; // 1000-9999: the years toISOString and SQLite agree on
  const month = num(2);
  if (month < 1 || month > 12 || !lit("-")) return NaN;
  const day = num(2);
  if (day < 1 || day > 31) return NaN;
  let hour = 0, minute = 0, second = 0, ms = 0, offset = 0;
  if (i < s.length) {
    if (!lit("T") && !lit("t")) return NaN;
    hour = num(2);
    if (hour < 0 || hour > 23 || !lit(":")) return NaN;
    minute = num(2);
    if (minute < 0 || minute > 59) return NaN;
    if (lit(":")) {
      second = num(2);
      if (second < 0 || second > 59) return NaN;
      if (lit(".")) {
        const start = i;
        while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
        if (i === start) return NaN;
        ms = Math.round(Number(`0.${s.slice(start, Math.min(i, start + 9))}`) * 1000);
      }
    }
    if (lit("Z") || lit("z")) {
      // UTC
    } else if (s.charAt(i) === "+" || s.charAt(i) === "-") {
      const sign = s.charAt(i) === "-" ? -1 : 1;
      i++;
      const oh = num(2);
      lit(":");
      const om = num(2);
      if (oh < 0 || oh > 23 || om < 0 || om > 59) return NaN;
      offset = sign * (oh * 60 + om);
    }
    if (i !== s.length) return NaN;
  }
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return NaN;
  return t - offset * 60_000;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const own = (o: unknown, key: string): unknown =>
  isObject(o) && Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;

/** The values an AttrRef points at in a resource, flattened over multi-valued attributes; never null/undefined. */
export function valuesOf(resource: Record<string, unknown>, ref: AttrRef): unknown[] {
  const container = ref.schema === undefined ? resource : own(resource, ref.schema);
  const top = own(container, ref.attr);
  if (top === undefined || top === null) return [];
  const items = Array.isArray(top) ? top : [top];
  const out: unknown[] = [];
  for (const item of items) {
    const v = ref.sub === undefined ? item : own(item, ref.sub);
    if (v !== undefined && v !== null) out.push(v);
  }
  return out;
}

/** RFC 7644 §3.4.2.2 `pr`: not null, undefined, "", [] or {}. */
export function isPresent(v: unknown): boolean {
  if (v === null || v === undefined || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}

const order = (a: number | string, b: number | string, op: CompareOp): boolean => {
  switch (op) {
    case "eq": return a === b;
    case "gt": return a > b;
    case "ge": return a >= b;
    case "lt": return a < b;
    case "le": return a <= b;
    default: return false;
  }
};

/** One value against one filter value, by the attribute's type (ne is handled by the caller). */
function compare(v: unknown, op: CompareOp, value: FilterValue, ref: AttrRef): boolean {
  switch (ref.type) {
    case "boolean":
      return op === "eq" && typeof v === "boolean" && v === value;
    case "integer":
    case "decimal":
      return typeof v === "number" && typeof value === "number" && order(v, value, op);
    case "dateTime": {
      if (typeof v !== "string" || typeof value !== "string") return false;
      const a = parseDateTime(v);
      const b = parseDateTime(value);
      return !Number.isNaN(a) && !Number.isNaN(b) && order(a, b, op);
    }
    default: {
      if (typeof v !== "string" || typeof value !== "string") return false;
      const a = ref.caseExact ? v : v.toLowerCase();
      const b = ref.caseExact ? value : value.toLowerCase();
      if (op === "co") return a.includes(b);
      if (op === "sw") return a.startsWith(b);
      if (op === "ew") return a.endsWith(b);
      return order(a, b, op);
    }
  }
}

/** A one-element view of a multi-valued attribute, so `has` can evaluate `where` per element. */
function elementView(ref: AttrRef, element: unknown): Record<string, unknown> {
  const inner = Object.create(null) as Record<string, unknown>;
  inner[ref.attr] = [element];
  if (ref.schema === undefined) return inner;
  const outer = Object.create(null) as Record<string, unknown>;
  outer[ref.schema] = inner;
  return outer;
}

/** True when `resource` satisfies `filter`. */
export function matches(resource: Record<string, unknown>, filter: Filter): boolean {
  switch (filter.kind) {
    case "and":
      return filter.items.every((f) => matches(resource, f));
    case "or":
      return filter.items.some((f) => matches(resource, f));
    case "not":
      return !matches(resource, filter.item);
    case "pr":
      return valuesOf(resource, filter.attr).some(isPresent);
    case "cmp": {
      const values = valuesOf(resource, filter.attr);
      if (filter.value === null) {
        const present = values.some(isPresent);
        return filter.op === "eq" ? !present : filter.op === "ne" ? present : false;
      }
      if (filter.op === "ne") return !values.some((v) => compare(v, "eq", filter.value, filter.attr));
      return values.some((v) => compare(v, filter.op, filter.value, filter.attr));
    }
    case "has": {
      const ref: AttrRef = { ...filter.attr, sub: undefined };
      delete ref.sub;
      return valuesOf(resource, ref).some((el) => matches(elementView(filter.attr, el), filter.where));
    }
  }
}
