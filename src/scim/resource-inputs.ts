/**
 * From a SCIM request body to the input of a domain use case: the one place that says how a
 * POST/PUT body becomes a UserInput or GroupInput and how a PATCH body becomes the transform
 * modifyUser/modifyGroup re-run on the current state. /Users, /Groups, /Bulk and the CLI all call
 * these, so a bulk operation is coerced, patched and checked exactly as its single request. Each
 * takes the organization's SCIM profile (OrgSettings.scimProfile): `compatible` grants the IdP
 * quirks of ./quirks.ts, `strict` none.
 */
import type { GroupInput, MemberChange } from "../domain/groups";
import type { GroupRecord, UserRecord } from "../domain/types";
import type { UserInput } from "../domain/users";
import { coerceBody, coerceGuardedBody } from "./coerce";
import { patchableGroup, toGroupInput } from "./group-resource";
import { applyPatch } from "./patch/apply";
import { splitMemberOps } from "./patch/members";
import { plainMemberOps } from "./patch/plain-member-ops";
import { parsePatchRequest } from "./patch/parse-request";
import { GROUPS, USERS } from "./resource-types";
import type { ScimProfile } from "./quirks";
import { GROUP_SCHEMA, USER_SCHEMA } from "./schemas";
import { patchableUser, patchedUserInput, toUserInput } from "./user-resource";

/**
 * A POST or PUT /Users body as the domain takes it. `guarded`: the body is part of something that
 * passed assertSafeKeys already (an imported line), so the walk is not made again.
 */
export const userInputOf = (body: unknown, profile: ScimProfile, guarded?: "guarded"): UserInput =>
  toUserInput(guarded && isObject(body) ? coerceGuardedBody(body, USERS.schema, profile) : coerceBody(body, USERS.schema, profile));

/** A POST or PUT /Groups body as the domain takes it, member ids included. `guarded` as for userInputOf. */
export const groupInputOf = (body: unknown, profile: ScimProfile, guarded?: "guarded"): GroupInput & { members: string[] } =>
  toGroupInput(guarded && isObject(body) ? coerceGuardedBody(body, GROUPS.schema, profile) : coerceBody(body, GROUPS.schema, profile));

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A PATCH /Users body, parsed now (so a bad body fails before anything is read), applied to
 * whatever state modifyUser reads. What a `remove` unassigned takes its default (RFC 7644
 * §3.5.2.2): see patchedUserInput.
 */
export function userPatchOf(body: unknown, profile: ScimProfile): (current: UserRecord) => UserInput {
  const ops = parsePatchRequest(body, USERS.schema, profile);
  return (current) => {
    const patched = applyPatch(patchableUser(current), ops);
    return patchedUserInput(patched, userInputOf({ ...patched, schemas: [USER_SCHEMA] }, profile));
  };
}

export interface GroupChange {
  /** The group's new attributes from its current ones; null when only members change. */
  transform: ((current: GroupRecord) => GroupInput) | null;
  /** Membership changes, in request order. */
  changes: MemberChange[];
}

/** A PATCH /Groups body: member operations become row changes, the others a transform. */
export function groupPatchOf(body: unknown, profile: ScimProfile): GroupChange {
  // An IdP's change of members in its plain forms, read as the general parse would read it.
  const plain = plainMemberOps(body, profile);
  if (plain !== null) return { transform: null, changes: plain };
  const { memberOps, otherOps } = splitMemberOps(parsePatchRequest(body, GROUPS.schema, profile));
  const transform = otherOps.length === 0 ? null : (current: GroupRecord) =>
    groupInputOf({ ...applyPatch(patchableGroup(current), otherOps), schemas: [GROUP_SCHEMA] }, profile);
  return { transform, changes: memberOps };
}

/** A PUT /Groups body: the attributes, and a membership that becomes exactly the listed ids. */
export function groupReplaceOf(body: unknown, profile: ScimProfile): GroupChange {
  const input = groupInputOf(body, profile);
  return { transform: () => input, changes: [{ kind: "replace", ids: input.members }] };
}
