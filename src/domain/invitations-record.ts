/**
 * The invitation as a record, and the member it is for: acceptance tokens (only their SHA-256 is
 * stored), the state an invitation is in, when it expires, what the audit log keeps of it, and how
 * an email address names (or becomes) a member of the organization.
 */
import { createHash, randomBytes } from "node:crypto";
import { type Clock } from "./clock";
import { Errors } from "./errors";
import { newId } from "./ids";
import type { Repos, Store } from "./ports/store";
import type { Email, Invitation, InvitationKind, InvitationState, MemberStatus, Organization, OrgRole, UserRecord } from "./types";
import { cleanText } from "./text";
import { looksLikeEmail } from "./user-checks";

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
export const TOKEN_PREFIX = "oiv_";
const MAX_CAS_RETRIES = 20;

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

/**
 * The invitation an emailed token opens, and its organization, or the refusal Accept answers: an
 * unknown, used, revoked or expired token. Accept and Preview both start here, so Preview answers
 * exactly what Accept would refuse with.
 */
export async function openInvitation(store: Store, clock: Clock, token: string): Promise<{ found: Invitation; org: Organization }> {
  const found = token.startsWith(TOKEN_PREFIX) && token.length <= 200 ? await store.invitations.findByTokenHash(hashInvitationToken(token)) : null;
  if (!found) throw Errors.invitationTokenInvalid();
  const state = stateOf(found, clock.now());
  if (state === "accepted") throw Errors.invitationAccepted();
  if (state === "revoked") throw Errors.invitationRevoked();
  if (state === "expired") throw Errors.invitationExpired(found.expires);
  const org = await store.orgs.get(found.orgId);
  if (!org) throw Errors.invitationTokenInvalid();
  return { found, org };
}

/** When an invitation made (or resent) at `from` expires. */
export const expiry = (deps: InvitationDeps, from: string): string =>
  new Date(Date.parse(from) + (deps.invitationTtlHours ?? DEFAULT_INVITATION_TTL_HOURS) * 3600_000).toISOString();

/** What the audit log keeps of an invitation: never its token hash. */
export const summary = (i: Invitation): Record<string, unknown> => ({
  email: i.email, userId: i.userId, kind: kindOf(i), orgRole: i.orgRole ?? null, accountId: i.accountId ?? null,
  roles: i.accountRoles ?? [], expires: i.expires,
});

export function normalizeEmail(raw: string): string {
  const email = cleanText("email", raw.trim(), "identifier");
  if (!looksLikeEmail(email) || email.length > 254) throw Errors.invalidEmail(email);
  return email;
}

/** The member of the organization this email names, whatever its status (independent too). */
export async function memberByEmail(repos: Repos, orgId: string, email: string): Promise<UserRecord | null> {
  return (await repos.users.findByPrimaryEmail(orgId, email)) ?? (await repos.users.findByUserName(orgId, email));
}

export function newMember(orgId: string, email: string, status: MemberStatus, orgRole: OrgRole | null, now: string): UserRecord {
  const emails: Email[] = [{ value: email, type: "work", primary: true }];
  return {
    id: newId("US"), orgId, userName: email, externalId: null, displayName: null, active: true, status, orgRole,
    twoFactorRequired: false, passwordResetRequired: false, emails, data: { userName: email, emails, active: true },
    version: 1, created: now, lastModified: now,
  };
}

export const primaryEmailOf = (u: UserRecord): string | null =>
  u.emails.find((e) => e.primary)?.value ?? u.emails[0]?.value ?? (looksLikeEmail(u.userName) ? u.userName : null);

/** Runs a transaction whose CAS lost to a concurrent writer again, on fresh reads. */
export async function retrying<T>(fn: () => Promise<T | null>): Promise<T> {
  for (let attempt = 0; attempt < MAX_CAS_RETRIES; attempt++) {
    const out = await fn();
    if (out !== null) return out;
  }
  throw Errors.tooMany("The user is being changed by many writers at once; retry the request.");
}
