/**
 * Records ⇄ stored documents. A stored document is the record's fields (`id` as `_id`) plus
 * shadow fields that exist only to be queried, all derived here from the record on every write so
 * they can never drift:
 * - users: `userNameLower`, `emailsLower` (every email value, lower-cased), `primaryEmailLower`
 *   (the primary email, else the first), `orgscim` (the orgscim extension exactly as the SCIM
 *   representation shows it: orgRole defaults to "standard"), `seq` (insertion order);
 * - groups: `displayNameLower`, `seq`;
 * - domains: `nameLower`; `claimedName` (= nameLower while the domain is verified or revalidating:
 *   its owner), which a partial unique index keeps unique across organizations; and `orgName`
 *   (orgId + "/" + nameLower unless removed), unique, so an organization holds a name once.
 * `data`, `before` and `after` are stored with encoded keys (./codec.ts). Reading documents back
 * into records is ./decode.ts.
 */
import { actorParts } from "../../domain/audit";
import { userAddress } from "../../domain/user-address";
import type { ApiToken, AuditEvent, Domain, GroupRecord, Invitation, Organization, UserRecord } from "../../domain/types";
import { encodeKeys } from "./codec";
import type { Doc } from "./decode";

export type { Doc } from "./decode";

const lower = (s: string): string => s.toLowerCase();

export function userDoc(u: UserRecord, seq: number): Doc {
  const primary = userAddress(u); // the emails' primary, else an email userName (docs/security.md case 85)
  return {
    _id: u.id, orgId: u.orgId, seq, userName: u.userName, userNameLower: lower(u.userName), externalId: u.externalId,
    displayName: u.displayName, active: u.active, status: u.status, orgRole: u.orgRole,
    twoFactorRequired: u.twoFactorRequired, passwordResetRequired: u.passwordResetRequired,
    emails: u.emails.map((e) => ({ ...e })),
    emailsLower: u.emails.filter((e) => typeof e.value === "string").map((e) => lower(e.value)),
    primaryEmailLower: typeof primary === "string" ? lower(primary) : null,
    orgscim: {
      orgRole: u.orgRole ?? "standard", status: u.status,
      twoFactorRequired: u.twoFactorRequired, passwordResetRequired: u.passwordResetRequired,
    },
    data: encodeKeys(u.data), version: u.version, created: u.created, lastModified: u.lastModified,
  };
}

export const groupDoc = (g: GroupRecord, seq: number): Doc => ({
  _id: g.id, orgId: g.orgId, seq, displayName: g.displayName, displayNameLower: lower(g.displayName),
  externalId: g.externalId, builtin: g.builtin, binding: g.binding ? { ...g.binding } : null,
  data: encodeKeys(g.data), version: g.version, created: g.created, lastModified: g.lastModified,
});

/** The fields a CAS update rewrites: everything but the identity, the org and the insertion order. */
export function mutableFields(doc: Doc): Doc {
  const { _id: _i, orgId: _o, seq: _s, created: _c, ...rest } = doc;
  return rest;
}

export const orgDoc = (o: Organization): Doc => ({
  _id: o.id, name: o.name, settings: { ...o.settings }, created: o.created, lastModified: o.lastModified,
});

export const tokenDoc = (t: ApiToken): Doc => ({
  _id: t.id, orgId: t.orgId, name: t.name, scopes: [...t.scopes], secretHash: t.secretHash, userId: t.userId,
  created: t.created, revoked: t.revoked,
  createdBy: t.createdBy ?? null, creatorUserId: t.creatorUserId ?? null, ceiling: t.ceiling ?? null,
  kind: t.kind ?? null, expires: t.expires ?? null, audience: t.audience ?? null,
});

export const domainDoc = (x: Domain): Doc => {
  const doc: Doc = {
    _id: x.id, orgId: x.orgId, name: x.name, nameLower: lower(x.name), state: x.state, challenge: x.challenge,
    created: x.created, verifiedAt: x.verifiedAt, revalidatingSince: x.revalidatingSince ?? null,
  };
  if (x.state === "verified" || x.state === "revalidating") doc.claimedName = lower(x.name);
  if (x.state !== "removed") doc.orgName = `${x.orgId}/${lower(x.name)}`;
  return doc;
};

export const invitationDoc = (i: Invitation): Doc => {
  const doc: Doc = {
    _id: i.id, orgId: i.orgId, userId: i.userId, email: i.email, tokenHash: i.tokenHash, expires: i.expires,
    created: i.created, acceptedAt: i.acceptedAt, revokedAt: i.revokedAt,
  };
  // The /v1 fields, only on invitations that have them (see Invitation in src/domain/types.ts).
  if (i.kind !== undefined) {
    Object.assign(doc, {
      kind: i.kind, orgRole: i.orgRole ?? null, accountId: i.accountId ?? null, accountRoles: [...(i.accountRoles ?? [])],
      createdMember: i.createdMember === true, newLogin: i.newLogin === true, priorStatus: i.priorStatus ?? null,
    });
  }
  if (i.invitedBy) doc.invitedBy = i.invitedBy;
  return doc;
};

/** The actor's halves, kept beside it for the actor filter (migration 8 fills them in on older events). */
export function actorFields(actor: string): { actorCredential: string; actorUser: string | null } {
  const { credential, user } = actorParts(actor);
  return { actorCredential: credential, actorUser: user };
}

export function auditDoc(e: AuditEvent, seq: number): Doc {
  const doc: Doc = {
    _id: e.id, orgId: e.orgId, seq, time: e.time, actor: e.actor, action: e.action, targetType: e.targetType,
    targetId: e.targetId, outcome: e.outcome, before: encodeKeys(e.before ?? null), after: encodeKeys(e.after ?? null),
    ...actorFields(e.actor),
  };
  if (e.reason !== undefined) doc.reason = e.reason;
  if (e.imported) doc.imported = { at: e.imported.at, from: e.imported.from };
  return doc;
}
