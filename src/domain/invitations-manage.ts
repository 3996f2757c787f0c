/**
 * The inviting side after sending: read and list invitations, resend (a new token; whoever resends
 * vouches for it), revoke (and release a member created only for it).
 */
import type { Actor } from "./actor";
import { auditEvent } from "./audit";
import { afterPolicy, authorize, grantorOf, invitationTarget, orgTarget, type AfterPolicy } from "./policy";
import { type Clock, isoNow } from "./clock";
import { Errors } from "./errors";
import { queueMail } from "./outbox";
import type { Repos } from "./ports/store";
import type { Invitation, InvitationState, OutboxMessage, UserRecord } from "./types";
import { syncOrgRoleGroups } from "./user-checks";
import { canManage, grantChecks } from "./invitations-grants";
import { invitationMail } from "./invitations-mail";
import { expiry, kindOf, newInvitationToken, stateOf, summary, type InvitationDeps } from "./invitations-record";

/** The invitation, after checking that the actor manages its organization or account. */
async function invitationFor(deps: InvitationDeps, actor: Actor, id: string, action: string): Promise<Invitation> {
  const i = await deps.store.invitations.get(actor.org.id, id);
  if (!i) throw Errors.invitationNotFound(id);
  await canManage(deps, actor, i, action);
  return i;
}

export const getInvitation = (deps: InvitationDeps, actor: Actor, id: string): Promise<Invitation> => invitationFor(deps, actor, id, "invitation.read");

export async function listInvitations(deps: InvitationDeps, actor: Actor, q: { state?: InvitationState; offset: AfterPolicy<number>; limit: number }) {
  await authorize(deps, actor, { action: "invitation.list", target: orgTarget(actor.org.id) });
  return deps.store.invitations.list(actor.org.id, { ...q, offset: afterPolicy(q.offset), now: isoNow(deps.clock) });
}

/** POST /v1/Invitations/:sid/Resend: a new token and expiry; the old token stops working. */
export async function resendInvitation(deps: InvitationDeps, actor: Actor, id: string): Promise<{ invitation: Invitation; mail: OutboxMessage }> {
  const { store, clock } = deps;
  const current = await invitationFor(deps, actor, id, "invitation.resend");
  const state = stateOf(current, clock.now());
  if (state === "accepted" || state === "revoked") throw Errors.invitationClosed(id, state);
  const user = await store.users.get(actor.org.id, current.userId, { includeIndependent: true });
  if (!user) throw Errors.invitationClosed(id, "void: its user was removed");
  const account = current.accountId ? await store.accounts.get(actor.org.id, current.accountId) : null;
  if (kindOf(current) === "account" && account?.status !== "active") throw Errors.accountClosed(current.accountId ?? "");
  // Whoever resends it vouches for it: accepting then grants what they may grant (as sending it would).
  await authorize(deps, actor, grantChecks({ kind: kindOf(current), orgRole: current.orgRole ?? null }, account), { action: "invitation.resend", target: await invitationTarget(store, current) });
  const { token, hash } = newInvitationToken();
  const next: Invitation = { ...current, tokenHash: hash, expires: expiry(deps, isoNow(clock)), invitedBy: await grantorOf(store, actor) };
  const mail = await store.transaction(async (tx) => {
    if (!(await tx.invitations.update(next, current.tokenHash))) throw Errors.invitationClosed(id, "no longer pending");
    await tx.outbox.cancelPending(current.orgId, current.id);
    // Invitations from SCIM creates carry no org role: the member's own is the one accepting gives.
    const queued = await queueMail(tx, clock, invitationMail(deps, actor.org.name, { ...next, orgRole: next.orgRole ?? user.orgRole }, token, account));
    await tx.audit.append(auditEvent(clock, actor, "invitation.resend", { type: "Invitation", id }, {
      before: { expires: current.expires }, after: { expires: next.expires, mail: queued.id },
    }));
    return queued;
  });
  return { invitation: next, mail };
}

/**
 * DELETE /v1/Invitations/:sid. A member created only for this invitation is removed (unless it has
 * gained account roles or other invitations since); an independent member invited to the
 * organization becomes independent again. Revoking a revoked invitation changes nothing.
 */
export async function revokeInvitation(deps: InvitationDeps, actor: Actor, id: string): Promise<{ invitation: Invitation; member: "kept" | "removed" | "independent" }> {
  const { store, clock } = deps;
  const current = await invitationFor(deps, actor, id, "invitation.revoke");
  if (current.acceptedAt) throw Errors.invitationClosed(id, "accepted");
  if (current.revokedAt) return { invitation: current, member: "kept" };
  const now = isoNow(clock);
  const next: Invitation = { ...current, revokedAt: now };
  const member = await store.transaction(async (tx) => {
    if (!(await tx.invitations.update(next, current.tokenHash))) throw Errors.invitationClosed(id, "no longer pending");
    await tx.outbox.cancelPending(current.orgId, current.id);
    const outcome = await releaseMember(tx, clock, next);
    await tx.audit.append(auditEvent(clock, actor, "invitation.revoke", { type: "Invitation", id }, {
      before: summary(current), after: { revokedAt: now, member: outcome },
    }));
    return outcome;
  });
  return { invitation: next, member };
}

async function releaseMember(tx: Repos, clock: Clock, revoked: Invitation): Promise<"kept" | "removed" | "independent"> {
  const user = await tx.users.get(revoked.orgId, revoked.userId, { includeIndependent: true });
  if (!user || user.status === "managed") return "kept";
  const now = clock.now();
  const all = await tx.invitations.listForUser(revoked.orgId, user.id);
  const others = all.filter((i) => i.id !== revoked.id && stateOf(i, now) === "pending");
  // Created by this invitation, or by an earlier one of the same user (expired, then invited again).
  const createdMember = all.some((i) => i.createdMember === true);
  const hasRoles = (await tx.groups.groupsOfUser(revoked.orgId, user.id)).length > 0;
  if (createdMember && others.length === 0 && !hasRoles) {
    await tx.users.delete(revoked.orgId, user.id);
    return "removed";
  }
  const backToIndependent = kindOf(revoked) === "organization" && user.status === "pending"
    && (createdMember || revoked.priorStatus === "independent")
    && !others.some((i) => kindOf(i) === "organization");
  if (!backToIndependent) return "kept";
  const next: UserRecord = { ...user, status: "independent", orgRole: null, version: user.version + 1, lastModified: isoNow(clock) };
  if (!(await tx.users.update(next, user.version))) throw Errors.versionMismatch(`W/"${user.version}"`, "newer");
  await syncOrgRoleGroups(tx, clock, next);
  return "independent";
}
