/**
 * Where each SCIM attribute of a User and of a Group lives in a stored document (./docs.ts), for
 * ./filter-mongo.ts: the MongoDB counterpart of src/store/sqlite/resource-maps.ts. What a target
 * means is said where the compiler defines it (./filter-mongo.ts, `Target`). Attributes without a
 * field of their own (name.givenName, title, enterprise attributes, ...) live in `data`; their path
 * is `data.<encoded URN>.<attr>.<sub>`, each segment encoded by ./codec.ts.
 */
import { Errors } from "../../domain/errors";
import type { AttrRef } from "../../domain/filter";
import { encodeKey } from "./codec";
import { FORBIDDEN_NAMES, safeName, type ResourceMap, type Target } from "./filter-mongo";

/** Mirrors src/scim/schemas.ts ORGSCIM_USER_SCHEMA (the store does not import the SCIM layer). */
export const ORGSCIM_USER_URN = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";

/** An extension URN is a path segment once encoded; it must not be an operator or a prototype key. */
function safeSchema(urn: string): string {
  if (urn.length === 0 || urn.startsWith("$") || urn.includes("\0") || FORBIDDEN_NAMES.has(urn)) {
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
