/**
 * Invitations (seed: "Invite a user", "Invite a user to an account", Pending Users) and password
 * resets. Each use case asks the policy (./policy), runs its writes in one transaction, leaves one
 * audit event, and queues its mail in the outbox (./outbox.ts) inside that same transaction.
 *
 * - To the organization (Owner/Administrator; the email's domain must be verified under domain
 *   enforcement, and never verified by another organization): a new email becomes a member in
 *   status `pending`; an independent member of this one becomes `pending` too. Accepting makes the
 *   member `managed` with the invitation's org role, unless another organization manages the
 *   person or owns their domain by then (the person is told; docs/tenancy.md).
 * - To an account (Owner/Administrator, or that account's Administrator; any email domain): a
 *   managed member gets the roles at once, with no invitation and no mail; anyone else becomes (or
 *   stays) a member of the organization in status `independent` (invisible over SCIM) or `pending`,
 *   and accepting grants the roles. Roles follow grantRole: Administrator clears the others.
 * - Nothing here answers differently for what other organizations hold: `newLogin` (`new_user`)
 *   says whether a member was created in this organization for the invitation.
 * - A token is single-use and expires after INVITATION_TTL_HOURS. The store keeps its SHA-256
 *   only; the plaintext is in the invitation mail, and nowhere else (see ./outbox.ts for the mail
 *   body at rest). Resend makes a new token (the old one stops working); Revoke ends the invitation
 *   and removes a member created only for it.
 * - Accepting needs nothing but the token: the endpoint is not behind an admin token.
 */
import { createHash, randomBytes } from "node:crypto";
import { ACCOUNT_ROLE_NAMES, accountRoleGroupId, collapseRoles } from "./account-roles";
import { findAccount } from "./accounts";
import type { Actor } from "./actor";
import { auditEvent } from "./audit";
import { accountTarget, afterPolicy, authorize, grantorMay, grantorOf, invitationTarget, orgTarget, userRef, userTarget, type AfterPolicy, type Check } from "./policy";
import { type Clock, isoNow } from "./clock";
import { Errors } from "./errors";
import { newId } from "./ids";
import { queueMail, type MailToQueue } from "./outbox";
import { UniqueViolation, type Repos, type Store } from "./ports/store";
import { ORG_ROLE_GROUP_NAMES } from "./role-groups";
import {
  ACCOUNT_ROLES, type Account, type AccountRole, type Email, type Invitation, type InvitationKind, type InvitationState,
  type MemberStatus, type OrgRole, type OutboxMessage, type UserRecord,
} from "./types";
import { cleanText } from "./text";
import { checkDomains, looksLikeEmail, syncOrgRoleGroups } from "./user-checks";

export interface InvitationDeps {
  store: Store;
  clock: Clock;
  /** INVITATION_TTL_HOURS (default 168, seven days). */
  invitationTtlHours?: number | undefined;
  /**
   * PUBLIC_URL, for the acceptance address in the mail. Never taken from a request's Host header:
   * anyone can send a Host header, and a mail must not point invitees at it.
   */
  publicUrl?: string | undefined;
}

export const DEFAULT_INVITATION_TTL_HOURS = 168;
const TOKEN_PREFIX = "oiv_";
const MAX_CAS_RETRIES = 20;

// ---------- tokens and states ----------

/** A new acceptance token (`oiv_` + 256 random bits, base64url) and the hash the store keeps. */
export function newInvitationToken(): { token: string; hash: string } {
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  return { token, hash: hashInvitationToken(token) };
}

export const hashInvitationToken = (token: string): string => createHash("sha256").update(token, "utf8").digest("hex");

export const kindOf = (i: Invitation): InvitationKind => i.kind ?? "organization";

export function stateOf(i: Invitation, now: Date): InvitationState {
  if (i.acceptedAt) return "accepted";
  if (i.revokedAt) return "revoked";
  return Date.parse(i.expires) <= now.getTime() ? "expired" : "pending";
}

