/**
 * Checks of attribute values (POST/PUT bodies and PATCH values) after the IdP quirks have been
 * applied (src/scim/quirks.ts), against the schema model:
 * - types: a boolean attribute holds a boolean, a string attribute a string, a complex one an object;
 * - canonical values: an attribute that declares them (/Schemas) takes one of them, compared
 *   without case unless caseExact, and is stored in its canonical spelling;
 * - limits: a multi-valued attribute holds at most its `maxValues` (checked before any element);
 * - nothing unknown: a sub-attribute the schema does not have is refused (400 invalidSyntax), never
 *   dropped. ReadOnly sub-attributes inside a value are ignored (RFC 7643 §2.2), null ones unassigned.
 */
import { Errors } from "../domain/errors";
import type { AttributeDef, ResourceSchema } from "./schema-model";

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A wrong scalar, shown (cut to 40 characters) so the error says which value was wrong. */
const shown = (v: unknown): string =>
  typeof v === "string" ? ` '${v.length > 40 ? `${v.slice(0, 40)}...` : v}'` : typeof v === "number" || typeof v === "boolean" ? ` ${String(v)}` : "";

/** `label` names the attribute in an error (with `.sub` after it when given: built only for an error). */
function checkScalar(value: unknown, def: AttributeDef, label: string, sub?: string): unknown {
  const bad = (want: string) =>
    Errors.invalidValue(`'${sub === undefined ? label : `${label}.${sub}`}' must be ${want}; got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}${shown(value)}.`);
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
      return def.canonicalValues ? canonical(value, def, label, sub) : value;
  }
}

/** Each attribute's canonical values by their lower case (the first of the list where two fold alike), made once. */
const lowered = new WeakMap<AttributeDef, ReadonlyMap<string, string>>();
function loweredOf(def: AttributeDef): ReadonlyMap<string, string> {
  let m = lowered.get(def);
  if (!m) {
    const made = new Map<string, string>();
    for (const c of def.canonicalValues!) if (!made.has(c.toLowerCase())) made.set(c.toLowerCase(), c);
    lowered.set(def, (m = made));
  }
  return m;
}

/** The canonical spelling of a value the attribute declares; refused otherwise. */
function canonical(value: string, def: AttributeDef, label: string, sub?: string): string {
  const allowed = def.canonicalValues!;
  const found = def.caseExact ? allowed.find((c) => c === value) : loweredOf(def).get(value.toLowerCase());
  if (found === undefined) throw Errors.notCanonical(sub === undefined ? label : `${label}.${sub}`, allowed, value);
  return found;
}

/** Checks one single value (an element, for a multi-valued attribute) and answers a clean copy. */
export function checkSingle(value: unknown, def: AttributeDef, index: ResourceSchema, label: string): unknown {
  if (def.type !== "complex") return checkScalar(value, def, label);
  if (!isObject(value)) throw Errors.invalidValue(`'${label}' must be an object of sub-attributes.`);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) {
    const v = value[k];
    const sub = index.sub(def, k);
    if (sub === undefined) throw Errors.unknownBodyAttribute(`'${label}'`, k.slice(0, 100));
    if (sub.mutability === "readOnly" || v === null) continue;
    out[sub.name] = checkScalar(v, sub, label, sub.name);
  }
  return out;
}

/** Checks a value for the whole attribute: an array of elements when it is multi-valued. */
export function checkValue(value: unknown, def: AttributeDef, index: ResourceSchema, label: string): unknown {
  if (!def.multiValued) return checkSingle(value, def, index, label);
  if (!Array.isArray(value)) throw Errors.invalidValue(`'${label}' is multi-valued: send an array.`);
  if (def.maxValues !== undefined && value.length > def.maxValues) throw Errors.tooManyValues(label, def.maxValues, value.length);
  return value.map((v) => checkSingle(v, def, index, label));
}
