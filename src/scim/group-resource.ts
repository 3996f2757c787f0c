/**
 * The SCIM Group representation. Members are read from the membership table, bounded by
 * SCIM_GROUP_MEMBERS_RETURNED: a group with more is rendered without `members` (never a list cut
 * short, which a client would take for the whole) and says so in `membersMetadata`
 * (draft-zollner-scim-group-members-01: policy `external`, `memberCount`, and `ref`, where a client
 * pages them: the GroupMember list filtered on the group, ./group-member-resource.ts membersRef). What the group grants is the orgscim group extension. Inbound, `members` becomes a
 * list of ids and the extension's orgRole the group's binding.
 */
import { Errors } from "../domain/errors";
import type { GroupInput } from "../domain/groups";
import type { MemberRef } from "../domain/ports/store";
import { ACCOUNT_ROLES, type AccountRole, type GroupBinding, type GroupRecord } from "../domain/types";
import type { Coerced } from "./coerce";
import { membersRef } from "./group-member-resource";
import { GROUP_MEMBERS_SCHEMA, GROUP_SCHEMA, ORGSCIM_GROUP_SCHEMA } from "./schemas";
import { orgRoleOf } from "./user-resource";

/** One member as SCIM renders it. */
export function memberOf(m: MemberRef, baseUrl: string): Record<string, unknown> {
  return { value: m.id, display: m.display, $ref: `${baseUrl}/Users/${m.id}`, type: "User" };
}

/**
 * How a rendered group's members are represented: `inline` (all of them, `count` of them, in
 * `members`) or `external` (more than the server returns with a group: `members` is omitted).
 */
export interface Membership {
  policy: "inline" | "external";
  count: number;
}


/** The membersMetadata extension of a group whose members were asked for. */
export const membersMetadata = (g: GroupRecord, baseUrl: string, m: Membership): Record<string, unknown> =>
  ({ membersMetadata: { policy: m.policy, ref: membersRef(baseUrl, g.id), memberCount: m.count } });

/**
 * `members` null: not asked for (no membersMetadata either). With `membership` external, members
 * is omitted whatever `members` holds; inline, `members` are all of them (a streamed body passes
 * null members and writes them after).
 */
export function renderGroup(g: GroupRecord, baseUrl: string, members: MemberRef[] | null, membership?: Membership): Record<string, unknown> {
  const out: Record<string, unknown> = { schemas: [GROUP_SCHEMA, ORGSCIM_GROUP_SCHEMA], id: g.id };
  if (membership !== undefined) (out.schemas as string[]).push(GROUP_MEMBERS_SCHEMA);
  if (g.externalId !== null) out.externalId = g.externalId;
  out.displayName = g.displayName;
  for (const [k, v] of Object.entries(g.data)) if (k !== "displayName" && k !== "externalId" && k !== "members") out[k] = v;
  if (members !== null && membership?.policy !== "external") {
    out.members = members.map((m) => memberOf(m, baseUrl));
  }
  out[ORGSCIM_GROUP_SCHEMA] = g.binding?.kind === "accountRole"
    ? { orgRole: null, accountSid: g.binding.accountId, accountRole: g.binding.role, builtin: g.builtin }
    : { orgRole: g.binding?.kind === "orgRole" ? g.binding.role : null, builtin: g.builtin };
  if (membership !== undefined) out[GROUP_MEMBERS_SCHEMA] = membersMetadata(g, baseUrl, membership);
  out.meta = {
    resourceType: "Group",
    created: g.created,
    lastModified: g.lastModified,
    location: `${baseUrl}/Groups/${g.id}`,
    version: `W/"${g.version}"`,
  };
  return out;
}

const ACCOUNT_ROLE_VALUES = new Set<string>(ACCOUNT_ROLES);

/** The group extension as a binding: undefined when it says nothing, null when it unbinds. */
function bindingFromExtension(ext: Record<string, unknown> | undefined): GroupBinding | null | undefined {
  if (!ext) return undefined;
  const { orgRole, accountSid, accountRole } = ext;
  const given = (v: unknown) => v !== undefined && v !== null && v !== "";
  if (given(orgRole) && (given(accountSid) || given(accountRole))) throw Errors.invalidValue("A group grants an org role or an account role, not both.");
  if (given(orgRole)) return { kind: "orgRole", role: orgRoleOf(orgRole) };
  if (given(accountSid) || given(accountRole)) {
    const role = typeof accountRole === "string" ? accountRole : "";
    if (typeof accountSid !== "string" || !/^AC[0-9a-f]{32}$/.test(accountSid)) throw Errors.invalidValue("accountSid must be an account sid (AC followed by 32 hex digits), given together with accountRole.");
    if (!ACCOUNT_ROLE_VALUES.has(role)) throw Errors.invalidValue(`accountRole must be one of ${ACCOUNT_ROLES.join(", ")}.`);
    return { kind: "accountRole", accountId: accountSid, role: role as AccountRole };
  }
  return "orgRole" in ext || "accountSid" in ext || "accountRole" in ext ? null : undefined;
}

/** Splits a coerced Group body into its attributes, its binding and its member ids. */
export function toGroupInput(c: Coerced): GroupInput & { members: string[] } {
  const { members, ...data } = c.core;
  const ids: string[] = [];
  if (members !== undefined) {
    if (!Array.isArray(members)) throw Errors.invalidValue("members must be an array of {value}.");
    for (const m of members) {
      const v = (m as { value?: unknown }).value;
      if (typeof v !== "string" || v === "") throw Errors.invalidValue("Each member needs a value: the member user's id.");
      ids.push(v);
    }
  }
  const input: GroupInput & { members: string[] } = { data, members: ids };
  const binding = bindingFromExtension(c.extensions.get(ORGSCIM_GROUP_SCHEMA));
  if (binding !== undefined) input.binding = binding;
  return input;
}

/** The resource PATCH operates on for attributes other than members. */
export function patchableGroup(g: GroupRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { ...g.data, displayName: g.displayName, id: g.id };
  if (g.externalId !== null) out.externalId = g.externalId;
  if (g.binding?.kind === "orgRole") out[ORGSCIM_GROUP_SCHEMA] = { orgRole: g.binding.role };
  if (g.binding?.kind === "accountRole") out[ORGSCIM_GROUP_SCHEMA] = { accountSid: g.binding.accountId, accountRole: g.binding.role };
  return out;
}