/** When an invitation made (or resent) at `from` expires. */
const expiry = (deps: InvitationDeps, from: string): string =>
  new Date(Date.parse(from) + (deps.invitationTtlHours ?? DEFAULT_INVITATION_TTL_HOURS) * 3600_000).toISOString();

function normalizeEmail(raw: string): string {
  const email = cleanText("email", raw.trim(), "identifier");
  if (!looksLikeEmail(email) || email.length > 254) throw Errors.invalidEmail(email);
  return email;
}

/** The member of the organization this email names, whatever its status (independent too). */
async function memberByEmail(repos: Repos, orgId: string, email: string): Promise<UserRecord | null> {
  return (await repos.users.findByPrimaryEmail(orgId, email)) ?? (await repos.users.findByUserName(orgId, email));
}

function newMember(orgId: string, email: string, status: MemberStatus, orgRole: OrgRole | null, now: string): UserRecord {
  const emails: Email[] = [{ value: email, type: "work", primary: true }];
  return {
    id: newId("US"), orgId, userName: email, externalId: null, displayName: null, active: true, status, orgRole,
    twoFactorRequired: false, passwordResetRequired: false, emails, data: { userName: email, emails, active: true },
    version: 1, created: now, lastModified: now,
  };
}

const primaryEmailOf = (u: UserRecord): string | null =>
  u.emails.find((e) => e.primary)?.value ?? u.emails[0]?.value ?? (looksLikeEmail(u.userName) ? u.userName : null);

/** What the audit log keeps of an invitation: never its token hash. */
const summary = (i: Invitation): Record<string, unknown> => ({
  email: i.email, userId: i.userId, kind: kindOf(i), orgRole: i.orgRole ?? null, accountId: i.accountId ?? null,
  roles: i.accountRoles ?? [], expires: i.expires,
});

async function canManage(deps: InvitationDeps, actor: Actor, i: Invitation, action: string): Promise<void> {
  await authorize(deps, actor, { action, target: await invitationTarget(deps.store, kindOf(i) === "account" ? i : { ...i, accountId: null }) });
}

/**
 * What sending an invitation asks of the policy, and what accepting it asks again of whoever sent
 * (or last resent) it: nobody grants, through an invitation accepted later, a right they no
 * longer hold. An account invitation without its account asks the organization-level checks.
 */
function grantChecks(i: Pick<Invitation, "kind" | "orgRole">, account: Pick<Account, "id" | "ownerId"> | null): Check[] {
  if (i.kind === "account" && account) {
    return [
      { action: "invitation.create", target: { type: "invitation", id: "new", account: { id: account.id, ownerId: account.ownerId } } },
      { action: "role_assignment.create", target: accountTarget(account) },
    ];
  }
  return [
    { action: "invitation.create", target: { type: "invitation", id: "new", account: null } },
    ...(i.orgRole === "administrator" ? [{ action: "org_role.administrator.grant", target: userRef("the invitee") }] : []),
  ];
}

/** Runs a transaction whose CAS lost to a concurrent writer again, on fresh reads. */
async function retrying<T>(fn: () => Promise<T | null>): Promise<T> {
  for (let attempt = 0; attempt < MAX_CAS_RETRIES; attempt++) {
    const out = await fn();
    if (out !== null) return out;
  }
  throw Errors.tooMany("The user is being changed by many writers at once; retry the request.");
}

// ---------- mail ----------

function acceptAt(deps: InvitationDeps): string {
  return deps.publicUrl
    ? `${deps.publicUrl.replace(/\/+$/, "")}/v1/Invitations/Accept`
    : "the address /v1/Invitations/Accept of your organization's orgscim server";
}

const roleList = (roles: readonly AccountRole[]): string => roles.map((r) => ACCOUNT_ROLE_NAMES[r]).join(", ");

