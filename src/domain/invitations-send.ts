/**
 * Sending an invitation: to the organization with an org role, or to an account with account
 * roles. Both ask the policy (./invitations-grants.ts), refuse a second live invitation of the same
 * kind, and run the same transaction (sendInvitation): the member written, the invitation, its mail
 * and one audit event, all or nothing.
 */
import { collapseRoles } from "./account-roles";
import { findAccount } from "./accounts";
import type { Actor } from "./actor";
import { auditEvent } from "./audit";
import { accountTarget, authorize, grantorOf, orgTarget } from "./policy";
import { type Clock, isoNow } from "./clock";
import { Errors } from "./errors";
import { newId } from "./ids";
import { queueMail } from "./outbox";
import { type Repos, UniqueViolation } from "./ports/store";
import type { Account, AccountRole, Invitation, OutboxMessage, UserRecord } from "./types";
import { checkDomains } from "./user-checks";
import { grantAccountRoles, grantChecks } from "./invitations-grants";
import { invitationMail } from "./invitations-mail";
import {
  expiry, kindOf, memberByEmail, newInvitationToken, newMember, normalizeEmail, stateOf, summary, type InvitationDeps,
} from "./invitations-record";

export interface InvitationOutcome {
  invitation: Invitation;
  user: UserRecord;
  mail: OutboxMessage;
}

export type AccountInvitationOutcome =
  | { outcome: "granted"; user: UserRecord; roles: AccountRole[] }
  | ({ outcome: "invited"; roles: AccountRole[] } & InvitationOutcome);

/** What the invitation grants: an org role, or an account's roles. */
type Grant = Pick<Invitation, "kind" | "orgRole" | "accountId" | "accountRoles">;

/** POST /v1/Invitations: invite an email to the organization with an org role. */
export async function inviteToOrganization(deps: InvitationDeps, actor: Actor, input: { email: string; orgRole: "administrator" | "standard" }): Promise<InvitationOutcome> {
  const { store, clock } = deps;
  const orgId = actor.org.id;
  await authorize(deps, actor, grantChecks({ kind: "organization", orgRole: input.orgRole }, null), { action: "invitation.create", target: orgTarget(orgId) });
  const invitedBy = await grantorOf(store, actor);
  const email = normalizeEmail(input.email);
  await checkDomains(store, actor, email, [{ value: email, primary: true }]);

  const now = isoNow(clock);
  const grant: Grant = { kind: "organization", orgRole: input.orgRole, accountId: null, accountRoles: [] };
  const out = await sendInvitation(deps, actor, {
    email, now, invitedBy, grant, account: null, same: (i) => kindOf(i) === "organization",
    memberFor: (existing) => {
      if (existing?.status === "managed") throw Errors.alreadyManaged(email, existing.id);
      return existing
        ? { ...existing, status: "pending", orgRole: input.orgRole, version: existing.version + 1, lastModified: now }
        : newMember(orgId, email, "pending", input.orgRole, now);
    },
  });
  if (!out) throw new Error("unreachable: an organization invitation never yields to the managed path");
  return out;
}

/**
 * POST /v1/Accounts/:sid/Invitations: a managed member gets the roles at once (no mail); anyone
 * else is invited, becoming an independent member when the organization does not know them.
 */
