/**
 * THE one named place for what identity providers actually send (docs/idp-quirks.md).
 * Each quirk is a small exported function whose comment names the IdP and the behaviour, so a
 * reviewer can see every tolerance orgscim grants and the test that pins it
 * (test/scim/quirks.test.ts). An IdP that gets errors quarantines the integration, so tolerance here
 * is deliberate; everything else stays strict.
 *
 * Also here: `assertSafeKeys`, the guard every request body passes before anything walks it.
 */
import { Errors } from "../domain/errors";
import type { ScimProfile } from "../domain/types";
import type { AttributeDef, ResourceSchema } from "./schema-model";

export type { ScimProfile };

/**
 * Every tolerance orgscim grants an identity provider beyond RFC 7643/7644 read literally, as data.
 * The organization's SCIM profile (OrgSettings.scimProfile) decides: `compatible` applies them all,
 * `strict` none (each request shape is then refused, or read as the RFC says). test/scim/profile.test.ts
 * is generated from this list (each quirk accepted under compatible, refused or not applied under
 * strict), and docs/idp-quirks.md lists it: a quirk added here without its example fails that test.
 * `rfc` names what strict does instead.
 */
export const QUIRKS = [
  { id: "string-booleans", idp: "Microsoft Entra ID (default dialect), Microsoft's Postman test", what: "booleans sent as strings: \"active\": \"False\", \"primary\": \"true\"", rfc: "refused: a boolean attribute takes true or false (400 invalidValue)" },
  { id: "single-element-array", idp: "Microsoft Entra ID", what: "a single-valued attribute's value wrapped in a one-element array: \"value\": [\"Sales\"]", rfc: "refused (400 invalidValue)" },
  { id: "bare-string-complex", idp: "Microsoft Entra ID", what: "the enterprise manager as a bare id, \"manager\": \"id\", and \"\" to clear it", rfc: "refused: manager is complex, send {\"value\": \"id\"} (400 invalidValue)" },
  { id: "bare-string-elements", idp: "Microsoft's Postman test, some clients", what: "members (and other complex multi-valued attributes) as bare ids, or one element without an array", rfc: "refused: send an array of objects (400 invalidValue)" },
  { id: "capitalized-ops", idp: "Microsoft Entra ID (default dialect)", what: "PATCH op names Add, Replace, Remove", rfc: "refused: op is add, remove or replace (400 invalidSyntax)" },
  { id: "remove-with-value", idp: "Microsoft Entra ID (default dialect)", what: "remove members by a value array: {\"op\":\"Remove\",\"path\":\"members\",\"value\":[{\"value\":\"id\"}]}", rfc: "refused: remove takes no value; name the elements with a filter, members[value eq \"id\"] (400 invalidSyntax)" },
  { id: "dotted-pathless-keys", idp: "Microsoft Entra ID (aadOptscim062020)", what: "a path-less replace whose value keys are paths: {\"name.givenName\": \"Z\"}, {\"urn:...:enterprise:2.0:User:department\": \"X\"}", rfc: "refused: a path-less value holds attribute names and extension objects (400 invalidPath)" },
  { id: "echoed-id", idp: "Okta (group push)", what: "a path-less replace that echoes the resource's own id", rfc: "refused: id is read-only (400 mutability)" },
  { id: "role-aliases", idp: "identity providers' role dropdowns", what: "orgRole \"admin\", \"Standard User\"; accountRole \"Billing Manager\"", rfc: "refused: only the canonical values /Schemas declares (400 invalidValue)" },
  { id: "extra-password", idp: "Okta (Sync password), Microsoft's tests", what: "a User's password, accepted and discarded (orgscim keeps none)", rfc: "refused as an unknown attribute (400 invalidSyntax)" },
  { id: "extra-adscim-urn", idp: "Microsoft Entra ID", what: "the ADSCIM Group URN in a Group's schemas, accepted and ignored", rfc: "refused as an unknown schema (400 invalidSyntax)" },
  { id: "complex-replace-merges", idp: "RFC 7644 §3.5.2.3 read literally (every IdP relies on it)", what: "PATCH replace of a complex attribute merges the given sub-attributes and keeps the others", rfc: "the interop profile: replace of a complex attribute (or an extension) replaces it whole" },
] as const;

export type QuirkId = (typeof QUIRKS)[number]["id"];

