/**
 * attributes / excludedAttributes (RFC 7644 §3.4.2.5): parsed against the schema model, then
 * applied to a rendered resource. An entry names an attribute (`userName`, `name.givenName`,
 * `urn:...:enterprise:2.0:User:department`) or a whole extension by its bare URN
 * (`urn:...:enterprise:2.0:User`). id and schemas are always returned; meta is returned unless
 * excluded; attributes whose schema says returned "never" are never rendered.
 */
import { Errors } from "../domain/errors";
import type { ResourceSchema } from "./schema-model";

/** One entry: an attribute (`attr`, maybe `sub`, maybe in extension `schema`) or a whole extension (`schema` alone). */
export interface Selected {
  schema?: string;
  attr?: string;
  sub?: string;
}

export interface Projection {
  /** null: no `attributes` parameter. */
  include: Selected[] | null;
  exclude: Selected[];
}

/** Longest `attributes` / `excludedAttributes` value, and most entries in one. */
const MAX_LIST_LENGTH = 4096;
const MAX_LIST_ENTRIES = 100;

const show = (s: string): string => (s.length > 60 ? `${s.slice(0, 60)}...` : s);

/**
 * Splits a list on commas outside brackets and quotes, and drops a value filter
 * (`emails[type eq "work"]` → `emails`, `emails[type eq "work"].value` → `emails.value`):
 * Microsoft's test suite sends that form in `attributes=`.
 */
function splitPaths(text: string, param: string): string[] {
  const out: string[] = [];
  let cur = "";
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
      continue;
    }
    if (c === '"' && depth > 0) quoted = true;
    else if (c === "[") depth++;
    else if (c === "]") {
      if (depth === 0) throw Errors.invalidParameter(param, `unbalanced ']' at position ${i}`);
      depth--;
    } else if (depth === 0) {
      if (c === ",") {
        out.push(cur);
        cur = "";
      } else cur += c;
    }
  }
  if (depth !== 0 || quoted) throw Errors.invalidParameter(param, "unbalanced '['");
  out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** The entry a path names in this resource type, or undefined when the type has no such attribute. */
function select(schema: ResourceSchema, path: string, param: string): Selected | undefined {
  const urn = schema.splitUrn(path);
  if (urn !== undefined && urn.rest === "" && schema.isExtension(urn.schema)) return { schema: urn.schema };
  try {
    const ref = schema.describe(path, param).ref;
    const out: Selected = { attr: ref.attr };
    if (ref.schema !== undefined) out.schema = ref.schema;
    if (ref.sub !== undefined) out.sub = ref.sub;
    return out;
  } catch {
    return undefined;
  }
}

/** The list's entries, split; refused when too long. */
export function listEntries(text: string, param: string): string[] {
  if (text.length > MAX_LIST_LENGTH) throw Errors.invalidParameter(param, `longer than ${MAX_LIST_LENGTH} characters`);
  const paths = splitPaths(text, param);
  if (paths.length > MAX_LIST_ENTRIES) throw Errors.invalidParameter(param, `more than ${MAX_LIST_ENTRIES} attributes`);
  return paths;
}

/**
 * Parses `attributes` or `excludedAttributes` for one resource type. An entry the type does not
 * have is refused (400), unless `unknown` collects it: a search at the service root spans several
 * types (RFC 7644 §3.4.3), and an entry refers to whichever has it.
 */
export function parseSelection(text: string, schema: ResourceSchema, param: string, unknown?: Set<string>): Selected[] {
  const out: Selected[] = [];
  for (const path of listEntries(text, param)) {
    const s = select(schema, path, param);
    if (s) out.push(s);
    else if (unknown) unknown.add(path);
    else throw Errors.invalidParameter(param, `unknown attribute '${show(path)}'. See /Schemas for the attributes this server knows.`);
  }
  return out;
}

const ALWAYS = new Set(["id", "schemas"]);

function pick(resource: Record<string, unknown>, refs: Selected[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ALWAYS) if (resource[k] !== undefined) out[k] = resource[k];
  for (const r of refs) {
    if (r.attr === undefined) {
      if (r.schema !== undefined && resource[r.schema] !== undefined) out[r.schema] = resource[r.schema];
      continue;
    }
    if (r.schema) {
      const ext = resource[r.schema] as Record<string, unknown> | undefined;
      if (!ext || ext[r.attr] === undefined) continue;
      const target = (out[r.schema] ??= {}) as Record<string, unknown>;
      target[r.attr] = r.sub ? subset(ext[r.attr], r.sub) : ext[r.attr];
      continue;
    }
    const v = resource[r.attr];
    if (v === undefined) continue;
    if (!r.sub) {
      out[r.attr] = v;
      continue;
    }
    const s = subset(v, r.sub);
    if (s === undefined) continue;
    const prev = out[r.attr];
    out[r.attr] = Array.isArray(s) && Array.isArray(prev)
      ? prev.map((p, i) => ({ ...(p as object), ...(s[i] as object) }))
      : prev && typeof prev === "object" && !Array.isArray(prev) ? { ...prev, ...(s as object) } : s;
  }
  return out;
}

function subset(v: unknown, sub: string): unknown {
  if (Array.isArray(v)) return v.map((e) => (e && typeof e === "object" && sub in e ? { [sub]: (e as Record<string, unknown>)[sub] } : {}));
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return o[sub] === undefined ? undefined : { [sub]: o[sub] };
  }
  return undefined;
}

function drop(resource: Record<string, unknown>, refs: Selected[]): Record<string, unknown> {
  const out = { ...resource };
  for (const r of refs) {
    if (r.attr === undefined) {
      if (r.schema !== undefined) delete out[r.schema];
      continue;
    }
    if (ALWAYS.has(r.attr) && !r.schema) continue;
    const holder = r.schema ? (out[r.schema] as Record<string, unknown> | undefined) : out;
    if (!holder) continue;
    if (r.schema) out[r.schema] = { ...holder };
    const h = r.schema ? (out[r.schema] as Record<string, unknown>) : out;
    if (!r.sub) {
      delete h[r.attr];
      continue;
    }
    const v = h[r.attr];
    if (Array.isArray(v)) h[r.attr] = v.map((e) => { const c = { ...(e as object) } as Record<string, unknown>; delete c[r.sub as string]; return c; });
    else if (v && typeof v === "object") { const c = { ...(v as object) } as Record<string, unknown>; delete c[r.sub]; h[r.attr] = c; }
  }
  return out;
}

/** Whether `p` leaves every resource as it is (no attributes, no excludedAttributes). */
export const projectsNothing = (p: Projection): boolean => p.include === null && p.exclude.length === 0;

export function project(resource: Record<string, unknown>, p: Projection): Record<string, unknown> {
  if (p.include !== null) return pick(resource, p.include);
  if (p.exclude.length > 0) return drop(resource, p.exclude);
  return resource;
}

/** Whether the projection asks for a core attribute at all (so costly ones, like members, can be skipped). */
export function wants(p: Projection, attr: string): boolean {
  if (p.include !== null) return p.include.some((r) => !r.schema && r.attr === attr);
  return !p.exclude.some((r) => !r.schema && r.attr === attr && !r.sub);
}
