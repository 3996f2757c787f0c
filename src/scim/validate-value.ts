/**
 * Type checks for PATCH values after the IdP quirks have been applied (src/scim/quirks.ts): a
 * boolean attribute holds a boolean, a string attribute a string, a complex attribute an object.
 * ReadOnly sub-attributes inside a value are ignored (RFC 7643 §2.2: the server ignores them) and so
 * are sub-attributes the schema does not know, so nothing unknown is ever stored.
 */
import { Errors } from "../domain/errors";
import type { AttributeDef, ResourceSchema } from "./schema-model";

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function checkScalar(value: unknown, def: AttributeDef, label: string): unknown {
  const bad = (want: string) =>
    Errors.invalidValue(`'${label}' must be ${want}; got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}.`);
  switch (def.type) {
    case "boolean":
      if (typeof value !== "boolean") throw bad("true or false");
      return value;
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) throw bad("an integer");
      return value;
    case "decimal":
      if (typeof value !== "number" || !Number.isFinite(value)) throw bad("a number");
      return value;
    case "complex":
      throw bad("an object");
    default: // string, reference, dateTime, binary
      if (typeof value !== "string") throw bad("a string");
      return value;
  }
}

/** Checks one single value (an element, for a multi-valued attribute) and answers a clean copy. */
export function checkSingle(value: unknown, def: AttributeDef, index: ResourceSchema, label: string): unknown {
  if (def.type !== "complex") return checkScalar(value, def, label);
  if (!isObject(value)) throw Errors.invalidValue(`'${label}' must be an object of sub-attributes.`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const sub = index.sub(def, k);
    if (sub === undefined || sub.mutability === "readOnly" || v === null) continue;
    out[sub.name] = checkScalar(v, sub, `${label}.${sub.name}`);
  }
  return out;
}

/** Checks a value for the whole attribute: an array of elements when it is multi-valued. */
export function checkValue(value: unknown, def: AttributeDef, index: ResourceSchema, label: string): unknown {
  if (!def.multiValued) return checkSingle(value, def, index, label);
  if (!Array.isArray(value)) throw Errors.invalidValue(`'${label}' is multi-valued: send an array.`);
  return value.map((v) => checkSingle(v, def, index, label));
}
