/**
 * attributes / excludedAttributes (RFC 7644 §3.4.2.5) applied to a rendered resource.
 * id and schemas are always returned; meta is returned unless excluded; attributes whose schema
 * says returned "never" are never returned, "always" ones always.
 */
import type { AttrRef } from "../domain/filter";

export interface Projection {
  include: AttrRef[] | null;
  exclude: AttrRef[];
}

const ALWAYS = new Set(["id", "schemas"]);

const keyOf = (r: AttrRef): string => (r.schema ? r.schema : r.attr);

function pick(resource: Record<string, unknown>, refs: AttrRef[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ALWAYS) if (resource[k] !== undefined) out[k] = resource[k];
  for (const r of refs) {
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

function drop(resource: Record<string, unknown>, refs: AttrRef[]): Record<string, unknown> {
  const out = { ...resource };
  for (const r of refs) {
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

export function project(resource: Record<string, unknown>, p: Projection): Record<string, unknown> {
  if (p.include && p.include.length > 0) return pick(resource, p.include);
  if (p.exclude.length > 0) return drop(resource, p.exclude);
  return resource;
}

/** Whether the projection asks for an attribute at all (so costly ones, like members, can be skipped). */
export function wants(p: Projection, attr: string): boolean {
  if (p.include && p.include.length > 0) return p.include.some((r) => !r.schema && r.attr === attr);
  return !p.exclude.some((r) => !r.schema && r.attr === attr && !r.sub);
}

export { keyOf };
