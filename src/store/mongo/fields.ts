/**
 * Where each SCIM attribute lives in a stored document (./docs.ts), for the filter compiler.
 *
 * A resource map answers, for a resolved AttrRef, one of:
 * - `field`: a document path. `array` is set when the attribute is multi-valued (the array's path
 *   and the element's sub-attribute), `lower` names a lower-cased shadow usable for
 *   case-insensitive comparisons outside value filters (userNameLower, emailsLower, displayNameLower).
 * - `const`: the attribute has the same value on every resource of the type (meta.resourceType).
 * - `version`: meta.version, the ETag `W/"<n>"` of the `version` field.
 * - `members`: the attribute lives in group_members (Group `members`, User `groups`) and is
 *   answered by a pre-query there (see ./filter-mongo.ts, membership lookups): `select` is the
 *   field naming this resource, `value` the field naming the other side, `join` the collection
 *   holding the other side (read for `display`).
 * Attributes without a column (name.givenName, title, enterprise attributes, ...) live in `data`;
 * their path is `data.<encoded URN>.<attr>.<sub>`, each segment encoded by ./codec.ts.
 */
import { Errors } from "../../domain/errors";
import type { AttrRef, FilterValue } from "../../domain/filter";
import { encodeKey } from "./codec";

/** Mirrors src/scim/schemas.ts ORGSCIM_USER_SCHEMA (the store does not import the SCIM layer). */
export const ORGSCIM_USER_URN = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";

export type Target =
  | { kind: "field"; path: string; array?: { path: string; sub?: string }; lower?: string }
  | { kind: "const"; value: FilterValue }
  | { kind: "version" }
  | { kind: "members"; select: "groupId" | "userId"; value: "groupId" | "userId"; join: "users" | "groups" };

export interface ResourceMap {
  readonly name: "User" | "Group";
  target(ref: AttrRef): Target;
}

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

/** Refuses any name that could be an operator, a path separator or a prototype key. */
export function safeName(name: string): string {
  if (name.length === 0 || name.startsWith("$") || name.includes(".") || name.includes("\0") || FORBIDDEN.has(name)) {
    throw Errors.invalidFilter(`attribute name '${name.slice(0, 64)}' cannot be queried`);
  }
  return name;
}

/** An extension URN is a path segment once encoded; it must not be an operator or a prototype key. */
function safeSchema(urn: string): string {
  if (urn.length === 0 || urn.startsWith("$") || urn.includes("\0") || FORBIDDEN.has(urn)) {
    throw Errors.invalidFilter("schema URN cannot be queried");
  }
  return encodeKey(urn);
}

/** The `data` sub-document path of an attribute. */
export function dataTarget(ref: AttrRef, root = "data"): Target {
  const base = ref.schema === undefined ? root : `${root}.${safeSchema(ref.schema)}`;
  const attr = `${base}.${safeName(ref.attr)}`;
  const sub = ref.sub === undefined ? undefined : safeName(ref.sub);
  const path = sub === undefined ? attr : `${attr}.${sub}`;
  return ref.multiValued ? { kind: "field", path, array: { path: attr, sub } } : { kind: "field", path };
}

const meta = (ref: AttrRef, resourceType: string): Target | undefined => {
  if (ref.schema !== undefined || ref.attr !== "meta") return undefined;
  switch (ref.sub) {
    case "created": return { kind: "field", path: "created" };
    case "lastModified": return { kind: "field", path: "lastModified" };
    case "resourceType": return { kind: "const", value: resourceType };
    case "version": return { kind: "version" };
    default: throw Errors.invalidFilter(`meta.${ref.sub ?? ""} cannot be filtered`);
  }
};

export const USER_MAP: ResourceMap = {
  name: "User",
  target(ref) {
    const m = meta(ref, "User");
    if (m) return m;
    if (ref.schema === ORGSCIM_USER_URN) return { kind: "field", path: `orgscim.${safeName(ref.attr)}` };
    if (ref.schema !== undefined) return dataTarget(ref);
    switch (ref.attr) {
      case "id": return { kind: "field", path: "_id" };
      case "userName": return { kind: "field", path: "userName", lower: "userNameLower" };
      case "externalId": return { kind: "field", path: "externalId" };
      case "displayName": return { kind: "field", path: "displayName" };
      case "active": return { kind: "field", path: "active" };
      case "emails": {
        const sub = safeName(ref.sub ?? "value");
        const t: Target = { kind: "field", path: `emails.${sub}`, array: { path: "emails", sub } };
        return sub === "value" ? { ...t, lower: "emailsLower" } : t;
      }
      case "groups": return { kind: "members", select: "userId", value: "groupId", join: "groups" };
      default: return dataTarget(ref);
    }
  },
};

export const GROUP_MAP: ResourceMap = {
  name: "Group",
  target(ref) {
    const m = meta(ref, "Group");
    if (m) return m;
    if (ref.schema !== undefined) return dataTarget(ref);
    switch (ref.attr) {
      case "id": return { kind: "field", path: "_id" };
      case "displayName": return { kind: "field", path: "displayName", lower: "displayNameLower" };
      case "externalId": return { kind: "field", path: "externalId" };
      case "members": return { kind: "members", select: "groupId", value: "userId", join: "users" };
      default: return dataTarget(ref);
    }
  },
};
