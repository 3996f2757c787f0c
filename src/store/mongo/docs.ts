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
 * `data`, `before` and `after` are stored with encoded keys (./codec.ts).
 */
import { DEFAULT_ORG_SETTINGS } from "../../domain/types";
import type {
  AccountRole, ApiToken, AuditEvent, Domain, Email, GroupRecord, Invitation, MemberStatus, Organization, OrgRole, TokenKind, Scope, UserRecord,
} from "../../domain/types";
import { decodeKeys, encodeKeys } from "./codec";

export type Doc = Record<string, unknown>;

const lower = (s: string): string => s.toLowerCase();

export const primaryEmailOf = (emails: Email[]): string | null =>
  (emails.find((e) => e.primary === true) ?? emails[0])?.value ?? null;

export function userDoc(u: UserRecord, seq: number): Doc {
  const primary = primaryEmailOf(u.emails);
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

export const toUser = (d: Doc): UserRecord => ({
  id: d._id as string, orgId: d.orgId as string, userName: d.userName as string,
  externalId: (d.externalId ?? null) as string | null, displayName: (d.displayName ?? null) as string | null,
  active: d.active as boolean, status: d.status as MemberStatus, orgRole: (d.orgRole ?? null) as OrgRole | null,
  twoFactorRequired: d.twoFactorRequired as boolean, passwordResetRequired: d.passwordResetRequired as boolean,
  emails: (d.emails ?? []) as Email[], data: decodeKeys((d.data ?? {}) as Record<string, unknown>),
  version: d.version as number, created: d.created as string, lastModified: d.lastModified as string,
});

export const groupDoc = (g: GroupRecord, seq: number): Doc => ({
  _id: g.id, orgId: g.orgId, seq, displayName: g.displayName, displayNameLower: lower(g.displayName),
  externalId: g.externalId, builtin: g.builtin, binding: g.binding ? { ...g.binding } : null,
  data: encodeKeys(g.data), version: g.version, created: g.created, lastModified: g.lastModified,
});

export const toGroup = (d: Doc): GroupRecord => ({
  id: d._id as string, orgId: d.orgId as string, displayName: d.displayName as string,
  externalId: (d.externalId ?? null) as string | null, builtin: d.builtin as boolean,
  binding: (d.binding ?? null) as GroupRecord["binding"], data: decodeKeys((d.data ?? {}) as Record<string, unknown>),
  version: d.version as number, created: d.created as string, lastModified: d.lastModified as string,
});

/** The fields a CAS update rewrites: everything but the identity, the org and the insertion order. */
export function mutableFields(doc: Doc): Doc {
  const { _id: _i, orgId: _o, seq: _s, created: _c, ...rest } = doc;
  return rest;
}

export const orgDoc = (o: Organization): Doc => ({
  _id: o.id, name: o.name, settings: { ...o.settings }, created: o.created, lastModified: o.lastModified,
});

export const toOrg = (d: Doc): Organization => ({
  id: d._id as string, name: d.name as string,
  settings: { ...DEFAULT_ORG_SETTINGS, ...((d.settings ?? {}) as object) },
  created: d.created as string, lastModified: d.lastModified as string,
});

export const tokenDoc = (t: ApiToken): Doc => ({
  _id: t.id, orgId: t.orgId, name: t.name, scopes: [...t.scopes], secretHash: t.secretHash, userId: t.userId,
  created: t.created, revoked: t.revoked,
  createdBy: t.createdBy ?? null, creatorUserId: t.creatorUserId ?? null, ceiling: t.ceiling ?? null,
  kind: t.kind ?? null, expires: t.expires ?? null, audience: t.audience ?? null,
});

export const toToken = (d: Doc): ApiToken => ({
  id: d._id as string, orgId: d.orgId as string, name: d.name as string, scopes: (d.scopes ?? []) as Scope[],
  secretHash: d.secretHash as string, userId: (d.userId ?? null) as string | null, created: d.created as string,
  revoked: (d.revoked ?? null) as string | null,
  createdBy: (d.createdBy ?? null) as string | null,
  creatorUserId: (d.creatorUserId ?? null) as string | null,
  ceiling: (d.ceiling ?? null) as OrgRole | null,
  // Absent rather than null when unset, as the SQLite store reads them.
  ...(d.kind ? { kind: d.kind as TokenKind } : {}),
  ...(d.expires ? { expires: d.expires as string } : {}),
  ...(d.audience ? { audience: d.audience as string } : {}),
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

export const toDomain = (d: Doc): Domain => ({
  id: d._id as string, orgId: d.orgId as string, name: d.name as string, state: d.state as Domain["state"],
  challenge: d.challenge as string, created: d.created as string, verifiedAt: (d.verifiedAt ?? null) as string | null,
  revalidatingSince: (d.revalidatingSince ?? null) as string | null,
});

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

export const toInvitation = (d: Doc): Invitation => {
  const i: Invitation = {
    id: d._id as string, orgId: d.orgId as string, userId: d.userId as string, email: d.email as string,
    tokenHash: d.tokenHash as string, expires: d.expires as string, created: d.created as string,
    acceptedAt: (d.acceptedAt ?? null) as string | null, revokedAt: (d.revokedAt ?? null) as string | null,
  };
  if (typeof d.kind === "string") {
    i.kind = d.kind as NonNullable<Invitation["kind"]>;
    i.orgRole = (d.orgRole ?? null) as OrgRole | null;
    i.accountId = (d.accountId ?? null) as string | null;
    i.accountRoles = (d.accountRoles ?? []) as AccountRole[];
    i.createdMember = d.createdMember === true;
    i.newLogin = d.newLogin === true;
    i.priorStatus = (d.priorStatus ?? null) as MemberStatus | null;
  }
  if (typeof d.invitedBy === "string") i.invitedBy = d.invitedBy;
  return i;
};

export function auditDoc(e: AuditEvent, seq: number): Doc {
  const doc: Doc = {
    _id: e.id, orgId: e.orgId, seq, time: e.time, actor: e.actor, action: e.action, targetType: e.targetType,
    targetId: e.targetId, outcome: e.outcome, before: encodeKeys(e.before ?? null), after: encodeKeys(e.after ?? null),
  };
  if (e.reason !== undefined) doc.reason = e.reason;
  if (e.imported) doc.imported = { at: e.imported.at, from: e.imported.from };
  return doc;
}

export function toAudit(d: Doc): AuditEvent {
  const e: AuditEvent = {
    id: d._id as string, orgId: d.orgId as string, time: d.time as string, actor: d.actor as string,
    action: d.action as string, targetType: d.targetType as string, targetId: (d.targetId ?? null) as string | null,
    outcome: d.outcome as AuditEvent["outcome"], before: decodeKeys(d.before ?? null), after: decodeKeys(d.after ?? null),
  };
  if (typeof d.reason === "string") e.reason = d.reason;
  const imported = d.imported as { at?: unknown; from?: unknown } | null | undefined;
  if (imported && typeof imported.at === "string" && typeof imported.from === "string") e.imported = { at: imported.at, from: imported.from };
  return e;
}
