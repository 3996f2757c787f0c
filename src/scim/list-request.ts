/**
 * The list parameters of RFC 7644 §3.4.2 (query string) and §3.4.3 (.search body), parsed and
 * bounded: filter, sortBy, sortOrder, startIndex, count (capped at maxResults), cursor (RFC 9865),
 * attributes and excludedAttributes.
 */
import { Errors } from "../domain/errors";
import type { ListQuery } from "../domain/ports/store";
import { parseFilter, parseSortBy } from "./filter/parse";
import { parseSelection, type Projection } from "./projection";
import type { ResourceType } from "./resource-types";

export interface ListRequest {
  query: ListQuery;
  projection: Projection;
}

const INT = /^-?\d{1,15}$/;

function intParam(name: string, raw: unknown): number | undefined {
  if (raw === undefined || raw === null || raw === "") return undefined;
  if (typeof raw === "number" && Number.isInteger(raw)) return raw;
  if (typeof raw === "string" && INT.test(raw.trim())) return Number(raw.trim());
  if (typeof raw === "string" && /^\d+(\.\d+)?e\d+$/i.test(raw.trim())) return Number.MAX_SAFE_INTEGER;
  throw Errors.invalidParameter(name, `expected an integer, got ${JSON.stringify(raw).slice(0, 40)}.`);
}

function stringParam(name: string, raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (Array.isArray(raw)) throw Errors.invalidParameter(name, "give it once.");
  if (typeof raw !== "string") throw Errors.invalidParameter(name, "expected a string.");
  return raw;
}

/** Reads parameters case-insensitively, so `startindex` and `startIndex` both work. */
function lowerKeys(params: Record<string, unknown>): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const [k, v] of Object.entries(params)) m.set(k.toLowerCase(), v);
  return m;
}

export function parseListRequest(raw: Record<string, unknown>, type: ResourceType, maxResults: number): ListRequest {
  const p = lowerKeys(raw);
  for (const key of p.keys()) if (key.includes("[") || key.startsWith("$")) throw Errors.invalidParameter(key, "unknown parameter.");
  const filterText = stringParam("filter", p.get("filter"));
  const sortBy = stringParam("sortBy", p.get("sortby"));
  const sortOrder = stringParam("sortOrder", p.get("sortorder"));
  if (sortOrder !== undefined && !/^(ascending|descending)$/i.test(sortOrder)) {
    throw Errors.invalidParameter("sortOrder", "use ascending or descending.");
  }
  const startIndex = Math.max(1, intParam("startIndex", p.get("startindex")) ?? 1);
  const count = Math.min(maxResults, Math.max(0, intParam("count", p.get("count")) ?? maxResults));
  const cursor = stringParam("cursor", p.get("cursor"));
  if (cursor !== undefined && cursor.length > 256) throw Errors.invalidCursor();

  const query: ListQuery = { startIndex, count };
  if (filterText !== undefined && filterText.trim() !== "") query.filter = parseFilter(filterText, type.resolver);
  if (sortBy !== undefined && sortBy.trim() !== "") {
    query.sort = { attr: parseSortBy(sortBy, type.resolver), descending: /^descending$/i.test(sortOrder ?? "") };
  }
  if (cursor !== undefined) query.cursor = cursor;
  return { query, projection: parseProjection(raw, type) };
}

/**
 * attributes / excludedAttributes. With `unknown`, entries this type does not have are collected
 * there instead of refused (a search at the service root spans several types).
 */
export function parseProjection(raw: Record<string, unknown>, type: ResourceType, unknown?: Set<string>): Projection {
  const p = lowerKeys(raw);
  const include = stringParam("attributes", p.get("attributes"));
  const exclude = stringParam("excludedAttributes", p.get("excludedattributes"));
  return {
    include: include !== undefined && include.trim() !== "" ? parseSelection(include, type.schema, "attributes", unknown) : null,
    exclude: exclude !== undefined && exclude.trim() !== "" ? parseSelection(exclude, type.schema, "excludedAttributes", unknown) : [],
  };
}