/** Whether the organization's profile grants identity providers' quirks (`compatible`). */
export const quirksOn = (profile: ScimProfile): boolean => profile !== "strict";

/** Keys refused anywhere in a request body (prototype pollution, docs/security.md#case-12). */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** The deepest nesting a request body may have. */
export const MAX_BODY_DEPTH = 32;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Refuses (Errors.forbiddenKey) a key `__proto__`, `constructor` or `prototype` at any depth, and
 * (Errors.tooDeep) nesting deeper than `maxDepth`. Iterative, so JSON nested 100,000 deep cannot
 * overflow the stack; it stops at the first level past the limit.
 */
export function assertSafeKeys(body: unknown, maxDepth = MAX_BODY_DEPTH): void {
  // Two parallel stacks of the objects still to visit and their depths (no pair allocated a value:
  // every request body and every imported line passes here); scalars are never pushed.
  const nodes: object[] = [];
  const depths: number[] = [];
  if (typeof body === "object" && body !== null) {
    nodes.push(body);
    depths.push(0);
  }
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth >= maxDepth) throw Errors.tooDeep(maxDepth);
    if (Array.isArray(node)) {
      for (const item of node as unknown[]) {
        if (typeof item === "object" && item !== null) {
          nodes.push(item);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    for (const key of Object.keys(node)) {
      if (FORBIDDEN_KEYS.has(key)) throw Errors.forbiddenKey(key);
      const child = (node as Record<string, unknown>)[key];
      if (typeof child === "object" && child !== null) {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
}

/**
 * Keys compared without case (RFC 7643 §2.1 says attribute names are case-insensitive). Entra and
 * Microsoft's test send `"Operations"` and `"Primary": true`; others send `"operations"`.
 * Answers the value of the first own key equal to `key` without case.
 */
export function getCI(obj: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(obj, key)) return obj[key];
  const low = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === low) return obj[k];
  return undefined;
}

/**
 * What identity providers send that orgscim has no place for: each is accepted and discarded,
 * knowingly, in a body and in PATCH; anything else unknown is refused (400 invalidSyntax), so a
 * typo in an IdP's attribute mapping fails loudly instead of losing data.
 * - `password` on a User: Okta ("Sync password", POST, PUT or a PATCH replace) and Microsoft's
 *   tests send an initial password; orgscim never stores one (people set theirs when they sign
 *   in), and /Schemas does not list it.
 * - `http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group` in a Group's
 *   `schemas`: Microsoft Entra ID lists it on POST /Groups; it defines nothing orgscim keeps.
 */
export const IDP_EXTRAS: { readonly attributes: ReadonlyMap<string, ReadonlySet<string>>; readonly schemas: ReadonlyMap<string, ReadonlySet<string>> } = {
  attributes: new Map([["urn:ietf:params:scim:schemas:core:2.0:User", new Set(["password"])]]),
  schemas: new Map([["urn:ietf:params:scim:schemas:core:2.0:Group", new Set(["http://schemas.microsoft.com/2006/11/resourcemanagement/adscim/2.0/group"])]]),
};

/** Whether `name` (an attribute, compared without case) is an IdP extra of the resource type `coreId` (never under strict). */
export const isExtraAttribute = (coreId: string, name: string, profile: ScimProfile): boolean =>
  quirksOn(profile) && IDP_EXTRAS.attributes.get(coreId)?.has(name.toLowerCase()) === true;

/** Whether `urn` (compared without case) is an IdP extra in the `schemas` of the resource type `coreId` (never under strict). */
export const isExtraSchema = (coreId: string, urn: string, profile: ScimProfile): boolean =>
  quirksOn(profile) && IDP_EXTRAS.schemas.get(coreId)?.has(urn.toLowerCase()) === true;

/** Microsoft Entra ID (default dialect) sends capitalized ops: `Replace`, `Add`, `Remove`. */
export function foldOpName(op: unknown): unknown {
  return typeof op === "string" ? op.toLowerCase() : op;
}

/**
 * Microsoft Entra ID (default dialect) and Microsoft's Postman test send booleans as strings:
 * `"active": "False"`, `"value": "True"`, `"primary": "true"`. Converted without case where the
 * schema says the attribute is boolean; any other string is left for validation to refuse.
 */
export function stringToBoolean(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const low = value.toLowerCase();
  return low === "true" ? true : low === "false" ? false : value;
}

/**
 * Microsoft Entra ID sometimes wraps a single-valued attribute's PATCH replace value in a
 * one-element array (`"value": ["Sales"]` for `department`). Unwrapped when the target is single-valued.
 */
export function unwrapSingleElementArray(value: unknown): unknown {
  return Array.isArray(value) && value.length === 1 ? value[0] : value;
}

/**
 * Microsoft Entra ID sends the enterprise `manager` as a bare string id (`"manager": "id"`, or value
 * `"id"` on path `urn:...:enterprise:2.0:User:manager`) and clears it with `""`.
 * Applies to any single-valued complex attribute with a `value` sub-attribute: a string becomes
 * `{value}`, and `""` answers null, meaning "clear it".
 */
export function bareStringToComplex(value: unknown, def: AttributeDef): unknown {
  if (typeof value !== "string" || def.type !== "complex") return value;
  if (!def.subAttributes?.some((s) => s.name === "value")) return value;
  return value === "" ? null : { value };
}

/**
 * Microsoft's Postman test adds a member as a bare string
 * (`{"op":"add","path":"members","value":"string id 1"}`); some clients send an array of strings.
 * For a multi-valued complex attribute with a `value` sub-attribute, each bare string becomes
 * `{value}` and a lone element is wrapped in an array.
 */
export function toElementArray(value: unknown, def: AttributeDef): unknown[] {
  const items = Array.isArray(value) ? value : [value];
  if (def.type !== "complex" || !def.subAttributes?.some((s) => s.name === "value")) return items;
  return items.map((v) => (typeof v === "string" ? { value: v } : v));
}

/**
 * Microsoft Entra ID adds members as `{"$ref": null, "value": "id"}`. A null sub-attribute means
 * "unassigned" (RFC 7643 §2.5), so null sub-attributes are dropped from complex values.
 */
function dropNullSubAttributes(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) if (value[k] !== null) out[k] = value[k];
  return out;
}

/**
 * Okta's group push sends a path-less `{"op":"replace","value":{"id":..., "displayName":...}}` on
 * every membership update. An `id` equal to the resource's own id changes nothing and is ignored,
 * not refused; a different id is still a mutability error.
 */
export function isEchoedId(value: unknown, resourceId: unknown): boolean {
  return typeof value === "string" && value === resourceId;
}

/**
 * Microsoft Entra ID (compliant `aadOptscim062020` flag) sends one path-less replace whose value
 * keys are dotted or URN paths:
 * `{"name.givenName":"Z","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"7"}`.
 * Every path-less add/replace is expanded into one op per key; a key that is exactly an extension
 * URN with an object value (`{"urn:...:enterprise:2.0:User": {"department": "X"}}`) expands into one
 * op per attribute of that extension. Key order is kept.
 */
export function expandPathlessValue(
  value: Record<string, unknown>,
  index: ResourceSchema,
): Array<{ path: string; value: unknown }> {
  const out: Array<{ path: string; value: unknown }> = [];
  for (const [key, v] of Object.entries(value)) {
    const urn = index.schemaId(key);
    if (urn !== undefined && urn !== index.coreId && isObject(v)) {
      for (const [sub, sv] of Object.entries(v)) out.push({ path: `${urn}:${sub}`, value: sv });
    } else {
      out.push({ path: key, value: v });
    }
  }
  return out;
}

/**
 * Microsoft Entra ID (default dialect) removes members with a value array:
 * `{"op":"Remove","path":"members","value":[{"value":"u1"}]}` means "remove u1", not "remove all".
 * Answers the elements to remove (bare strings become `{value}`), or undefined when there is no value.
 * An empty array removes nothing: it never widens into "remove all".
 */
export function removalValues(value: unknown, def: AttributeDef, profile: ScimProfile): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!quirksOn(profile)) {
    throw Errors.invalidPatch(`remove takes no value (RFC 7644 §3.5.2.2): name the elements to remove with a filter, as ${def.name}[value eq "..."]. This organization's SCIM profile is strict.`);
  }
  return toElementArray(value, def).map((v) => (isObject(v) ? dropNullSubAttributes(v) : v));
}