function invitationMail(deps: InvitationDeps, orgName: string, i: Invitation, token: string, account: Account | null): MailToQueue {
  const what = kindOf(i) === "account" && account
    ? `to the account "${account.name}" of the organization "${orgName}", with the role${(i.accountRoles ?? []).length > 1 ? "s" : ""} ${roleList(i.accountRoles ?? [])}`
    : `to join the organization "${orgName}" as ${ORG_ROLE_GROUP_NAMES[i.orgRole ?? "standard"]}`;
  // The same words whatever other organizations hold for the address (docs/tenancy.md: no oracle).
  const login = kindOf(i) === "organization"
    ? `If you have no user for ${i.email} yet, one is created when you accept; if you have one, you keep it, and once you accept the organization manages it.`
    : `If you have no user for ${i.email} yet, one is created when you accept; if you have one, you keep it.`;
  return {
    orgId: i.orgId,
    kind: "invitation",
    ref: i.id,
    to: i.email,
    subject: kindOf(i) === "account" && account ? `You are invited to the account ${account.name} (${orgName})` : `You are invited to join ${orgName}`,
    text: [
      "Hello,",
      "",
      `You are invited ${what}.`,
      login,
      "",
      `To accept, POST this token to ${acceptAt(deps)} as {"token": "<token>"}:`,
      "",
      token,
      "",
      `The invitation works once and expires at ${i.expires}. If you did not expect it, ignore this mail.`,
      "",
    ].join("\n"),
  };
}

function welcomeMail(orgName: string, i: Invitation, user: UserRecord, account: Account | null, roles: AccountRole[]): MailToQueue {
  const what = kindOf(i) === "account" && account
    ? `You now have access to the account "${account.name}" of "${orgName}" (${roleList(roles)}).`
    : `You are now a member of "${orgName}" (${ORG_ROLE_GROUP_NAMES[user.orgRole ?? "standard"]}); the organization manages your user.`;
  return {
    orgId: i.orgId, kind: "welcome", ref: user.id, to: i.email,
    subject: `Welcome to ${orgName}`,
    text: ["Hello,", "", what, "", "Sign in as usual with your user, " + i.email + ".", ""].join("\n"),
  };
}

function passwordResetMail(orgName: string, user: UserRecord, to: string): MailToQueue {
  return {
    orgId: user.orgId, kind: "password_reset", ref: user.id, to,
    subject: `${orgName}: choose a new password`,
    text: [
      "Hello,",
      "",
      `An administrator of "${orgName}" requires you to choose a new password for your user ${user.userName}.`,
      "You will be asked for a new password the next time you sign in.",
      "",
      "If you did not expect this, contact your organization's administrator.",
      "",
    ].join("\n"),
  };
}

// ---------- account roles ----------

/**
 * Grants account roles to a member (independent ones too) as grantRole does: Administrator clears
 * the others. `strict`: a lesser role beside an existing Administrator is refused (as grantRole
 * does); otherwise it is skipped, since Administrator includes it. Answers the roles granted.
 */