export async function inviteToAccount(deps: InvitationDeps, actor: Actor, accountId: string, input: { email: string; roles: AccountRole[] }): Promise<AccountInvitationOutcome> {
  const { store, clock } = deps;
  const orgId = actor.org.id;
  const account = await findAccount(deps, actor, accountId);
  await authorize(deps, actor, grantChecks({ kind: "account" }, account), { action: "invitation.create", target: accountTarget(account) });
  const invitedBy = await grantorOf(store, actor);
  if (account.status === "closed") throw Errors.accountClosed(account.id);
  const email = normalizeEmail(input.email);
  const roles = collapseRoles(input.roles);
  if (roles.length === 0) throw Errors.invalidValue("roles must name at least one account role.");

  // A member who became managed meanwhile (read in the invitation's transaction) takes the managed path.
  for (let attempt = 0; ; attempt++) {
    const existing = await memberByEmail(store, orgId, email);
    if (existing?.status === "managed") {
      const granted = await store.transaction(async (tx) => {
        const out = await grantAccountRoles(tx, clock, orgId, account.id, existing.id, roles, true);
        await tx.audit.append(auditEvent(clock, actor, "role_assignment.create", { type: "User", id: existing.id }, {
          after: { accountId: account.id, userId: existing.id, roles: out, via: "invitation" },
        }));
        return out;
      });
      return { outcome: "granted", user: existing, roles: granted };
    }
    if (attempt === 3) throw Errors.tooMany("The member is being changed by many writers at once; retry the request.");
    const now = isoNow(clock);
    const grant: Grant = { kind: "account", orgRole: null, accountId: account.id, accountRoles: roles };
    const out = await sendInvitation(deps, actor, {
      email, now, invitedBy, grant, account, same: (i) => kindOf(i) === "account" && i.accountId === account.id,
      memberFor: (fresh) => (fresh?.status === "managed" ? null : fresh ?? newMember(orgId, email, "independent", null, now)),
    });
    if (out) return { outcome: "invited", ...out, roles };
  }
}

/** A member already invited (the same kind, the same account) and still pending is invited once: resend or revoke that one. */
async function refuseOutstanding(tx: Repos, clock: Clock, existing: UserRecord | null, email: string, same: (i: Invitation) => boolean): Promise<void> {
  if (!existing) return;
  const live = (await tx.invitations.listForUser(existing.orgId, existing.id)).find((i) => same(i) && stateOf(i, clock.now()) === "pending");
  if (live) throw Errors.invitationOutstanding(email, live.id);
}

/**
 * The one create-invitation transaction. It reads the member the email names and refuses a second
 * live invitation inside the transaction (on SQLite the writer, seeing the writes of the open group
 * commit), so racing invitations of one email answer 409 invitationOutstanding, not 412. The member
 * (`memberFor`: what it becomes; null: it is managed now, the caller takes the managed path) is
 * inserted when new, updated (compare-and-set) when it differs from the one read, and left alone
 * otherwise; then the invitation, its mail and one audit event, whose `before` is the member's
 * status when this invitation changed it.
 */
async function sendInvitation(
  deps: InvitationDeps,
  actor: Actor,
  p: {
    email: string; now: string; invitedBy: string; grant: Grant; account: Account | null;
    same: (i: Invitation) => boolean; memberFor: (existing: UserRecord | null) => UserRecord | null;
  },
): Promise<InvitationOutcome | null> {
  const { store, clock } = deps;
  const { email, now } = p;
  const orgId = actor.org.id;
  const { token, hash } = newInvitationToken();
  return store.transaction(async (tx) => {
    const existing = await memberByEmail(tx, orgId, email);
    const member = p.memberFor(existing);
    if (!member) return null;
    await refuseOutstanding(tx, clock, existing, email, p.same);
    const invitation: Invitation = {
      id: newId("IV"), orgId: member.orgId, userId: member.id, email, tokenHash: hash, expires: expiry(deps, now), created: now, acceptedAt: null, revokedAt: null,
      ...p.grant,
      createdMember: !existing, newLogin: !existing, priorStatus: existing?.status ?? null, invitedBy: p.invitedBy,
    };
    const changed = existing !== null && member !== existing;
    if (!existing) {
      try {
        await tx.users.insert(member);
      } catch (e) {
        if (e instanceof UniqueViolation && e.field === "userName") throw Errors.userNameTaken(email);
        throw e;
      }
    } else if (changed && !(await tx.users.update(member, existing.version))) {
      throw Errors.versionMismatch(`W/"${existing.version}"`, "newer");
    }
    await tx.invitations.insert(invitation);
    const mail = await queueMail(tx, clock, invitationMail(deps, actor.org.name, invitation, token, p.account));
    await tx.audit.append(auditEvent(clock, actor, "invitation.create", { type: "Invitation", id: invitation.id }, {
      before: changed ? { userId: existing.id, status: existing.status } : null,
      after: { ...summary(invitation), createdMember: invitation.createdMember, newLogin: invitation.newLogin, mail: mail.id },
    }));
    return { invitation, user: member, mail };
  });
}
