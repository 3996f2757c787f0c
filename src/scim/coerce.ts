/**
 * Inbound coercion of a POST/PUT body into the attributes a resource stores: IdP quirks first
 * (src/scim/quirks.ts), then canonical names, type checks against the schema model, and the
 * RFC 7643 rules for what a client cannot set: readOnly attributes (id, meta, groups, ...) are
 * ignored (§2.2), null means unassigned (§2.5). Nothing unknown is dropped: an attribute,
 * sub-attribute or schema URN the resource type does not have is refused with 400 invalidSyntax
 * (interop profile §5.3), except the identity-provider extras accepted and discarded knowingly
 * (quirks.ts IDP_EXTRAS) under the `compatible` profile; under `strict` no quirk and no extra.
 */
import { Errors } from "../domain/errors";
import { assertSafeKeys, isExtraAttribute, isExtraSchema, normalizeBody, type ScimProfile } from "./quirks";
import type { ResourceSchema } from "./schema-model";
import { checkValue } from "./validate-value";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export interface Coerced {
  /** Core attributes, canonical names. */
  core: Record<string, unknown>;
  /** Extension attributes by canonical URN. */
  extensions: Map<string, Record<string, unknown>>;
}

const clip = (s: string): string => (s.length > 100 ? `${s.slice(0, 100)}...` : s);
const resourceName = (schema: ResourceSchema): string => `The ${schema.coreId.slice(schema.coreId.lastIndexOf(":") + 1)} resource`;

/** `schemas`: an array of URNs naming the core schema, and otherwise only this type's extensions. */
function checkSchemas(schemas: unknown, schema: ResourceSchema, profile: ScimProfile): void {
  if (schemas === undefined) return;
  if (!Array.isArray(schemas) || !schemas.every((s) => typeof s === "string")) {
    throw Errors.schemaMismatch("'schemas' must be an array of schema URNs.");
  }
  if (!schemas.some((s) => (s as string).toLowerCase() === schema.coreId.toLowerCase())) {
    throw Errors.schemaMismatch(`'schemas' must include ${schema.coreId}.`);
  }
  for (const urn of schemas as string[]) {
    if (schema.schemaId(urn) !== undefined) continue;
    if (isExtraSchema(schema.coreId, urn, profile)) continue;
    throw Errors.unknownSchema(clip(urn));
  }
}

export function coerceBody(body: unknown, schema: ResourceSchema, profile: ScimProfile): Coerced {
  if (!isObject(body)) throw Errors.invalidBody("The request body must be a JSON object describing the resource.");
  assertSafeKeys(body);
  return coerceGuardedBody(body, schema, profile);
}

/**
 * coerceBody for a body that has passed assertSafeKeys already, as part of what holds it (an
 * imported line is guarded whole when it is read: src/cli/import-lines.ts): the same checks but
 * that walk, which would visit every value a second time.
 */
export function coerceGuardedBody(body: Record<string, unknown>, schema: ResourceSchema, profile: ScimProfile): Coerced {
  const schemasKey = Object.keys(body).find((k) => k.toLowerCase() === "schemas");
  checkSchemas(schemasKey === undefined ? undefined : body[schemasKey], schema, profile);
  const normalized = normalizeBody(body, schema, profile);
  const core: Record<string, unknown> = {};
  const extensions = new Map<string, Record<string, unknown>>();
  for (const key of Object.keys(normalized)) {
    const value = normalized[key];
    if (key === schemasKey || key.toLowerCase() === "schemas") continue;
    const urn = schema.schemaId(key);
    if (urn !== undefined || key.slice(0, 4).toLowerCase() === "urn:") {
      if (urn === undefined || !schema.isExtension(urn)) throw Errors.unknownSchema(clip(key));
      if (value === null || value === undefined) continue;
      if (!isObject(value)) throw Errors.invalidValue(`'${urn}' must be an object of the extension's attributes.`);
      const ext: Record<string, unknown> = {};
      for (const k of Object.keys(value)) {
        const v = value[k];
        const def = schema.extAttr(urn, k);
        if (!def) throw Errors.unknownBodyAttribute(`The extension ${urn}`, clip(k));
        if (def.mutability === "readOnly" || v === null || v === undefined) continue;
        ext[def.name] = checkValue(v, def, schema, `${urn}:${def.name}`);
      }
      extensions.set(urn, ext);
      continue;
    }
    const def = schema.attr(key);
    if (!def) {
      if (isExtraAttribute(schema.coreId, key, profile)) continue;
      throw Errors.unknownBodyAttribute(resourceName(schema), clip(key));
    }
    if (def.mutability === "readOnly" || value === null || value === undefined) continue;
    core[def.name] = checkValue(value, def, schema, def.name);
  }
  return { core, extensions };
}
