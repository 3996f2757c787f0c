/**
 * What an invitation grants, and who may grant it: the policy checks sending asks (and accepting
 * asks again of whoever sent or last resent it), the account roles an accepted account invitation
 * gives, and the rule that nobody is managed by two organizations.
 */
import { accountRoleGroupId, collapseRoles } from "./account-roles";
import { emailDomain } from "./domain-rules";
import type { Actor } from "./actor";
import { accountTarget, authorize, invitationTarget, userRef, type Check } from "./policy";
import { type Clock, isoNow } from "./clock";
import { Errors } from "./errors";
import type { Repos } from "./ports/store";
import { ACCOUNT_ROLES, type Account, type AccountRole, type Invitation } from "./types";
import { looksLikeEmail } from "./user-checks";
import { kindOf, type InvitationDeps } from "./invitations-record";
import { roleList } from "./invitations-mail";

/** Asks the policy whether the actor manages the invitation's organization (or, for an account invitation, its account). */
export async function canManage(deps: InvitationDeps, actor: Actor, i: Invitation, action: string): Promise<void> {
  await authorize(deps, actor, { action, target: await invitationTarget(deps.store, kindOf(i) === "account" ? i : { ...i, accountId: null }) });
}

/**
 * What sending an invitation asks of the policy, and what accepting it asks again of whoever sent
 * (or last resent) it: nobody grants, through an invitation accepted later, a right they no
 * longer hold. An account invitation without its account asks the organization-level checks.
 */
export function grantChecks(i: Pick<Invitation, "kind" | "orgRole">, account: Pick<Account, "id" | "ownerId" | "status"> | null): Check[] {
  if (i.kind === "account" && account) {
    return [
      { action: "invitation.create", target: { type: "invitation", id: "new", account: { id: account.id, ownerId: account.ownerId, closed: account.status !== "active" } } },
      { action: "role_assignment.create", target: accountTarget(account) },
    ];
  }
  return [
    { action: "invitation.create", target: { type: "invitation", id: "new", account: null } },
    ...(i.orgRole === "administrator" ? [{ action: "org_role.administrator.grant", target: userRef("the invitee") }] : []),
  ];
}

/**
 * Grants account roles to a member (independent ones too) as grantRole does: Administrator clears
 * the others. `strict`: a lesser role beside an existing Administrator is refused (as grantRole
 * does); otherwise it is skipped, since Administrator includes it. Answers the roles granted.
 */
export async function grantAccountRoles(tx: Repos, clock: Clock, orgId: string, accountId: string, userId: string, roles: AccountRole[], strict: boolean): Promise<AccountRole[]> {
  const wanted = collapseRoles(roles);
  if (!(await tx.groups.existingUserIds(orgId, [userId], { includeIndependent: true })).has(userId)) throw Errors.memberNotFound([userId]);
  const now = isoNow(clock);
  const adminGroup = accountRoleGroupId(accountId, "administrator");
  if (wanted.includes("administrator")) {
    for (const role of ACCOUNT_ROLES) {
      if (role === "administrator") continue;
      const gid = accountRoleGroupId(accountId, role);
      if ((await tx.groups.removeMembers(orgId, gid, [userId])) > 0) await tx.groups.touch(orgId, gid, now);
    }
  } else if ((await tx.groups.groupsOfUser(orgId, userId)).some((g) => g.id === adminGroup)) {
    if (strict) throw Errors.roleIncluded(roleList(wanted));
    return ["administrator"];
  }
  for (const role of wanted) {
    const gid = accountRoleGroupId(accountId, role);
    if ((await tx.groups.addMembers(orgId, gid, [userId])) > 0) await tx.groups.touch(orgId, gid, now);
  }
  return wanted;
}

/**
 * Nobody is managed by two organizations (docs/tenancy.md). Before an acceptance makes a member
 * managed: an address on a domain another organization verified is that organization's alone; and
 * unless this organization verified the domain, an address another organization manages is
 * refused. Only the person accepting hears the answer; the inviting organization sees an
 * invitation still pending, as if it had not been accepted yet.
 */
export async function checkManagedOnce(tx: Repos, orgId: string, addresses: (string | null)[]): Promise<void> {
  const seen = new Set<string>();
  for (const address of addresses) {
    if (!address || !looksLikeEmail(address) || seen.has(address.toLowerCase())) continue;
    seen.add(address.toLowerCase());
    const domain = emailDomain(address);
    const owner = await tx.domains.findOwner(domain);
    if (owner && owner.orgId !== orgId) throw Errors.invitationDomainOwned(domain);
    if (owner?.orgId === orgId) continue;
    if (await tx.users.isManagedElsewhere(orgId, address)) throw Errors.invitationManagedElsewhere();
  }
}
