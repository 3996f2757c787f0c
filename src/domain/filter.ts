/**
 * The query language the domain and the stores share: a SCIM filter (RFC 7644 §3.4.2.2) after it
 * has been parsed and checked against a schema. The SCIM layer builds it; each store compiles it
 * (SQL for SQLite, a query document for MongoDB) and `matches()` in ./filter-eval.ts evaluates it
 * in memory. Nothing here knows about any of them.
 */

/** The SCIM attribute types a comparison can meet. */
export type AttrType = "string" | "boolean" | "decimal" | "integer" | "dateTime" | "reference" | "binary";

/**
 * A resolved attribute path.
 * - `attr` is the canonical top-level name ("userName", "emails", "name", "meta") or, for an
 *   extension attribute, the canonical name inside that extension.
 * - `schema` is the extension's URN when the attribute belongs to one, otherwise undefined.
 * - `sub` is the canonical sub-attribute ("value", "familyName", "created") or undefined.
 * - `multiValued` says whether `attr` is multi-valued (emails, members, ...): a comparison is then
 *   true when any element satisfies it.
 */
export interface AttrRef {
  schema?: string;
  attr: string;
  sub?: string;
  type: AttrType;
  caseExact: boolean;
  multiValued: boolean;
}

export type CompareOp = "eq" | "ne" | "co" | "sw" | "ew" | "gt" | "ge" | "lt" | "le";

export type FilterValue = string | number | boolean | null;

export type Filter =
  | { kind: "and"; items: Filter[] }
  | { kind: "or"; items: Filter[] }
  | { kind: "not"; item: Filter }
  | { kind: "cmp"; attr: AttrRef; op: CompareOp; value: FilterValue }
  | { kind: "pr"; attr: AttrRef }
  /**
   * A value filter on a multi-valued complex attribute: `emails[type eq "work" and value co "x"]`.
   * `where` is evaluated against one element at a time; its AttrRefs carry the same `attr`
   * and name the element's sub-attribute in `sub`.
   */
  | { kind: "has"; attr: AttrRef; where: Filter };

/** Sorting, resolved against the schema like a filter's attributes. */
export interface SortSpec {
  attr: AttrRef;
  descending: boolean;
}
