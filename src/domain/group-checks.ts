/**
 * What a group change asks of the policy (./policy): renaming, (un)binding, and what each member
 * change grants or revokes (./groups.ts asks it, in the transaction that applies the change).
 */
import type { Actor } from "./actor";
import { accountTarget, groupTarget, userRef, type Check, type Target } from "./policy";
import type { Repos } from "./ports/store";
import type { GroupBinding, GroupRecord } from "./types";

/** A change of a group's members, applied as row inserts and deletes (./groups.ts). */
export type MemberChange =
  | { kind: "add"; ids: string[] }
  | { kind: "remove"; ids: string[] }
  | { kind: "removeAll" }
  | { kind: "replace"; ids: string[] };

/** What a PUT or PATCH makes of a group's attributes and binding (no members). */
export interface GroupAttributes {
  displayName: string;
  externalId: string | null;
  data: Record<string, unknown>;
  binding: GroupBinding | null;
}

export const sameBinding = (a: GroupBinding | null, b: GroupBinding | null): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The account a binding names, as a target (an unknown account is refused later by checkBinding,
 * 400). Unknown or closed, it grants nothing (./policy/decide.ts).
 */
async function accountOf(repos: Repos, orgId: string, accountId: string): Promise<Target> {
  const a = await repos.accounts.get(orgId, accountId);
  return accountTarget({ id: accountId, ownerId: a?.ownerId ?? "", status: a?.status ?? "closed" });
}

/**
 * Granting (or revoking) what a binding grants, to whoever is or becomes a member: `ids` the
 * members concerned when known, else any member.
 */
export async function grantChecks(repos: Repos, orgId: string, binding: GroupBinding | null, grant: boolean, ids?: readonly string[]): Promise<Check[]> {
  if (!binding) return [];
  if (binding.kind === "accountRole") {
    return [{ action: grant ? "role_assignment.create" : "role_assignment.delete", target: await accountOf(repos, orgId, binding.accountId) }];
  }
  if (binding.role === "standard") return [];
  if (binding.role === "owner") return grant ? [{ action: "org_role.owner.grant", target: userRef("any member") }] : [];
  const action = grant ? "org_role.administrator.grant" : "org_role.administrator.revoke";
  const role = grant ? "standard" : "administrator";
  return (ids && ids.length > 0 ? [...new Set(ids)] : ["any member"]).map((id) => ({ action, target: userRef(id, role) }));
}

/** Member changes on a group whose members hold an org role. */
async function orgRoleMemberChecks(repos: Repos, orgId: string, group: GroupRecord, binding: GroupBinding & { kind: "orgRole" }, changes: MemberChange[]): Promise<{ checks: Check[]; demotable: Set<string> }> {
  const checks: Check[] = [{ action: "group.members.update", target: groupTarget(group.id) }];
  const demotable = new Set<string>();
  for (const c of changes) {
    const added = c.kind === "add" || c.kind === "replace" ? c.ids : [];
    const removed = c.kind === "remove" ? c.ids : [];
    if (binding.role === "standard" && group.builtin && added.length > 0) {
      // Joining Standard User demotes an Administrator (the Owner is refused by the invariant).
      for (const id of new Set(added)) {
        const u = await repos.users.get(orgId, id);
        if (u?.orgRole === "administrator") {
          demotable.add(id);
          checks.push({ action: "org_role.administrator.revoke", target: userRef(id, "administrator") });
        }
      }
      continue;
    }
    if (added.length > 0) checks.push(...(await grantChecks(repos, orgId, binding, true, added)));
    if (removed.length > 0) {
      checks.push(...(await grantChecks(repos, orgId, binding, false, removed)));
      for (const id of removed) demotable.add(id);
    }
    if (c.kind === "removeAll" || c.kind === "replace") checks.push(...(await grantChecks(repos, orgId, binding, false)));
  }
  return { checks, demotable };
}

/** Member changes on any group: what each grants or revokes. */
async function memberChecks(repos: Repos, orgId: string, group: GroupRecord, binding: GroupBinding | null, changes: MemberChange[]): Promise<{ checks: Check[]; demotable: Set<string> }> {
  if (changes.length === 0) return { checks: [], demotable: new Set() };
  if (binding?.kind === "orgRole" && binding.role !== "standard") return orgRoleMemberChecks(repos, orgId, group, binding, changes);
  if (binding?.kind === "orgRole" && group.builtin) return orgRoleMemberChecks(repos, orgId, group, binding, changes);
  if (binding?.kind !== "accountRole") return { checks: membersUpdate(group), demotable: new Set() };
  const checks: Check[] = [];
  if (changes.some((c) => c.kind === "add" || c.kind === "replace")) checks.push(...(await grantChecks(repos, orgId, binding, true)));
  if (changes.some((c) => c.kind !== "add")) checks.push(...(await grantChecks(repos, orgId, binding, false)));
  return { checks, demotable: new Set() };
}

const membersUpdate = (group: GroupRecord): Check[] => [{ action: "group.members.update", target: groupTarget(group.id) }];

/**
 * modifyChecks of a change of members alone (no attributes) on a group whose membership grants
 * nothing (no binding, or a plain group named for the Standard User role): group.members.update,
 * known without reading anything; null for any other change (ask modifyChecks).
 */
export function readlessMemberChecks(group: GroupRecord, changes: readonly MemberChange[]): Check[] | null {
  const b = group.binding;
  if (changes.length === 0 || b?.kind === "accountRole" || (b?.kind === "orgRole" && (b.role !== "standard" || group.builtin))) return null;
  return membersUpdate(group);
}

/** What a group change asks of the policy: renaming, (un)binding, and what each member change grants or revokes. */
export async function modifyChecks(repos: Repos, actor: Actor, current: GroupRecord, after: GroupAttributes | null, changes: MemberChange[]): Promise<{ checks: Check[]; demotable: Set<string> }> {
  const checks: Check[] = [];
  const binding = after?.binding ?? current.binding;
  if (after && (after.displayName !== current.displayName || after.externalId !== current.externalId || JSON.stringify(after.data) !== JSON.stringify(current.data))) {
    checks.push({ action: "group.update", target: groupTarget(current.id) });
  }
  if (!sameBinding(binding, current.binding)) {
    checks.push(...(await grantChecks(repos, actor.org.id, current.binding, false)), ...(await grantChecks(repos, actor.org.id, binding, true)));
  }
  const members = await memberChecks(repos, actor.org.id, current, binding, changes);
  checks.push(...members.checks);
  if (checks.length === 0) checks.push({ action: "group.update", target: groupTarget(current.id) });
  return { checks, demotable: members.demotable };
}
