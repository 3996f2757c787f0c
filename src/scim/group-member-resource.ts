/**
 * The GroupMember resource (draft-zollner-scim-group-members-01): its schema (§8.1, with what
 * orgscim holds: members are users), its representation, the body of a POST, and the filters its
 * list takes. A membership links one group and one user; it is made or ended, never changed
 * (PUT and PATCH answer 405, §6). Names come from GROUP_MEMBER (src/domain/resource-names.ts).
 */
import { Errors } from "../domain/errors";
import type { Filter } from "../domain/filter";
import type { Membership, MembershipQuery } from "../domain/ports/store";
import { GROUP_MEMBER } from "../domain/resource-names";
import type { ListRequest } from "./list-request";
import { assertSafeKeys } from "./quirks";

/** Where a client pages a group's members (a Group's membersMetadata.ref, draft §5.1). */
export const membersRef = (baseUrl: string, groupId: string): string =>
  `${baseUrl}${GROUP_MEMBER.endpoint}?filter=${encodeURIComponent(`group.value eq "${groupId}"`)}`;

export const membershipLocation = (baseUrl: string, id: string): string => `${baseUrl}${GROUP_MEMBER.endpoint}/${id}`;

export function renderMembership(m: Membership, baseUrl: string): Record<string, unknown> {
  const member: Record<string, unknown> = { value: m.userId, $ref: `${baseUrl}/Users/${m.userId}`, type: "User" };
  if (m.userDisplay !== null) member.display = m.userDisplay;
  return {
    schemas: [GROUP_MEMBER.schema],
    id: m.id,
    group: { value: m.groupId, $ref: `${baseUrl}/Groups/${m.groupId}`, display: m.groupDisplay },
    member,
    meta: { resourceType: GROUP_MEMBER.name, created: m.created, lastModified: m.created, location: membershipLocation(baseUrl, m.id) },
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The object's keys, folded to lower case (RFC 7643 §2.1: attribute names have no case); a key given twice is refused. */
function folded(o: Record<string, unknown>, where: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(o)) {
    const key = k.toLowerCase();
    if (out.has(key)) throw Errors.invalidValue(`${where} gives '${k}' twice (names are compared without case).`);
    out.set(key, v);
  }
  return out;
}

/** `value` of group or member: the id, required; the read-only sub-attributes are ignored, anything else refused. */
function idOf(body: Map<string, unknown>, name: "group" | "member"): string {
  const raw = body.get(name);
  if (raw === undefined || raw === null) throw Errors.invalidValue(`${name}.value is required: the id of the ${name === "group" ? "group" : "user"}.`);
  if (!isObject(raw)) throw Errors.invalidValue(`${name} must be an object with value: the id of the ${name === "group" ? "group" : "user"}.`);
  const sub = folded(raw, name);
  const known = name === "group" ? ["value", "$ref", "display"] : ["value", "$ref", "type", "display"];
  for (const k of sub.keys()) if (!known.includes(k)) throw Errors.unknownBodyAttribute(GROUP_MEMBER.name, `${name}.${k}`);
  const value = sub.get("value");
  if (typeof value !== "string" || value === "") throw Errors.invalidValue(`${name}.value is required: the id of the ${name === "group" ? "group" : "user"}, a string.`);
  if (name === "member") {
    const type = sub.get("type");
    if (type !== undefined && type !== null && type !== "User") throw Errors.invalidValue(`member.type is '${String(type)}': a group's members are users (User) only.`);
  }
  return value;
}

/** A POST body (§6.1): schemas naming the GroupMember schema, group.value and member.value. */
export function membershipInputOf(body: unknown): { groupId: string; userId: string } {
  assertSafeKeys(body);
  if (!isObject(body)) throw Errors.schemaMismatch(`The body must be a ${GROUP_MEMBER.name} object: {"schemas": ["${GROUP_MEMBER.schema}"], "group": {"value": ...}, "member": {"value": ...}}.`);
  const b = folded(body, GROUP_MEMBER.name);
  const schemas = b.get("schemas");
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === "string" && s.toLowerCase() === GROUP_MEMBER.schema.toLowerCase())) {
    throw Errors.schemaMismatch(`schemas must list ${GROUP_MEMBER.schema}.`);
  }
  for (const s of schemas) if (typeof s !== "string" || s.toLowerCase() !== GROUP_MEMBER.schema.toLowerCase()) throw Errors.unknownSchema(String(s));
  for (const k of b.keys()) {
    // id and meta are read-only (RFC 7643 §3.1): ignored, as on every resource.
    if (!["schemas", "group", "member", "id", "meta"].includes(k)) throw Errors.unknownBodyAttribute(GROUP_MEMBER.name, k);
  }
  return { groupId: idOf(b, "group"), userId: idOf(b, "member") };
}

/**
 * The list's filter (§6.2.2) as a store query: `group.value eq "<id>"`, `member.value eq "<id>"`,
 * or both joined by `and`; anything else answers 400 invalidFilter (memberships are found by their
 * group and their member; other attributes are names, not keys). No sortBy: memberships list in
 * the store's order, by id.
 */
export function membershipQueryOf(lr: ListRequest): MembershipQuery {
  const { filter, sort, ...paging } = lr.query;
  if (sort) throw Errors.invalidParameter("sortBy", `${GROUP_MEMBER.endpoint} lists in one fixed order; leave sortBy out.`);
  const q: MembershipQuery = { ...paging };
  const take = (f: Filter): void => {
    if (f.kind === "and") return f.items.forEach(take);
    const which = f.kind === "cmp" && f.op === "eq" && f.attr.sub === "value" && typeof f.value === "string" && f.value !== ""
      ? (f.attr.attr === "group" ? "groupId" : f.attr.attr === "member" ? "userId" : null) : null;
    if (which === null || f.kind !== "cmp") {
      throw Errors.invalidFilter(`${GROUP_MEMBER.endpoint} is filtered by group.value eq "<group id>", member.value eq "<user id>", or both joined by and.`);
    }
    if (q[which] !== undefined && q[which] !== f.value) q[which] = "\u0000"; // two different ids: nothing matches both
    else q[which] = f.value as string;
  };
  if (filter) take(filter);
  return q;
}