/**
 * Normalises one attribute value against its definition. In both profiles: sub-attribute keys in any
 * case (`"Primary": true`, RFC 7643 §2.1) and null sub-attributes dropped (Entra's `$ref: null`;
 * null is "unassigned", RFC 7643 §2.5). Under `compatible` also the quirks: string booleans
 * (Entra), one-element arrays on single-valued attributes (Entra), bare strings for complex values
 * (Entra manager, Microsoft's member test), role aliases. Answers null for "clear this attribute".
 * Unknown sub-attributes are kept as sent (validation refuses them). Recursion is bounded by the
 * schema (attribute → sub-attribute), not by the input.
 */
export function normalizeValue(value: unknown, def: AttributeDef, index: ResourceSchema, profile: ScimProfile): unknown {
  const lenient = quirksOn(profile);
  if (def.multiValued) {
    if (value === null) return null;
    // The advertised limit first, so an oversized list is refused before any element is looked at.
    if (Array.isArray(value) && def.maxValues !== undefined && value.length > def.maxValues) {
      throw Errors.tooManyValues(def.name, def.maxValues, value.length);
    }
    // Strict: anything but an array is left as sent, for validation to refuse.
    if (!lenient) return Array.isArray(value) ? value.map((v) => normalizeSingle(v, def, index, false)) : value;
    return toElementArray(value, def).map((v) => normalizeSingle(v, def, index, true));
  }
  return normalizeSingle(lenient ? unwrapSingleElementArray(value) : value, def, index, lenient);
}

