/**
 * Parses a PATCH request body (RFC 7644 §3.5.2) into `PatchOperation`s: checks the PatchOp envelope
 * with zod (schemas lists `urn:ietf:params:scim:api:messages:2.0:PatchOp`, 1 to 1,000 Operations, op
 * add/remove/replace, remove has a path), applies the IdP quirks of src/scim/quirks.ts, resolves each
 * path against the schema and type-checks each value. Refusals are DomainErrors: invalidPatch for the
 * envelope, invalidPath for unknown attributes, mutability for readOnly, immutable or required
 * targets, invalidValue for values of the wrong type.
 */
import { z } from "zod";
import { Errors } from "../../domain/errors";
import {
  assertSafeKeys, expandPathlessValue, foldOpName, getCI, isExtraAttribute, normalizeValue, removalValues,
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

/** Envelope and operation keys without case (Entra, Microsoft's test); Entra's capitalized op names. */
function foldEnvelope(body: Record<string, unknown>): unknown {
  const ops = getCI(body, "Operations");
  return {
    schemas: getCI(body, "schemas"),
    Operations: Array.isArray(ops)
      ? ops.map((o) => {
        if (!isObject(o)) return o;
        const path = getCI(o, "path");
        return { op: foldOpName(getCI(o, "op")), path: path === null ? undefined : path, value: getCI(o, "value") };
      })
      : ops,
  };
}

/** Parses and normalises a PATCH body. See the file comment for what is refused. */
export function parsePatchRequest(body: unknown, schema: ResourceSchema): PatchOperation[] {
  assertSafeKeys(body);
  if (!isObject(body)) throw Errors.invalidPatch("the body must be a JSON object with schemas and Operations.");
  const parsed = PatchRequestSchema.safeParse(foldEnvelope(body));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    throw Errors.invalidPatch(`${where}${issue?.message ?? "malformed"}.`);
  }
  const out: PatchOperation[] = [];
  for (const raw of parsed.data.Operations) out.push(...normalizeOperation(raw, schema));
  return out;
}

function normalizeOperation(raw: RawOperation, schema: ResourceSchema): PatchOperation[] {
  if (raw.path === undefined) {
    // RFC 7644 §3.5.2.1/§3.5.2.3: without a path, the value is an object of attributes.
    if (!isObject(raw.value)) throw Errors.invalidPatch(`${raw.op} without a path needs an object value.`);
    return expandPathlessValue(raw.value, schema).flatMap(({ path, value }) => {
      if (path.toLowerCase() === "id" && typeof value === "string") return [{ op: "checkId" as const, value }];
      return pathOperation(raw.op, path, value, schema);
    });
  }
  return pathOperation(raw.op, raw.path, raw.value, schema);
}

function pathOperation(op: RawOperation["op"], text: string, value: unknown, schema: ResourceSchema): PatchOperation[] {
  // An identity-provider extra (Okta's password sync) is accepted and discarded, knowingly.
  if (isExtraAttribute(schema.coreId, text)) return [];
  const path = parsePath(text, schema);
  if (path.kind === "extension") {
    if (op === "remove") return [{ op, path }];
    if (!isObject(value)) throw Errors.invalidPatch(`${op} on '${text}' needs an object of its attributes.`);
    return Object.entries(value).flatMap(([k, v]) => pathOperation(op, `${path.schema}:${k}`, v, schema));
  }
  checkMutability(op, path);
  if (op === "remove") return [removeOperation(path, value, schema)];
  if (value === undefined) throw Errors.invalidPatch(`${op} on '${text}' needs a value.`);
  const target = targetDef(path);
  const normalized = normalizeValue(value, target, schema);
  // A null value (or Entra's `"manager": ""`) unassigns the attribute (RFC 7643 §2.5).
  const wholeList = path.def.multiValued && path.sub === undefined && path.filter === undefined;
  if (normalized === null || (wholeList && op === "replace" && Array.isArray(normalized) && normalized.length === 0)) {
    return [removeOperation(path, undefined, schema)];
  }
  const label = path.sub ? `${path.attr}.${path.sub}` : path.attr;
  if (!wholeList) return [{ op, path, value: checkSingle(normalized, target, schema, label) }];
  return [{ op, path, value: checkValue(normalized, target, schema, label) }];
}

/** The definition a value at this path must satisfy: the sub-attribute, one element, or the attribute. */
function targetDef(path: AttrPath): AttributeDef {
  if (path.subDef) return path.subDef;
  if (path.filter) return { ...path.def, multiValued: false };
  return path.def;
}

function removeOperation(path: AttrPath, value: unknown, schema: ResourceSchema): PatchOperation {
  if (path.def.required && path.sub === undefined && path.filter === undefined) {
    throw Errors.mutability(path.attr, "it is required; replace it with a new value instead");
  }
  if (path.def.multiValued && path.filter === undefined && path.sub === undefined) {
    const values = removalValues(value, path.def);
    if (values !== undefined) {
      const element = { ...path.def, multiValued: false };
      return { op: "remove", path, values: values.map((v) => checkSingle(normalizeValue(v, element, schema), element, schema, path.attr)) };
    }
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
