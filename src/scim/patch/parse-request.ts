/**
 * Parses a PATCH request body (RFC 7644 §3.5.2) into `PatchOperation`s: checks the PatchOp envelope
 * with zod (schemas lists `urn:ietf:params:scim:api:messages:2.0:PatchOp`, 1 to 1,000 Operations, op
 * add/remove/replace, remove has a path), applies the IdP quirks of src/scim/quirks.ts, resolves each
 * path against the schema and type-checks each value. Refusals are DomainErrors: invalidPatch for the
 * envelope, invalidPath for unknown attributes, mutability for readOnly, immutable or required
 * targets, invalidValue for values of the wrong type. Under the organization's `strict` SCIM profile
 * no quirk applies (src/scim/quirks.ts QUIRKS): op names in lower case only, a path-less value holds
 * attribute names and extension objects only, no echoed id, remove takes no value, and a replace of
 * a complex attribute or of an extension replaces it whole.
 */
import { z } from "zod";
import { Errors } from "../../domain/errors";
import {
  assertSafeKeys, expandPathlessValue, foldOpName, getCI, isExtraAttribute, normalizeValue, quirksOn, removalValues, type ScimProfile,
} from "../quirks";
import type { PatchOperation } from "./operation";
import { parsePath, type AttrPath, type PatchPath } from "./path";
import type { AttributeDef, ResourceSchema } from "../schema-model";
import { checkSingle, checkValue } from "../validate-value";

export const PATCH_OP_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const MAX_OPERATIONS = 1000;

const OperationSchema = z.object({
  op: z.enum(["add", "remove", "replace"], { error: "op must be add, remove or replace" }),
  path: z.string().max(1024).optional(),
  value: z.unknown().optional(),
}).refine((o) => o.op !== "remove" || o.path !== undefined, { message: "remove needs a path", path: ["path"] });

const PatchRequestSchema = z.object({
  schemas: z.array(z.string()).refine((s) => s.includes(PATCH_OP_URN), { message: `schemas must include ${PATCH_OP_URN}` }),
  Operations: z.array(OperationSchema).min(1, "Operations must not be empty").max(MAX_OPERATIONS, `at most ${MAX_OPERATIONS} Operations per request`),
});

type RawOperation = z.infer<typeof OperationSchema>;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Envelope and operation keys without case (RFC 7643 §2.1; Entra and Microsoft's test send
 * `"Operations"`, `"Op"`); Entra's capitalized op names under `compatible` only.
 */
function foldEnvelope(body: Record<string, unknown>, profile: ScimProfile): unknown {
  const ops = getCI(body, "Operations");
  const opName = (op: unknown): unknown => {
    if (quirksOn(profile)) return foldOpName(op);
    if (typeof op === "string" && op !== op.toLowerCase() && ["add", "remove", "replace"].includes(op.toLowerCase())) {
      throw Errors.invalidPatch(`op '${op}' must be written '${op.toLowerCase()}' (RFC 7644 §3.5.2); this organization's SCIM profile is strict.`);
    }
    return op;
  };
  return {
    schemas: getCI(body, "schemas"),
    Operations: Array.isArray(ops)
      ? ops.map((o) => {
        if (!isObject(o)) return o;
        const path = getCI(o, "path");
        return { op: opName(getCI(o, "op")), path: path === null ? undefined : path, value: getCI(o, "value") };
      })
      : ops,
  };
}

/** Parses and normalises a PATCH body. See the file comment for what is refused. */
export function parsePatchRequest(body: unknown, schema: ResourceSchema, profile: ScimProfile): PatchOperation[] {
  assertSafeKeys(body);
  if (!isObject(body)) throw Errors.invalidPatch("the body must be a JSON object with schemas and Operations.");
  const parsed = PatchRequestSchema.safeParse(foldEnvelope(body, profile));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    throw Errors.invalidPatch(`${where}${issue?.message ?? "malformed"}.`);
  }
  const out: PatchOperation[] = [];
  for (const raw of parsed.data.Operations) out.push(...normalizeOperation(raw, schema, profile));
  return out;
}

/**
 * Strict: a path-less value's keys are attribute names or extension URNs (RFC 7644 §3.5.2.1: "the
 * value MUST ... contain the attributes"), never paths such as Entra's `name.givenName`.
 */
function checkPathlessKeys(value: Record<string, unknown>, schema: ResourceSchema): void {
  for (const [key, v] of Object.entries(value)) {
    const urn = schema.schemaId(key);
    if (urn !== undefined && urn !== schema.coreId && isObject(v)) continue;
    if (schema.attr(key) !== undefined) continue;
    if (key.includes(".") || key.slice(0, 4).toLowerCase() === "urn:") {
      throw Errors.invalidPath(key.slice(0, 100), "a path-less value holds attribute names and extension objects, not paths (RFC 7644 §3.5.2); send it as an operation with this path. This organization's SCIM profile is strict.");
    }
  }
}

