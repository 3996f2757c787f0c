/**
 * The invitee's side: accepting with the emailed token and nothing else. Whoever sent (or last
 * resent) the invitation must still be allowed to send it now (./invitations-grants.ts); nobody
 * becomes managed by two organizations.
 */
import type { Actor } from "./actor";
import { auditEvent } from "./audit";
import { grantorMay } from "./policy";
import { isoNow } from "./clock";
import { Errors } from "./errors";
import { queueMail } from "./outbox";
import type { Account, AccountRole, Invitation, UserRecord } from "./types";
import { syncOrgRoleGroups } from "./user-checks";
import { checkManagedOnce, grantAccountRoles, grantChecks } from "./invitations-grants";
import { welcomeMail } from "./invitations-mail";
import { kindOf, openInvitation, primaryEmailOf, retrying, type InvitationDeps } from "./invitations-record";

export interface Acceptance {
  invitation: Invitation;
  user: UserRecord;
  /** Account invitations: the roles granted. */
  roles: AccountRole[];
}

/**
 * POST /v1/Invitations/Accept: the invitee's side, with the emailed token and nothing else.
 * Organization invitation: the member becomes managed with its org role. Account invitation: the
 * roles are granted. A welcome mail goes to the outbox.
 */
export async function acceptInvitation(deps: InvitationDeps, token: string): Promise<Acceptance> {
  const { store, clock } = deps;
  const { found, org } = await openInvitation(store, clock, token);
  // Nobody grants a right they no longer hold: whoever sent (or last resent) it must still be able
  // to send it now. Invitations written before they recorded their sender are taken as they are.
  if (found.invitedBy) {
    const account = kindOf(found) === "account" && found.accountId ? await store.accounts.get(org.id, found.accountId) : null;
    if (!(await grantorMay(store, org, found.invitedBy, grantChecks({ kind: kindOf(found), orgRole: found.orgRole ?? null }, account)))) {
      throw Errors.invitationInviterLacksRight();
    }
  }
  // The audit log names the invitation (and its user) as the actor: no API token was used.
  const actor: Actor = { org, tokenId: `invitation:${found.id}`, scopes: [], userId: found.userId };

  return retrying(() => store.transaction(async (tx): Promise<Acceptance | null> => {
    const user = await tx.users.get(org.id, found.userId, { includeIndependent: true });
    if (!user) throw Errors.invitationRevoked();
    const now = isoNow(clock);
    const accepted: Invitation = { ...found, acceptedAt: now };
    let after = user;
    let roles: AccountRole[] = [];
    let account: Account | null = null;
    if (kindOf(found) === "organization") {
      if (user.status !== "managed") {
        await checkManagedOnce(tx, org.id, [found.email, primaryEmailOf(user)]);
        after = { ...user, status: "managed", orgRole: found.orgRole ?? user.orgRole ?? "standard", version: user.version + 1, lastModified: now };
        if (!(await tx.users.update(after, user.version))) return null;
        await syncOrgRoleGroups(tx, clock, after);
      }
    } else {
      account = found.accountId ? await tx.accounts.get(org.id, found.accountId) : null;
      if (!account || account.status !== "active") throw Errors.accountClosed(found.accountId ?? "");
      roles = await grantAccountRoles(tx, clock, org.id, account.id, user.id, found.accountRoles ?? [], false);
    }
    if (!(await tx.invitations.update(accepted, found.tokenHash))) {
      const fresh = await tx.invitations.get(org.id, found.id);
      throw fresh?.revokedAt ? Errors.invitationRevoked() : fresh?.acceptedAt ? Errors.invitationAccepted() : Errors.invitationTokenInvalid();
    }
    await tx.outbox.cancelPending(found.orgId, found.id);
    const mail = await queueMail(tx, clock, welcomeMail(org.name, found, after, account, roles));
    await tx.audit.append(auditEvent(clock, actor, "invitation.accept", { type: "Invitation", id: found.id }, {
      before: { userId: user.id, status: user.status },
      after: { userId: user.id, status: after.status, orgRole: after.status === "managed" ? after.orgRole : null, accountId: account?.id ?? null, roles, mail: mail.id },
    }));
    return { invitation: accepted, user: after, roles };
  }));
}
