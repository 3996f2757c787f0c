/**
 * Account roles as groups. Every managed account has four built-in groups, one per account role
 * (Administrator, Billing Manager, Developer, Support), whose memberships ARE the direct role
 * assignments on that account. Their ids derive from the account id (GP + its first 30 hex
 * digits + 11..14) and their displayNames are "<account sid>:<role name>", so both are stable
 * and predictable. A role assignment's sid is IY + the group's and the user's hex digits, so it
 * names exactly one membership.
 *
 * Roles are not exclusive, but Administrator includes the others: effective roles never show
 * Administrator beside another role.
 */
import type { GroupRef } from "./ports/store";
import type { AccountRole, GroupRecord } from "./types";
import { ACCOUNT_ROLES } from "./types";

export const ACCOUNT_ROLE_NAMES: Record<AccountRole, string> = {
  administrator: "Administrator",
  billing_manager: "Billing Manager",
  developer: "Developer",
  support: "Support",
};

const ROLE_NUMBER: Record<AccountRole, string> = { administrator: "11", billing_manager: "12", developer: "13", support: "14" };

export const accountRoleGroupId = (accountId: string, role: AccountRole): string => `GP${accountId.slice(2, 32)}${ROLE_NUMBER[role]}`;

export function builtinAccountRoleGroups(orgId: string, accountId: string, now: string): GroupRecord[] {
  return ACCOUNT_ROLES.map((role) => ({
    id: accountRoleGroupId(accountId, role),
    orgId,
    displayName: `${accountId}:${ACCOUNT_ROLE_NAMES[role]}`,
    externalId: null,
    builtin: true,
    binding: { kind: "accountRole", accountId, role },
    data: { displayName: `${accountId}:${ACCOUNT_ROLE_NAMES[role]}` },
    version: 1,
    created: now,
    lastModified: now,
  }));
}

/** Administrator includes the others: a set holding it is just Administrator. */
export function collapseRoles(roles: Iterable<AccountRole>): AccountRole[] {
  const set = new Set(roles);
  if (set.has("administrator")) return ["administrator"];
  return ACCOUNT_ROLES.filter((r) => set.has(r));
}

/** Effective roles per account from the groups a user is in (built-in and bound). */
export function effectiveAccountRoles(groups: readonly GroupRef[]): Map<string, AccountRole[]> {
  const raw = new Map<string, AccountRole[]>();
  for (const g of groups) {
    if (g.binding?.kind !== "accountRole") continue;
    const list = raw.get(g.binding.accountId) ?? [];
    list.push(g.binding.role);
    raw.set(g.binding.accountId, list);
  }
  return new Map([...raw].map(([account, roles]) => [account, collapseRoles(roles)]));
}

export const assignmentSid = (groupId: string, userId: string): string => `IY${groupId.slice(2)}${userId.slice(2)}`;

export function parseAssignmentSid(sid: string): { groupId: string; userId: string } | null {
  const m = /^IY([0-9a-f]{32})([0-9a-f]{32})$/.exec(sid);
  return m ? { groupId: `GP${m[1]}`, userId: `US${m[2]}` } : null;
}