async function grantAccountRoles(tx: Repos, clock: Clock, orgId: string, accountId: string, userId: string, roles: AccountRole[], strict: boolean): Promise<AccountRole[]> {
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

// ---------- use cases ----------

export interface InvitationOutcome {
  invitation: Invitation;
  user: UserRecord;
  mail: OutboxMessage;
}

/** POST /v1/Invitations: invite an email to the organization with an org role. */
export async function inviteToOrganization(deps: InvitationDeps, actor: Actor, input: { email: string; orgRole: "administrator" | "standard" }): Promise<InvitationOutcome> {
  const { store, clock } = deps;
  const orgId = actor.org.id;
  await authorize(deps, actor, grantChecks({ kind: "organization", orgRole: input.orgRole }, null), { action: "invitation.create", target: orgTarget(orgId) });
  const invitedBy = await grantorOf(store, actor);
  const email = normalizeEmail(input.email);
  await checkDomains(store, actor, email, [{ value: email, primary: true }]);

  const existing = await memberByEmail(store, orgId, email);
  if (existing?.status === "managed") throw Errors.alreadyManaged(email, existing.id);
  if (existing) {
    const live = (await store.invitations.listForUser(orgId, existing.id)).find((i) => kindOf(i) === "organization" && stateOf(i, clock.now()) === "pending");
    if (live) throw Errors.invitationOutstanding(email, live.id);
  }
  const now = isoNow(clock);
  const member: UserRecord = existing
    ? { ...existing, status: "pending", orgRole: input.orgRole, version: existing.version + 1, lastModified: now }
    : newMember(orgId, email, "pending", input.orgRole, now);
  const { token, hash } = newInvitationToken();
  const invitation: Invitation = {
    id: newId("IV"), orgId, userId: member.id, email, tokenHash: hash, expires: expiry(deps, now), created: now, acceptedAt: null, revokedAt: null,
    kind: "organization", orgRole: input.orgRole, accountId: null, accountRoles: [],
    createdMember: !existing, newLogin: !existing, priorStatus: existing?.status ?? null, invitedBy,
  };
  const mail = await store.transaction(async (tx) => {
    if (existing) {
      if (!(await tx.users.update(member, existing.version))) throw Errors.versionMismatch(`W/"${existing.version}"`, "newer");
    } else {
      try {
        await tx.users.insert(member);
      } catch (e) {
        if (e instanceof UniqueViolation && e.field === "userName") throw Errors.userNameTaken(email);
        throw e;
      }
    }
    await tx.invitations.insert(invitation);
    const queued = await queueMail(tx, clock, invitationMail(deps, actor.org.name, invitation, token, null));
    await tx.audit.append(auditEvent(clock, actor, "invitation.create", { type: "Invitation", id: invitation.id }, {
      before: existing ? { userId: existing.id, status: existing.status } : null,
      after: { ...summary(invitation), createdMember: invitation.createdMember, newLogin: invitation.newLogin, mail: queued.id },
    }));
    return queued;
  });
  return { invitation, user: member, mail };
}

export type AccountInvitationOutcome =
  | { outcome: "granted"; user: UserRecord; roles: AccountRole[] }
  | ({ outcome: "invited"; roles: AccountRole[] } & InvitationOutcome);

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
  if (existing) {
    const live = (await store.invitations.listForUser(orgId, existing.id))
      .find((i) => kindOf(i) === "account" && i.accountId === account.id && stateOf(i, clock.now()) === "pending");
    if (live) throw Errors.invitationOutstanding(email, live.id);
  }
  const now = isoNow(clock);
  const member = existing ?? newMember(orgId, email, "independent", null, now);
  const { token, hash } = newInvitationToken();
  const invitation: Invitation = {
    id: newId("IV"), orgId, userId: member.id, email, tokenHash: hash, expires: expiry(deps, now), created: now, acceptedAt: null, revokedAt: null,
    kind: "account", orgRole: null, accountId: account.id, accountRoles: roles,
    createdMember: !existing, newLogin: !existing, priorStatus: existing?.status ?? null, invitedBy,
  };
  const mail = await store.transaction(async (tx) => {
    if (!existing) {
      try {
        await tx.users.insert(member);
      } catch (e) {
        if (e instanceof UniqueViolation && e.field === "userName") throw Errors.userNameTaken(email);
        throw e;
      }
    }
    await tx.invitations.insert(invitation);
    const queued = await queueMail(tx, clock, invitationMail(deps, actor.org.name, invitation, token, account));
    await tx.audit.append(auditEvent(clock, actor, "invitation.create", { type: "Invitation", id: invitation.id }, {
      after: { ...summary(invitation), createdMember: invitation.createdMember, newLogin: invitation.newLogin, mail: queued.id },
    }));
    return queued;
  });
  return { outcome: "invited", invitation, user: member, mail, roles };
}

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

