/**
 * The membership changes of a PATCH /Groups body written in the plain forms identity providers
 * send for one member at a time, read without the general parse (./parse-request.ts: the
 * envelope's zod schema, the path parser, value normalisation, then ./members.ts), which this
 * answers exactly as it would: the same MemberOps, in the same order. Anything else, including
 * every body the general parse refuses, answers null, and the caller parses it the general way.
 *
 * The forms, each operation one of:
 * - `{"op": "add", "path": "members", "value": [{"value": "id"}, ...]}` (Entra's `"$ref": null` beside
 *   the value allowed: a null sub-attribute is dropped by the general parse);
 * - `{"op": "remove", "path": "members[value eq \"id\"]"}`;
 * - `{"op": "remove", "path": "members", "value": [{"value": "id"}, ...]}` (Entra; the compatible
 *   profile only: the strict one refuses a value on remove).
 * The envelope holds exactly `schemas` (strings, the PatchOp URN among them) and `Operations` (1 to
 * MAX_OPERATIONS); an operation exactly these keys; a member object exactly `value` (and a null
 * `$ref`). Op names are lower case, or any case under the compatible profile (as foldOpName). Ids
 * are of the characters SCIM ids are made of (ASCII letters, digits, `-` and `_`, at most 64): no
 * escape, quote, space or other text the general parse could read differently. Every key is one of
 * those named, so none is a key assertSafeKeys refuses.
 */
import type { MemberOp } from "./members";
import { quirksOn, type ScimProfile } from "../quirks";

const PATCH_OP_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/** As ./parse-request.ts MAX_OPERATIONS: more are for the general parse to refuse. */
const MAX_OPERATIONS = 1000;
/** A value list longer than this is left to the general parse (and its limits on members). */
const MAX_VALUES = 100;

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const VALUE_FILTER = /^members\[value eq "([A-Za-z0-9_-]{1,64})"\]$/;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** Whether `o`'s own keys are among `allowed` (and `required` among them). */
function keysWithin(o: Record<string, unknown>, allowed: readonly string[], required: readonly string[]): boolean {
  let found = 0;
  for (const k in o) {
    if (!Object.hasOwn(o, k) || !allowed.includes(k)) return false;
    if (required.includes(k)) found++;
  }
  return found === required.length && Object.getOwnPropertySymbols(o).length === 0;
}

/** The ids of a list of `{"value": id}` (a null `$ref` beside it), once each in first order; null for anything else. */
function idsOf(value: unknown): string[] | null {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_VALUES) return null;
  const ids: string[] = [];
  for (const m of value) {
    if (!isPlainObject(m) || !keysWithin(m, ["value", "$ref"], ["value"])) return null;
    if (Object.hasOwn(m, "$ref") && m.$ref !== null) return null;
    const id = m.value;
    if (typeof id !== "string" || !ID.test(id)) return null;
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** The op's name as the general parse reads it under `profile`: add or remove, else null. */
function opName(op: unknown, profile: ScimProfile): "add" | "remove" | null {
  if (typeof op !== "string") return null;
  const name = quirksOn(profile) ? op.toLowerCase() : op;
  return name === "add" || name === "remove" ? name : null;
}

/** The body's membership changes when it is written in the plain forms above; null: parse it the general way. */
export function plainMemberOps(body: unknown, profile: ScimProfile): MemberOp[] | null {
  if (!isPlainObject(body) || !keysWithin(body, ["schemas", "Operations"], ["schemas", "Operations"])) return null;
  const { schemas, Operations: operations } = body;
  if (!Array.isArray(schemas) || !schemas.every((s) => typeof s === "string") || !schemas.includes(PATCH_OP_URN)) return null;
  if (!Array.isArray(operations) || operations.length === 0 || operations.length > MAX_OPERATIONS) return null;
  const out: MemberOp[] = [];
  for (const o of operations) {
    if (!isPlainObject(o) || !keysWithin(o, ["op", "path", "value"], ["op", "path"])) return null;
    const op = opName(o.op, profile);
    const path = o.path;
    if (op === null || typeof path !== "string") return null;
    const hasValue = Object.hasOwn(o, "value");
    if (path === "members") {
      // A remove with a value list is Entra's, read under the compatible profile only.
      if (!hasValue || (op === "remove" && !quirksOn(profile))) return null;
      const ids = idsOf(o.value);
      if (ids === null) return null;
      out.push({ kind: op, ids });
      continue;
    }
    const m = op === "remove" && !hasValue ? VALUE_FILTER.exec(path) : null;
    if (m === null) return null;
    out.push({ kind: "remove", ids: [m[1]!] });
  }
  return out;
}
