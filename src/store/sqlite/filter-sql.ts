/**
 * Compiles a Filter and a SortSpec (src/domain/filter.ts) to SQLite SQL for the users and groups
 * tables (layout in ./migrations.ts; the maps in ./resource-maps.ts say which path lives in which
 * column). Its answers equal `matches()` in src/domain/filter-eval.ts; a property test holds them to it.
 *
 * Safety: every value is a bound parameter. No text from the request reaches the SQL: column
 * expressions come from the map, and JSON paths into `data` are built only from canonical
 * attribute names that passed `safeName` (RFC 7643 ATTRNAME, URNs of [A-Za-z0-9:._-]).
 *
 * Semantics (as filter-eval):
 * - every predicate is two-valued: `not` is `(x) IS NOT 1`, so `not (x eq 1)` is true when x is
 *   missing even where SQL would say NULL; JSON functions only see JSON (guarded by CASE, which
 *   SQLite evaluates lazily, where AND gives no order guarantee);
 * - `ne` is `not eq`; multi-valued attributes match when any element does (EXISTS);
 * - caseExact=false strings with a folded column (userName, emails.value, Group displayName: the
 *   map's `folded`) compare that column with the value folded by foldCase, as filter-eval does,
 *   through the column's index; other caseExact=false strings compare lower() of both sides, which
 *   folds ASCII letters only (filter-eval folds all of Unicode: `É` and `é` differ here, not there);
 * - every string comparison is binary, `co` is `instr`, `sw`/`ew` compare UTF-8 bytes: NOCASE,
 *   LIKE, length() and substr() on text stop at a NUL character (stringOp);
 * - dateTime values are normalised to `toISOString()` form; the created/last_modified columns hold
 *   that form, and JSON dateTimes are normalised with strftime before comparing;
 * - JSON booleans are tested with json_type ('true'/'false'), boolean columns hold 0/1;
 * - a JSON value of the wrong type never matches (json_type guards each comparison).
 */
import { Errors } from "../../domain/errors";
import { parseDateTime } from "../../domain/filter-eval";
import type { AttrRef, CompareOp, Filter, FilterValue, SortSpec } from "../../domain/filter";
import { foldCase } from "./fold";

/**
 * A multi-valued attribute kept in its own table (emails, members, groups).
 * `from` is a FROM clause with alias; `on` joins it to the outer row; `subs` maps canonical
 * sub-attribute names to column expressions. `exclusive` says the attribute is not in `data`
 * too, so a sub-attribute missing from `subs` cannot be filtered at all.
 */
export interface SqlTable {
  from: string;
  on: string;
  subs: ReadonlyMap<string, string>;
  exclusive: boolean;
  /** ORDER BY terms that put the element a sort uses first (the primary one, then the first written). */
  sortOrder?: string;
  /** caseExact=false sub-attributes with a column holding their foldCase form. */
  folded?: ReadonlyMap<string, string>;
  /**
   * With `orgId` given to compileFilter: the table's column holding the outer row's seq, and its
   * org column. The filter then becomes `seq IN (SELECT key FROM table WHERE org = ? AND ...)`,
   * which an index on (org, value) answers, instead of an EXISTS probed once per row of the org.
   */
  outerKey?: string;
  orgColumn?: string;
}

/** Options for compileFilter. */
export interface CompileOptions {
  /** The organization the outer query is limited to; lets side-table filters use their (org_id, value) index. */
  orgId?: string;
}

/**
 * Where each attribute of one resource type lives.
 * Keys are `attr`, `attr.sub`, or `<schema URN>:attr[.sub]` for an extension, canonical case.
 * `columns` holds single-valued attributes with a column of their own (boolean columns hold 0/1,
 * dateTime columns hold toISOString() text); `tables` holds multi-valued attributes by `attr` key.
 * Everything else is read from the JSON in `data`.
 */
export interface SqlResourceMap {
  alias: string;
  data: string;
  seq: string;
  columns: ReadonlyMap<string, string>;
  tables: ReadonlyMap<string, SqlTable>;
  /** caseExact=false attributes with a column holding their foldCase form (by the same keys as `columns`). */
  folded?: ReadonlyMap<string, string>;
}

