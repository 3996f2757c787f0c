/**
 * Inbound coercion of a POST/PUT body into the attributes a resource stores: IdP quirks first
 * (src/scim/quirks.ts), then canonical names, type checks against the schema, and the RFC 7643
 * rules for what a client cannot set: readOnly attributes (id, meta, groups, ...) are ignored,
 * `password` is write-only and never stored, unknown attributes are ignored.
 */
import { Errors } from "../domain/errors";
import type { ResourceSchema } from "./schema-model";
import { checkValue } from "./validate-value";
import { assertSafeKeys, normalizeBody } from "./quirks";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Attributes a client may send but the server never keeps. */
const NEVER_STORED = new Set(["password"]);

export interface Coerced {
  /** Core attributes, canonical names. */
  core: Record<string, unknown>;
  /** Extension attributes by canonical URN. */
  extensions: Map<string, Record<string, unknown>>;
}

export function coerceBody(body: unknown, index: ResourceSchema): Coerced {
  if (!isObject(body)) throw Errors.invalidBody("The request body must be a JSON object describing the resource.");
  assertSafeKeys(body);
  const schemas = body.schemas ?? body.Schemas;
  if (schemas !== undefined) {
    if (!Array.isArray(schemas) || !schemas.every((s) => typeof s === "string")) {
      throw Errors.schemaMismatch("'schemas' must be an array of schema URNs.");
    }
    if (!schemas.some((s) => (s as string).toLowerCase() === index.coreId.toLowerCase())) {
      throw Errors.schemaMismatch(`'schemas' must include ${index.coreId}.`);
    }
  }
  const normalized = normalizeBody(body, index);
  const core: Record<string, unknown> = {};
  const extensions = new Map<string, Record<string, unknown>>();
  for (const [key, value] of Object.entries(normalized)) {
    if (value === null || value === undefined) continue;
    const urn = index.schemaId(key);
    if (urn !== undefined && urn !== index.coreId) {
      if (!isObject(value)) throw Errors.invalidValue(`'${urn}' must be an object of the extension's attributes.`);
      const ext: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const def = index.extAttr(urn, k);
        if (!def || def.mutability === "readOnly" || v === null || v === undefined) continue;
        ext[def.name] = checkValue(v, def, index, `${urn}:${def.name}`);
      }
      extensions.set(urn, ext);
      continue;
    }
    const def = index.attr(key);
    if (!def || def.mutability === "readOnly" || NEVER_STORED.has(def.name)) continue;
    core[def.name] = checkValue(value, def, index, def.name);
  }
  return { core, extensions };
}