function normalizeOperation(raw: RawOperation, schema: ResourceSchema, profile: ScimProfile): PatchOperation[] {
  if (raw.path === undefined) {
    // RFC 7644 §3.5.2.1/§3.5.2.3: without a path, the value is an object of attributes.
    if (!isObject(raw.value)) throw Errors.invalidPatch(`${raw.op} without a path needs an object value.`);
    if (!quirksOn(profile)) checkPathlessKeys(raw.value, schema);
    return expandPathlessValue(raw.value, schema).flatMap(({ path, value }) => {
      if (path.toLowerCase() === "id") {
        // Okta echoes the group's own id; strict: id is read-only (RFC 7643 §3.1).
        if (quirksOn(profile) && typeof value === "string") return [{ op: "checkId" as const, value }];
        throw Errors.mutability("id", "it is set by the server");
      }
      return pathOperation(raw.op, path, value, schema, profile);
    });
  }
  return pathOperation(raw.op, raw.path, raw.value, schema, profile);
}

function pathOperation(op: RawOperation["op"], text: string, value: unknown, schema: ResourceSchema, profile: ScimProfile): PatchOperation[] {
  // An identity-provider extra (Okta's password sync) is accepted and discarded, knowingly.
  if (isExtraAttribute(schema.coreId, text, profile)) return [];
  const path = parsePath(text, schema);
  if (path.kind === "extension") {
    if (op === "remove") return [{ op, path }];
    if (!isObject(value)) throw Errors.invalidPatch(`${op} on '${text}' needs an object of its attributes.`);
    const ops = Object.entries(value).flatMap(([k, v]) => pathOperation(op, `${path.schema}:${k}`, v, schema, profile));
    // Strict (interop profile): a replace of the extension replaces it whole.
    return op === "replace" && !quirksOn(profile) ? [{ op: "remove", path }, ...ops] : ops;
  }
  checkMutability(op, path);
  if (op === "remove") return [removeOperation(path, value, schema, profile)];
  if (value === undefined) throw Errors.invalidPatch(`${op} on '${text}' needs a value.`);
  const target = targetDef(path);
  const normalized = normalizeValue(value, target, schema, profile);
  // A null value (or Entra's `"manager": ""`) unassigns the attribute (RFC 7643 §2.5).
  const wholeList = path.def.multiValued && path.sub === undefined && path.filter === undefined;
  if (normalized === null || (wholeList && op === "replace" && Array.isArray(normalized) && normalized.length === 0)) {
    return [removeOperation(path, undefined, schema, profile)];
  }
  const label = path.sub ? `${path.attr}.${path.sub}` : path.attr;
  if (!wholeList) {
    // Strict (interop profile): a replace of a complex attribute replaces it whole; compatible
    // merges the given sub-attributes (RFC 7644 §3.5.2.3).
    const whole = op === "replace" && !quirksOn(profile) && target.type === "complex" && path.sub === undefined;
    return [{ op, path, value: checkSingle(normalized, target, schema, label), ...(whole ? { whole: true } : {}) }];
  }
  return [{ op, path, value: checkValue(normalized, target, schema, label) }];
}

/** The definition a value at this path must satisfy: the sub-attribute, one element, or the attribute. */
function targetDef(path: AttrPath): AttributeDef {
  if (path.subDef) return path.subDef;
  if (path.filter) return { ...path.def, multiValued: false };
  return path.def;
}

function removeOperation(path: AttrPath, value: unknown, schema: ResourceSchema, profile: ScimProfile): PatchOperation {
  if (path.def.required && path.sub === undefined && path.filter === undefined) {
    throw Errors.mutability(path.attr, "it is required; replace it with a new value instead");
  }
  if (path.def.multiValued && path.filter === undefined && path.sub === undefined) {
    const values = removalValues(value, path.def, profile);
    if (values !== undefined) {
      const element = { ...path.def, multiValued: false };
      return { op: "remove", path, values: values.map((v) => checkSingle(normalizeValue(v, element, schema, profile), element, schema, path.attr)) };
    }
  } else if (!quirksOn(profile) && value !== undefined && value !== null) {
    throw Errors.invalidPatch(`remove takes no value (RFC 7644 §3.5.2.2); the path '${path.text}' says what to remove. This organization's SCIM profile is strict.`);
  }
  return { op: "remove", path };
}

/** RFC 7643 §2.2: immutable attributes may be added once but never replaced or removed. */
function checkMutability(op: RawOperation["op"], path: AttrPath): void {
  const immutable = path.subDef?.mutability === "immutable" || (path.sub === undefined && path.def.mutability === "immutable");
  if (immutable && op !== "add") {
    throw Errors.mutability(path.sub ? `${path.attr}.${path.sub}` : path.attr, "it is immutable: it can be set once but not replaced or removed");
  }
}

export type { PatchPath };
