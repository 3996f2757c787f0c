/**
 * Filter values as the MongoDB compiler uses them: dateTime normalisation, regex-escaped literal
 * patterns for eq/co/sw/ew, the "empty" values `pr` rejects, and a scalar comparison in JS for the
 * attributes whose value is the same on every resource (meta.resourceType).
 *
 * Patterns are built only from escaped literals: no quantifier or group ever comes from a request,
 * so they run in linear time. `(?![\s\S])` marks the end of the string in both JavaScript (mingo)
 * and PCRE (MongoDB), where `$` would also match before a final newline.
 */
import { Errors } from "../../domain/errors";
import type { AttrRef, CompareOp, Filter, FilterValue } from "../../domain/filter";
import { matches, parseDateTime } from "../../domain/filter-eval";

export const END = "(?![\\s\\S])";

/**
 * A literal as a pattern: metacharacters backslash-escaped, and every C0 control character and DEL
 * written as `\xHH`. MongoDB refuses a pattern holding a NUL byte (and would answer 500); `\x00`
 * means the same character to PCRE (MongoDB) and to JavaScript (mingo), and a pattern without raw
 * control characters reads the same in logs.
 */
export const escapeRegex = (s: string): string =>
  s.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&")
    .replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);

/** The anchored, escaped pattern for a string operator. */
export function pattern(op: "eq" | "co" | "sw" | "ew", value: string): string {
  const lit = escapeRegex(value);
  switch (op) {
    case "eq": return `^${lit}${END}`;
    case "sw": return `^${lit}`;
    case "ew": return `${lit}${END}`;
    case "co": return lit;
  }
}

/** Values `pr` treats as absent (RFC 7644 §3.4.2.2: "has a non-empty value"); missing counts as null. */
export const emptyValues = (): unknown[] => [null, "", [], {}];

/**
 * How a comparison (not `ne`, value not null) is run, by the attribute's type as in `matches()`:
 * dateTimes become ISO strings (what the store keeps); strings compare without case unless
 * caseExact (`ci`). A comparison `matches()` could only answer false for every resource (a value
 * of the wrong JSON type, `gt` on a boolean, `co` on a number) is refused with invalidFilter, as the
 * SQLite store refuses it, so both stores answer a request alike.
 */
export function plan(ref: AttrRef, op: CompareOp, raw: Exclude<FilterValue, null>): { value: string | number | boolean; ci: boolean } {
  const text = op === "co" || op === "sw" || op === "ew";
  const refuse = () =>
    Errors.invalidFilter(`'${op}' cannot compare '${ref.attr}${ref.sub ? `.${ref.sub}` : ""}' (${ref.type}) with ${JSON.stringify(raw).slice(0, 60)}`);
  switch (ref.type) {
    case "boolean":
      if (op !== "eq" || typeof raw !== "boolean") throw refuse();
      return { value: raw, ci: false };
    case "integer":
    case "decimal":
      if (typeof raw !== "number" || !Number.isFinite(raw) || text) throw refuse();
      return { value: raw, ci: false };
    case "dateTime": {
      const t = typeof raw === "string" ? parseDateTime(raw) : NaN;
      if (text || Number.isNaN(t)) throw Errors.invalidFilter(`'${String(raw).slice(0, 60)}' is not a dateTime such as 2024-01-31T12:00:00Z`);
      return { value: new Date(t).toISOString(), ci: false };
    }
    default:
      if (typeof raw !== "string") throw refuse();
      return { value: raw, ci: !ref.caseExact };
  }
}

/**
 * The text a pattern or a case-insensitive comparison uses: plan() answers a string for every such
 * comparison (it refuses any other value for co/sw/ew and for caseExact=false strings).
 */
export function textOf(p: { value: string | number | boolean }): string {
  if (typeof p.value === "string") return p.value;
  throw Errors.invalidFilter(`a text comparison needs a string, not ${JSON.stringify(p.value)}`);
}

export const isOrdering = (op: CompareOp): op is "gt" | "ge" | "lt" | "le" =>
  op === "gt" || op === "ge" || op === "lt" || op === "le";

export const MONGO_OP = { gt: "$gt", ge: "$gte", lt: "$lt", le: "$lte" } as const;

/** An object without a prototype holding one key (a key such as `__proto__` stays data). */
function bare(key: string, value: unknown): Record<string, unknown> {
  const o: Record<string, unknown> = Object.create(null);
  o[key] = value;
  return o;
}

/** A filter on an attribute whose value is known without reading a document (meta.resourceType). */
export function constMatches(ref: AttrRef, stored: unknown, filter: Filter): boolean {
  const leaf = bare(ref.attr, ref.sub === undefined ? stored : bare(ref.sub, stored));
  return matches(ref.schema === undefined ? leaf : bare(ref.schema, leaf), filter);
}

/** String-like attribute types: compared as strings, where the case rules apply. */
export const isStringType = (ref: AttrRef): boolean =>
  ref.type === "string" || ref.type === "reference" || ref.type === "binary";
