/**
 * Org roles as groups. Every organization has three built-in groups, Owner, Administrator and
 * Standard User, whose memberships ARE its managed users' direct org roles: each managed user is
 * in exactly one of them, and users.org_role mirrors it in the same transaction. Their ids are
 * derived from the organization id, so they are stable and predictable: GP + the org's 30 first
 * hex digits + 01 (Owner), 02 (Administrator) or 03 (Standard User).
 *
 * Other groups grant an org role when bound to one (GroupBinding). A user's effective org role is
 * the highest of their direct role and the roles of the bound groups they are in.
 */
import type { GroupRef } from "./ports/store";
import type { AccountRole, GroupBinding, GroupRecord, OrgRole } from "./types";

export const ORG_ROLE_GROUP_NAMES: Record<OrgRole, string> = {
  owner: "Owner",
  administrator: "Administrator",
  standard: "Standard User",
};

const ROLE_NUMBER: Record<OrgRole, string> = { owner: "01", administrator: "02", standard: "03" };
const RANK: Record<OrgRole, number> = { standard: 0, administrator: 1, owner: 2 };

export const orgRoleGroupId = (orgId: string, role: OrgRole): string => `GP${orgId.slice(2, 32)}${ROLE_NUMBER[role]}`;

export const allOrgRoleGroupIds = (orgId: string): string[] =>
  (Object.keys(ROLE_NUMBER) as OrgRole[]).map((r) => orgRoleGroupId(orgId, r));

/** An org-role group as a user's groups list it (groupsOfUser): built-in groups are never renamed or rebound. */
export const orgRoleGroupRef = (orgId: string, role: OrgRole): GroupRef =>
  ({ id: orgRoleGroupId(orgId, role), display: ORG_ROLE_GROUP_NAMES[role], builtin: true, binding: { kind: "orgRole", role } });

export function builtinOrgRoleGroups(orgId: string, now: string): GroupRecord[] {
  return (Object.keys(ORG_ROLE_GROUP_NAMES) as OrgRole[]).map((role) => ({
    id: orgRoleGroupId(orgId, role),
    orgId,
    displayName: ORG_ROLE_GROUP_NAMES[role],
    externalId: null,
    builtin: true,
    binding: { kind: "orgRole", role },
    data: { displayName: ORG_ROLE_GROUP_NAMES[role] },
    version: 1,
    created: now,
    lastModified: now,
  }));
}

export const higherRole = (a: OrgRole, b: OrgRole): OrgRole => (RANK[a] >= RANK[b] ? a : b);

/** The effective org role: the direct one, raised by the org-role-bound groups the user is in. */
export function effectiveOrgRole(direct: OrgRole | null, groups: readonly GroupRef[]): OrgRole {
  let role: OrgRole = direct ?? "standard";
  for (const g of groups) if (g.binding?.kind === "orgRole") role = higherRole(role, g.binding.role);
  return role;
}

/**
 * The documented displayName convention that binds a group pushed by an identity provider when
 * neither the group extension nor the admin API bound it: `orgscim:role:administrator`,
 * `orgscim:role:standard`, or `orgscim:account:<AC sid>:<account role>` (case-insensitive).
 */
export function bindingByConvention(displayName: string): GroupBinding | null {
  const name = displayName.trim();
  const role = /^orgscim:role:(administrator|standard|owner)$/i.exec(name);
  if (role) return { kind: "orgRole", role: role[1]!.toLowerCase() as OrgRole };
  const account = /^orgscim:account:(AC[0-9a-f]{32}):(administrator|billing_manager|developer|support)$/i.exec(name);
  if (account) return { kind: "accountRole", accountId: account[1]!, role: account[2]!.toLowerCase() as AccountRole };
  return null;
}