/**
 * Nobody is managed by two organizations (docs/tenancy.md). Before an acceptance makes a member
 * managed: an address on a domain another organization verified is that organization's alone; and
 * unless this organization verified the domain, an address another organization manages is
 * refused. Only the person accepting hears the answer; the inviting organization sees an
 * invitation still pending, as if it had not been accepted yet.
 */
async function checkManagedOnce(tx: Repos, orgId: string, addresses: (string | null)[]): Promise<void> {
  const seen = new Set<string>();
  for (const address of addresses) {
    if (!address || !looksLikeEmail(address) || seen.has(address.toLowerCase())) continue;
    seen.add(address.toLowerCase());
    const domain = address.slice(address.lastIndexOf("@") + 1).toLowerCase();
    const owner = await tx.domains.findOwner(domain);
    if (owner && owner.orgId !== orgId) throw Errors.invitationDomainOwned(domain);
    if (owner?.orgId === orgId) continue;
    if (await tx.users.isManagedElsewhere(orgId, address)) throw Errors.invitationManagedElsewhere();
  }
}

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
  const found = token.startsWith(TOKEN_PREFIX) && token.length <= 200 ? await store.invitations.findByTokenHash(hashInvitationToken(token)) : null;
  if (!found) throw Errors.invitationTokenInvalid();
  const state = stateOf(found, clock.now());
  if (state === "accepted") throw Errors.invitationAccepted();
  if (state === "revoked") throw Errors.invitationRevoked();
  if (state === "expired") throw Errors.invitationExpired(found.expires);
  const org = await store.orgs.get(found.orgId);
  if (!org) throw Errors.invitationTokenInvalid();
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

/**
 * GET /v1/Users?Status=&Search=: the console's Users tabs (managed, pending, independent) and
 * their search: members whose userName or an email starts with `search`, without regard to case.
 */
export async function listMembers(deps: InvitationDeps, actor: Actor, q: { status?: MemberStatus; search?: string; offset: AfterPolicy<number>; limit: number }) {
  await authorize(deps, actor, { action: "user.list", target: orgTarget(actor.org.id) });
  const { search, ...rest } = { ...q, offset: afterPolicy(q.offset) };
  const text = search?.trim();
  return deps.store.users.listByStatus(actor.org.id, text ? { ...rest, search: text } : rest);
}

/**
 * POST /v1/Users/:sid/PasswordReset: the user must choose a new password at the next sign-in
 * (passwordResetRequired, a compare-and-set update like modifyUser's) and gets a mail saying so.
 */
export async function requirePasswordReset(deps: InvitationDeps, actor: Actor, userId: string): Promise<{ user: UserRecord; mail: OutboxMessage }> {
  const { store, clock } = deps;
  const target = await store.users.get(actor.org.id, userId);
  if (!target) throw Errors.userNotFound(userId);
  await authorize(deps, actor, { action: "user.password_reset", target: await userTarget(store, target) });
  return retrying(async () => {
    const current = await store.users.get(actor.org.id, userId);
    if (!current) throw Errors.userNotFound(userId);
    if (current.status !== "managed") throw Errors.notManaged(userId, current.status);
    if (!current.active) throw Errors.userSuspended();
    const to = primaryEmailOf(current);
    if (!to) throw Errors.noEmailAddress(userId);
    const next: UserRecord = current.passwordResetRequired
      ? current
      : { ...current, passwordResetRequired: true, version: current.version + 1, lastModified: isoNow(clock) };
    return store.transaction(async (tx) => {
      if (next !== current && !(await tx.users.update(next, current.version))) return null;
      const mail = await queueMail(tx, clock, passwordResetMail(actor.org.name, next, to));
      await tx.audit.append(auditEvent(clock, actor, "user.password_reset", { type: "User", id: userId }, {
        before: { passwordResetRequired: current.passwordResetRequired, version: current.version },
        after: { passwordResetRequired: true, version: next.version, mail: mail.id },
      }));
      return { user: next, mail };
    });
  });
}