export interface CompiledFilter {
  sql: string;
  params: unknown[];
}

/** The key of an attribute in a SqlResourceMap. */
export const mapKey = (ref: { schema?: string; attr: string; sub?: string }, withSub = true): string =>
  `${ref.schema === undefined ? "" : `${ref.schema}:`}${ref.attr}${withSub && ref.sub !== undefined ? `.${ref.sub}` : ""}`;

const isNameChar = (c: number, urn: boolean): boolean =>
  (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 95 || (urn && (c === 58 || c === 46));

/** An attribute name (or, with urn, a schema URN) that is safe inside a quoted JSON path literal. */
function safeName(s: string, urn = false): string {
  let ok = s.length > 0 && s.length <= 256;
  for (let i = 0; ok && i < s.length; i++) ok = isNameChar(s.charCodeAt(i), urn);
  if (!ok) throw Errors.invalidFilter(`'${s.slice(0, 60)}' is not an attribute this store can query`);
  return s;
}

/** `'$."urn"."attr"."sub"'` as an SQL literal, from safe names only. */
function jsonPath(names: Array<{ name: string; urn?: boolean }>): string {
  return `'$${names.map((n) => `."${safeName(n.name, n.urn)}"`).join("")}'`;
}

const attrPath = (ref: AttrRef, withSub: boolean): string => {
  const parts: Array<{ name: string; urn?: boolean }> = [];
  if (ref.schema !== undefined) parts.push({ name: ref.schema, urn: true });
  parts.push({ name: ref.attr });
  if (withSub && ref.sub !== undefined) parts.push({ name: ref.sub });
  return jsonPath(parts);
};

/** How to read one value: a column (typed by the schema) or a JSON location (typed by json_type). */
type JsonLoc = { kind: "json"; value: string; jsonType: string };
/** `fold`: a column holding the value folded by foldCase, for caseExact=false comparisons. */
type Loc = { kind: "column"; value: string; fold?: string | undefined } | JsonLoc;

const jsonLoc = (doc: string, path: string): JsonLoc => ({
  kind: "json",
  value: `json_extract(${doc}, ${path})`,
  jsonType: `COALESCE(json_type(${doc}, ${path}), 'null')`,
});

/** A sub-attribute of the current json_each element `je`. */
const elementSubLoc = (sub: string): JsonLoc => {
  const path = jsonPath([{ name: sub }]);
  return {
    kind: "json",
    value: `(CASE WHEN je.type = 'object' THEN json_extract(je.value, ${path}) END)`,
    jsonType: `COALESCE(CASE WHEN je.type = 'object' THEN json_type(je.value, ${path}) END, 'null')`,
  };
};

const ELEMENT_SELF: JsonLoc = { kind: "json", value: "je.value", jsonType: "je.type" };

/** Sorts after every other character in binary (UTF-8) order. */
const AFTER_ALL = "\u{10FFFF}";

/** What SQLite's lower() and NOCASE do: ASCII letters only. */
const asciiLower = (s: string): string => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

const SQL_OPS: Readonly<Record<string, string>> = { eq: "=", gt: ">", ge: ">=", lt: "<", le: "<=" };

class Compiler {
  readonly params: unknown[] = [];

  constructor(
    private readonly map: SqlResourceMap,
    private readonly options: CompileOptions = {},
  ) {}

  /** Compiles a filter at the resource level. */
  filter(f: Filter): string {
    switch (f.kind) {
      case "and":
      case "or":
        if (f.items.length === 0) return f.kind === "and" ? "1" : "0";
        return `(${f.items.map((i) => this.filter(i)).join(f.kind === "and" ? " AND " : " OR ")})`;
      case "not":
        return `(${this.filter(f.item)}) IS NOT 1`;
      case "has":
        return this.has(f.attr, f.where);
      case "pr":
      case "cmp": {
        if (f.attr.multiValued) {
          if (f.kind === "cmp" && f.op === "ne" && f.value !== null) {
            return `(${this.has(f.attr, { ...f, op: "eq" })}) IS NOT 1`;
          }
          return this.has(f.attr, f);
        }
        return this.leaf(f, this.locate(f.attr));
      }
    }
  }

  /** A single-valued attribute: its column, or its place in `data`. */
  private locate(ref: AttrRef): Loc {
    const column = this.map.columns.get(mapKey(ref));
    if (column !== undefined) return { kind: "column", value: column, fold: this.map.folded?.get(mapKey(ref)) };
    if (ref.attr === "id" || ref.attr === "meta") throw Errors.invalidFilter(`'${mapKey(ref)}' cannot be filtered here`);
    return jsonLoc(this.map.data, attrPath(ref, true));
  }

  /** Any element of a multi-valued attribute satisfies `where` (EXISTS over its table or json_each). */
  private has(attr: AttrRef, where: Filter): string {
    const subs = new Set<string | undefined>();
    const stack: Filter[] = [where];
    while (stack.length > 0) {
      const f = stack.pop()!;
      if (f.kind === "and" || f.kind === "or") stack.push(...f.items);
      else if (f.kind === "not") stack.push(f.item);
      else if (f.kind === "has") throw Errors.invalidFilter("a value filter cannot nest inside another");
      else {
        if (f.attr.attr !== attr.attr || f.attr.schema !== attr.schema) {
          throw Errors.invalidFilter(`'${mapKey(f.attr)}' is not a sub-attribute of '${mapKey(attr, false)}'`);
        }
        subs.add(f.attr.sub);
      }
    }
    const key = mapKey(attr, false);
    const table = this.map.tables.get(key);
    if (table && [...subs].every((s) => s !== undefined && table.subs.has(s))) {
      const { orgId } = this.options;
      if (orgId !== undefined && table.outerKey !== undefined && table.orgColumn !== undefined) {
        const org = this.bind(orgId);
        const inner = this.element(where, (sub) => ({ kind: "column", value: table.subs.get(sub!)!, fold: table.folded?.get(sub!) }));
        return `${this.map.seq} IN (SELECT ${table.outerKey} FROM ${table.from} WHERE ${table.orgColumn} = ${org} AND ${inner})`;
      }
      const inner = this.element(where, (sub) => ({ kind: "column", value: table.subs.get(sub!)!, fold: table.folded?.get(sub!) }));
      return `EXISTS (SELECT 1 FROM ${table.from} WHERE ${table.on} AND ${inner})`;
    }
    if (table?.exclusive) {
      const bad = [...subs].find((s) => s === undefined || !table.subs.has(s));
      throw Errors.invalidFilter(`'${key}${bad === undefined ? "" : `.${bad}`}' cannot be used in a filter`);
    }
    if (!attr.multiValued) throw Errors.invalidFilter(`'${key}' is not multi-valued`);
    const inner = this.element(where, (sub) => (sub === undefined ? ELEMENT_SELF : elementSubLoc(sub)));
    return `EXISTS (SELECT 1 FROM json_each(${this.map.data}, ${attrPath(attr, false)}) je WHERE ${inner})`;
  }

  /** Compiles `where` for one element; `loc` says where an element's sub-attribute is. */
  private element(f: Filter, loc: (sub: string | undefined) => Loc): string {
    switch (f.kind) {
      case "and":
      case "or":
        if (f.items.length === 0) return f.kind === "and" ? "1" : "0";
        return `(${f.items.map((i) => this.element(i, loc)).join(f.kind === "and" ? " AND " : " OR ")})`;
      case "not":
        return `(${this.element(f.item, loc)}) IS NOT 1`;
      case "has":
        throw Errors.invalidFilter("a value filter cannot nest inside another");
      default:
        return this.leaf(f, loc(f.attr.sub));
    }
  }

  /** A `pr` or comparison on one value; always 0 or 1. */
  private leaf(f: Extract<Filter, { kind: "pr" | "cmp" }>, loc: Loc): string {
    if (f.kind === "pr") return this.present(f.attr, loc);
    if (f.value === null) {
      if (f.op === "eq") return `(${this.present(f.attr, loc)}) IS NOT 1`;
      if (f.op === "ne") return this.present(f.attr, loc);
      return "0";
    }
    if (f.op === "ne") return `(${this.compare(f.attr, "eq", f.value, loc)}) IS NOT 1`;
    return this.compare(f.attr, f.op, f.value, loc);
  }

  private present(ref: AttrRef, loc: Loc): string {
    if (loc.kind === "column") {
      const stringy = ref.type === "string" || ref.type === "reference" || ref.type === "binary";
      return stringy ? `(${loc.value} IS NOT NULL AND ${loc.value} <> '')` : `(${loc.value} IS NOT NULL)`;
    }
    const t = loc.jsonType;
    const v = loc.value;
    return `(${t} IN ('true', 'false', 'integer', 'real') OR (${t} = 'text' AND ${v} <> '') OR (${t} = 'array' AND json_array_length(CASE WHEN ${t} = 'array' THEN ${v} END) > 0) OR (${t} = 'object' AND ${v} <> '{}'))`;
  }

  private bind(v: unknown): string {
    this.params.push(v);
    return "?";
  }

  private compare(ref: AttrRef, op: CompareOp, value: Exclude<FilterValue, null>, loc: Loc): string {
    const guard = (jsonTypes: string, expr: string): string =>
      loc.kind === "column" ? `(${loc.value} IS NOT NULL AND ${expr})` : `(${loc.jsonType} IN (${jsonTypes}) AND ${expr})`;
    const refuse = () => Errors.invalidFilter(`'${op}' cannot compare '${mapKey(ref)}' (${ref.type}) with ${JSON.stringify(value).slice(0, 60)}`);
    switch (ref.type) {
      case "boolean": {
        if (op !== "eq" || typeof value !== "boolean") throw refuse();
        if (loc.kind === "column") return `(${loc.value} IS NOT NULL AND ${loc.value} = ${this.bind(value ? 1 : 0)})`;
        return `(${loc.jsonType} = '${value ? "true" : "false"}')`;
      }
      case "integer":
      case "decimal": {
        const sqlOp = SQL_OPS[op];
        if (sqlOp === undefined || typeof value !== "number" || !Number.isFinite(value)) throw refuse();
        return guard("'integer', 'real'", `${loc.value} ${sqlOp} ${this.bind(value)}`);
      }
      case "dateTime": {
        const sqlOp = SQL_OPS[op];
        const t = typeof value === "string" ? parseDateTime(value) : NaN;
        if (sqlOp === undefined || Number.isNaN(t)) throw Errors.invalidFilter(`'${String(value).slice(0, 60)}' is not a dateTime such as 2024-01-31T12:00:00Z`);
        const iso = this.bind(new Date(t).toISOString());
        if (loc.kind === "column") return `(${loc.value} IS NOT NULL AND ${loc.value} ${sqlOp} ${iso})`;
        const norm = `strftime('%Y-%m-%dT%H:%M:%fZ', ${loc.value})`;
        return `(${loc.jsonType} = 'text' AND ${norm} IS NOT NULL AND ${norm} ${sqlOp} ${iso})`;
      }
      default: {
        if (typeof value !== "string") throw refuse();
        if (!ref.caseExact && loc.kind === "column" && loc.fold !== undefined) {
          return `(${loc.fold} IS NOT NULL AND ${this.foldedOp(loc.fold, op, foldCase(value))})`;
        }
        return guard("'text'", this.stringOp(loc.value, op, value, ref.caseExact));
      }
    }
  }

  /**
   * A string comparison. caseExact=false folds ASCII letters on both sides (lower(), as NOCASE
   * would), and everything compares in binary: NOCASE, LIKE, length() and substr() on TEXT stop at
   * a NUL character ("a\0b" = "A\0C" under NOCASE; LIKE '%a\0b%' is LIKE '%a'), so prefixes and
   * suffixes are compared as UTF-8 bytes (a byte prefix of complete characters is a character prefix).
   */
  private stringOp(x: string, op: CompareOp, value: string, caseExact: boolean): string {
    const subject = caseExact ? x : `lower(${x})`;
    const v = caseExact ? value : asciiLower(value);
    const sqlOp = SQL_OPS[op];
    if (sqlOp !== undefined) return `${subject} ${sqlOp} ${this.bind(v)} COLLATE BINARY`;
    if (op === "co") return `instr(${subject}, ${this.bind(v)}) > 0`;
    const bytes = `CAST(${subject} AS BLOB)`;
    const n = Buffer.byteLength(v, "utf8");
    // Every string starts and ends with "": true for any string value. (An empty Buffer binds as NULL,
    // so the byte comparison below would be NULL: `displayName sw ""` missed a displayName of "".)
    if (n === 0 && (op === "sw" || op === "ew")) return `typeof(${x}) = 'text'`;
    if (op === "sw") return `substr(${bytes}, 1, ${n}) = ${this.bind(Buffer.from(v, "utf8"))}`;
    if (op === "ew") return `(length(${bytes}) >= ${n} AND substr(${bytes}, length(${bytes}) - ${n - 1}) = ${this.bind(Buffer.from(v, "utf8"))})`;
    throw Errors.invalidFilter(`unknown operator '${String(op).slice(0, 20)}'`);
  }

  /**
   * A comparison on a folded column with a folded value: binary, so `eq` and `sw` are ranges of
   * the column's index (`sw` also checks the prefix exactly: the range's upper bound is U+10FFFF).
   */
  private foldedOp(x: string, op: CompareOp, value: string): string {
    if (op === "sw") {
      return `(${x} >= ${this.bind(value)} AND ${x} < ${this.bind(value + AFTER_ALL)} AND ${this.stringOp(x, "sw", value, true)})`;
    }
    return this.stringOp(x, op, value, true);
  }

  /** The value a resource sorts by: the single value, or for a multi-valued attribute the primary or first one. */
  sortKey(ref: AttrRef): string {
    if (!ref.multiValued) {
      return this.locate(ref).value;
    }
    const table = this.map.tables.get(mapKey(ref, false));
    if (table && ref.sub !== undefined && table.subs.has(ref.sub)) {
      const col = table.subs.get(ref.sub)!;
      return `(SELECT ${col} FROM ${table.from} WHERE ${table.on} AND ${col} IS NOT NULL ORDER BY ${table.sortOrder ?? col} LIMIT 1)`;
    }
    if (table?.exclusive) throw Errors.invalidParameter("sortBy", `'${mapKey(ref)}' cannot be sorted on`);
    const value = ref.sub === undefined ? ELEMENT_SELF.value : elementSubLoc(ref.sub).value;
    const primary = elementSubLoc("primary");
    return `(SELECT ${value} FROM json_each(${this.map.data}, ${attrPath(ref, false)}) je WHERE ${value} IS NOT NULL ORDER BY (${primary.jsonType} = 'true') DESC, je.key LIMIT 1)`;
  }
}

/**
 * Compiles a filter to an SQL boolean expression (0 or 1, never NULL) for the map's table, with its
 * parameters in order. Pass `options.orgId` (the org the outer query is limited to) to let
 * emails/members filters use their (org_id, value) index.
 */
export function compileFilter(filter: Filter, map: SqlResourceMap, options: CompileOptions = {}): CompiledFilter {
  const c = new Compiler(map, options);
  const sql = c.filter(filter);
  return { sql, params: c.params };
}

/**
 * Compiles a sort to `ORDER BY ...`, missing values last when ascending and first when descending
 * (RFC 7644 §3.4.2.3), caseExact=false strings without (ASCII) case, ties broken by insertion order.
 */
export function compileSort(sort: SortSpec, map: SqlResourceMap): string {
  const c = new Compiler(map);
  const key = c.sortKey(sort.attr);
  if (c.params.length > 0) throw Errors.internal(new Error("sort compiled with parameters"));
  // A constant (meta.resourceType) is the same for every row: insertion order alone. SQLite would
  // read the folded constant `(…) IS NULL` as a column number and refuse the statement.
  if (/^'[^']*'$/.test(key)) return `ORDER BY ${map.seq}`;
  const dir = sort.descending ? "DESC" : "ASC";
  const stringy = sort.attr.type === "string" || sort.attr.type === "reference" || sort.attr.type === "binary";
  const collate = stringy && !sort.attr.caseExact ? " COLLATE NOCASE" : "";
  return `ORDER BY (${key}) IS NULL ${dir}, (${key})${collate} ${dir}, ${map.seq}`;
}
