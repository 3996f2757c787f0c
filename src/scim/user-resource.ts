/**
 * The SCIM User representation: UserRecord ⇄ resource JSON. Outbound adds id, meta, groups and the
 * orgscim extension from the record's columns; inbound splits the orgscim extension's fields from
 * the attributes the store keeps as data.
 */
import { Errors } from "../domain/errors";
import type { GroupRef } from "../domain/ports/store";
import { effectiveOrgRole } from "../domain/role-groups";
import type { RenderedColumns, RenderedUser } from "../domain/stored-data";
import type { OrgRole, UserRecord } from "../domain/types";
import type { UserInput } from "../domain/users";
import type { Coerced } from "./coerce";
import { ENTERPRISE_SCHEMA, ORGSCIM_USER_SCHEMA, USER_SCHEMA } from "./schemas";

export const etagOf = (version: number): string => `W/"${version}"`;

/** The user's `schemas`: the enterprise extension's URN when its attributes hold it. */
export const userSchemas = (hasEnterprise: boolean): string[] =>
  hasEnterprise ? [USER_SCHEMA, ENTERPRISE_SCHEMA, ORGSCIM_USER_SCHEMA] : [USER_SCHEMA, ORGSCIM_USER_SCHEMA];

/** One entry of the user's `groups` attribute. */
export const groupRefOf = (g: GroupRef, baseUrl: string): Record<string, unknown> =>
  ({ value: g.id, display: g.display, $ref: `${baseUrl}/Groups/${g.id}`, type: "direct" });

/** The user's `groups` attribute: undefined when no group is shown (the built-in org-role groups only with `showBuiltin`). */
export function groupRefsOf(groups: readonly GroupRef[], baseUrl: string, showBuiltin: boolean): Record<string, unknown>[] | undefined {
  let refs: Record<string, unknown>[] | undefined;
  for (const g of groups) {
    if (!showBuiltin && g.builtin) continue;
    // Pushed, not preallocated: a holey array takes JSON.stringify off its fast path.
    (refs ??= []).push(groupRefOf(g, baseUrl));
  }
  return refs;
}

/** The orgscim extension's attributes (orgRole is the effective role). */
export const orgscimOf = (u: RenderedColumns, groups: readonly GroupRef[]): Record<string, unknown> => ({
  orgRole: u.status === "managed" ? effectiveOrgRole(u.orgRole, groups) : (u.orgRole ?? "standard"),
  status: u.status,
  twoFactorRequired: u.twoFactorRequired,
  passwordResetRequired: u.passwordResetRequired,
});

export const userMetaOf = (u: RenderedColumns, baseUrl: string): Record<string, unknown> => ({
  resourceType: "User",
  created: u.created,
  lastModified: u.lastModified,
  location: `${baseUrl}/Users/${u.id}`,
  version: etagOf(u.version),
});

/**
 * `groups` are all the groups the user is in; `showBuiltin` says whether the built-in org-role
 * groups are shown in the user's `groups` attribute. orgRole is the effective role.
 * Runs for every user of a page (100 a page): one object a user, its keys in the order the JSON
 * has always had (a stored attribute named like one set here keeps its place and takes the value set).
 * A page without attributes/excludedAttributes writes the same text without the object: ./user-json.ts.
 */
export function renderUser(u: RenderedUser, baseUrl: string, groups: readonly GroupRef[], showBuiltin: boolean): Record<string, unknown> {
  const data = u.data;
  const out: Record<string, unknown> = { schemas: userSchemas(data[ENTERPRISE_SCHEMA] !== undefined), id: u.id };
  if (u.externalId !== null) out.externalId = u.externalId;
  for (const k of Object.keys(data)) if (k !== "externalId") out[k] = data[k];
  out.active = u.active;
  const refs = groupRefsOf(groups, baseUrl, showBuiltin);
  if (refs !== undefined) out.groups = refs;
  out[ORGSCIM_USER_SCHEMA] = orgscimOf(u, groups);
  out.meta = userMetaOf(u, baseUrl);
  return out;
}

const ROLE_NAMES: ReadonlyMap<string, OrgRole> = new Map([["owner", "owner"], ["administrator", "administrator"], ["standard", "standard"]]);

/** An org role the schema's canonical values already admitted (labels like `admin` are a quirk, src/scim/quirks.ts). */
export function orgRoleOf(v: unknown): OrgRole {
  const role = typeof v === "string" ? ROLE_NAMES.get(v) : undefined;
  if (!role) throw Errors.invalidValue(`orgRole must be owner, administrator or standard; got ${JSON.stringify(v)}.`);
  return role;
}

/** Splits coerced attributes into what the domain takes. `c` is the caller's to give away: its core becomes the input's data. */
export function toUserInput(c: Coerced): UserInput {
  const data: Record<string, unknown> = c.core;
  for (const [urn, attrs] of c.extensions) if (urn !== ORGSCIM_USER_SCHEMA && Object.keys(attrs).length > 0) data[urn] = attrs;
  const input: UserInput = { data };
  const ext = c.extensions.get(ORGSCIM_USER_SCHEMA);
  if (ext) {
    if (ext.orgRole !== undefined) input.orgRole = orgRoleOf(ext.orgRole);
    if (typeof ext.twoFactorRequired === "boolean") input.twoFactorRequired = ext.twoFactorRequired;
    if (typeof ext.passwordResetRequired === "boolean") input.passwordResetRequired = ext.passwordResetRequired;
  }
  return input;
}

/**
 * The input of a PATCHed user (`patched` is patchableUser's resource after the operations). A PATCH
 * that removed an orgscim extension attribute, or the whole extension, unassigned it (RFC 7644
 * §3.5.2.2): it takes its default (orgRole standard, twoFactorRequired and passwordResetRequired
 * false) instead of silently keeping its value. `active` cannot be unassigned: a user is active or
 * suspended, and reading a removed `active` as the default would silently reactivate a suspended
 * user, so the PATCH is refused.
 */
export function patchedUserInput(patched: Record<string, unknown>, input: UserInput): UserInput {
  if (patched.active === undefined) {
    throw Errors.mutability("active", "a user is active or suspended, so it cannot be removed: replace it with true (reactivate) or false (suspend)");
  }
  return {
    ...input,
    orgRole: input.orgRole ?? "standard",
    twoFactorRequired: input.twoFactorRequired ?? false,
    passwordResetRequired: input.passwordResetRequired ?? false,
  };
}

/** The resource PATCH operates on: what a GET would show, minus readOnly bookkeeping. */
export function patchableUser(u: UserRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { ...u.data, id: u.id, active: u.active };
  if (u.externalId !== null) out.externalId = u.externalId;
  out[ORGSCIM_USER_SCHEMA] = {
    orgRole: u.orgRole ?? "standard",
    twoFactorRequired: u.twoFactorRequired,
    passwordResetRequired: u.passwordResetRequired,
  };
  return out;
}