/**
 * Labels identity providers' role dropdowns use for the orgscim extensions' canonical values:
 * orgRole `admin`, `Standard User`; accountRole `Billing Manager` (any case, spaces trimmed).
 * Each becomes its canonical value before the canonical values are enforced.
 */
const VALUE_ALIASES: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map([
  ["urn:ietf:params:scim:schemas:extension:orgscim:2.0:User:orgRole", new Map([["admin", "administrator"], ["standard user", "standard"], ["standarduser", "standard"]])],
  ["urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group:orgRole", new Map([["admin", "administrator"], ["standard user", "standard"], ["standarduser", "standard"]])],
  ["urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group:accountRole", new Map([["billing manager", "billing_manager"]])],
]);

export function canonicalAlias(value: unknown, def: AttributeDef): unknown {
  if (typeof value !== "string") return value;
  const aliases = VALUE_ALIASES.get(`${def.schema}:${def.name}`);
  return aliases?.get(value.trim().toLowerCase()) ?? (aliases ? value.trim() : value);
}

function normalizeSingle(value: unknown, def: AttributeDef, index: ResourceSchema, lenient: boolean): unknown {
  if (def.type === "boolean") return lenient ? stringToBoolean(value) : value;
  if (def.canonicalValues) return lenient ? canonicalAlias(value, def) : value;
  if (def.type !== "complex") return value;
  const v = lenient ? bareStringToComplex(value, def) : value;
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  // What dropNullSubAttributes keeps, read in place (no copy, no entry pairs).
  for (const k of Object.keys(v)) {
    const sv = v[k];
    if (sv === null) continue;
    const sub = index.sub(def, k);
    if (sub === undefined) out[k] = sv;
    else out[sub.name] = sub.type === "boolean" && lenient ? stringToBoolean(sv) : sv;
  }
  return out;
}

/**
 * Walks a POST/PUT body with the schema: canonical attribute names without case (core attributes and
 * extension URNs), and, under `compatible`, every quirk of `normalizeValue` (notably Entra's and
 * Microsoft's test's `"active": "True"` string booleans). A value normalised to null (Entra's `"manager": ""`) is
 * removed. Unknown keys are kept as sent for the caller's validation. Call `assertSafeKeys` first.
 */
export function normalizeBody(body: Record<string, unknown>, index: ResourceSchema, profile: ScimProfile): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(body)) {
    const value = body[key];
    const urn = index.schemaId(key);
    if (urn !== undefined && urn !== index.coreId && isObject(value)) {
      const ext: Record<string, unknown> = {};
      for (const k of Object.keys(value)) {
        const v = value[k];
        const def = index.extAttr(urn, k);
        if (def === undefined) ext[k] = v;
        else {
          const n = normalizeValue(v, def, index, profile);
          if (n !== null) ext[def.name] = n;
        }
      }
      out[urn] = ext;
      continue;
    }
    const def = index.attr(key);
    if (def === undefined) {
      out[key] = value;
      continue;
    }
    const n = normalizeValue(value, def, index, profile);
    if (n !== null) out[def.name] = n;
  }
  return out;
}
