/**
 * Stored documents → records, through typed decoders (zod), never by casting: a document that is
 * not what this store writes (edited by hand, written by a newer orgscim, half-restored) fails here
 * with MalformedDocument naming the collection, the document and each field that is wrong, instead
 * of travelling on as a record whose types lie. What may be absent on documents written by older
 * versions is said field by field (`orNull`, `.optional()`), as the migrations left them.
 *
 * Enumerations are the domain's own values (`allOf` makes the compiler check the list against the
 * domain's union type both ways), and each decoder returns the domain's record type, so a field the
 * domain adds or renames fails to compile here rather than decoding to undefined.
 */
import { z } from "zod";
import { ACCOUNT_ROLES, DEFAULT_ORG_SETTINGS, ORG_ROLES, SCIM_PROFILES, SCOPES } from "../../domain/types";
import type {
  Account, ApiToken, AuditEvent, Domain, Email, GroupBinding, GroupRecord, Invitation, InvitationKind, MemberStatus, Organization, OrgSettings,
  OutboxMessage, TokenKind, UserRecord,
} from "../../domain/types";
import type { ProvisioningError } from "../../domain/ports/store";
import { decodeKeys, decodeObjectKeys, isPlainObject } from "./codec";

/** A stored document as the driver answers it. */
export type Doc = Record<string, unknown>;
/** A stored document as the driver sees it: string `_id`s, any other field. */
export type Stored = { _id: string; [key: string]: unknown };

/** A document this store cannot read as a record: which, and what is wrong with it. */
export class MalformedDocument extends Error {
  constructor(readonly collection: string, readonly documentId: string, readonly problems: string[]) {
    super(`MongoDB document ${documentId} in ${collection} is not one this orgscim can read (${problems.join("; ")}): ` +
      "it was edited outside orgscim or written by another version; restore it from a backup or remove it");
    this.name = "MalformedDocument";
  }
}

/** Every value of the union T, no more and no fewer (the compiler checks both ways). */
const allOf = <T extends string>() =>
  <const V extends readonly T[]>(...values: V & ([T] extends [V[number]] ? unknown : never)): V => values;

const MEMBER_STATUSES = allOf<MemberStatus>()("managed", "pending", "independent");
const TOKEN_KINDS = allOf<TokenKind>()("client", "access");
const INVITATION_KINDS = allOf<InvitationKind>()("organization", "account");
const ACCOUNT_STATUSES = allOf<Account["status"]>()("active", "closed");
const DOMAIN_STATES = allOf<Domain["state"]>()("pending", "verified", "revalidating", "removed");
const OUTBOX_KINDS = allOf<OutboxMessage["kind"]>()("invitation", "welcome", "password_reset");
const OUTBOX_STATUSES = allOf<OutboxMessage["status"]>()("pending", "sent", "failed", "cancelled");
const OUTCOMES = allOf<AuditEvent["outcome"]>()("success", "refused");

const text = z.string();
/** Absent or null: null (a field older documents may lack). */
const orNull = <T extends z.ZodType>(t: T) => t.nullish().transform((v) => v ?? null);
/**
 * A sub-document of free-form content, stored with encoded keys (./codec.ts): taken as it is and
 * rebuilt by decodeObjectKeys (with defineProperty, so a key such as `__proto__` stays data).
 */
const encoded = z.custom<Record<string, unknown>>(isPlainObject, "expected an object").transform(decodeObjectKeys);

const email = z.strictObject({
  value: text, type: text.optional(), primary: z.boolean().optional(), display: text.optional(),
} satisfies { [K in keyof Required<Email>]: z.ZodType });

const binding = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("orgRole"), role: z.enum(ORG_ROLES) }),
  z.strictObject({ kind: z.literal("accountRole"), accountId: text, role: z.enum(ACCOUNT_ROLES) }),
]) satisfies z.ZodType<GroupBinding>;

/** Every setting the domain has, each optional (a document keeps what it was given; the defaults fill the rest). */
const settings = z.object({
  domainEnforcement: z.boolean().optional(),
  deprovision: z.enum(allOf<OrgSettings["deprovision"]>()("remove", "delete")).optional(),
  successorUserId: text.nullable().optional(),
  exposeRoleGroups: z.boolean().optional(),
  scimProfile: z.enum(SCIM_PROFILES).optional(),
} satisfies { [K in keyof OrgSettings]: z.ZodType });

const users = z.object({
  _id: text, orgId: text, userName: text, externalId: orNull(text), displayName: orNull(text), active: z.boolean(),
  status: z.enum(MEMBER_STATUSES), orgRole: orNull(z.enum(ORG_ROLES)), twoFactorRequired: z.boolean(), passwordResetRequired: z.boolean(),
  emails: z.array(email).nullish(), data: encoded.nullish(), version: z.number(), created: text, lastModified: text,
});

const groups = z.object({
  _id: text, orgId: text, displayName: text, externalId: orNull(text), builtin: z.boolean(), binding: orNull(binding),
  data: encoded.nullish(), version: z.number(), created: text, lastModified: text,
});

const organizations = z.object({ _id: text, name: text, settings: settings.nullish(), created: text, lastModified: text });

const tokens = z.object({
  _id: text, orgId: text, name: text, scopes: z.array(z.enum(SCOPES)).nullish(), secretHash: text, userId: orNull(text), created: text,
  revoked: orNull(text), createdBy: orNull(text), creatorUserId: orNull(text), ceiling: orNull(z.enum(ORG_ROLES)),
  kind: orNull(z.enum(TOKEN_KINDS)), expires: orNull(text), audience: orNull(text),
});

const domains = z.object({
  _id: text, orgId: text, name: text, state: z.enum(DOMAIN_STATES), challenge: text, created: text,
  verifiedAt: orNull(text), revalidatingSince: orNull(text),
});

const invitations = z.object({
  _id: text, orgId: text, userId: text, email: text, tokenHash: text, expires: text, created: text,
  acceptedAt: orNull(text), revokedAt: orNull(text),
  // The /v1 fields, on invitations written since /v1/Invitations (see Invitation in src/domain/types.ts).
  kind: z.enum(INVITATION_KINDS).optional(), orgRole: orNull(z.enum(ORG_ROLES)), accountId: orNull(text),
  accountRoles: z.array(z.enum(ACCOUNT_ROLES)).nullish(), createdMember: z.boolean().nullish(), newLogin: z.boolean().nullish(),
  priorStatus: orNull(z.enum(MEMBER_STATUSES)), invitedBy: text.nullish(),
});

const audit_events = z.object({
  _id: text, orgId: text, time: text, actor: text, action: text, targetType: text, targetId: orNull(text),
  outcome: z.enum(OUTCOMES), before: z.unknown(), after: z.unknown(), reason: text.nullish(),
  imported: z.object({ at: text, from: text }).nullish(),
});

const accounts = z.object({
  _id: text, orgId: text, name: text, ownerId: text, status: z.enum(ACCOUNT_STATUSES), created: text, lastModified: text,
});

const outbox = z.object({
  _id: text, orgId: orNull(text), kind: z.enum(OUTBOX_KINDS), ref: orNull(text), to: text, subject: text, text: orNull(text),
  status: z.enum(OUTBOX_STATUSES), created: text, sentAt: orNull(text), attempts: z.number(), lastError: orNull(text), nextAttemptAt: text,
});

/** Decodes `d` with `schema`, or throws MalformedDocument naming `collection`, the document and each wrong field. */
export function decode<S extends z.ZodType>(collection: string, schema: S, d: unknown): z.output<S> {
  const r = schema.safeParse(d);
  if (r.success) return r.data;
  const id = typeof d === "object" && d !== null && "_id" in d ? JSON.stringify(d._id) : "(without _id)";
  throw new MalformedDocument(collection, id, r.error.issues.map((i) => `${i.path.length > 0 ? i.path.join(".") : "the document"}: ${i.message}`));
}

export function toUser(d: Doc): UserRecord {
  const u = decode("users", users, d);
  return {
    id: u._id, orgId: u.orgId, userName: u.userName, externalId: u.externalId, displayName: u.displayName, active: u.active,
    status: u.status, orgRole: u.orgRole, twoFactorRequired: u.twoFactorRequired, passwordResetRequired: u.passwordResetRequired,
    emails: u.emails ?? [], data: u.data ?? {}, version: u.version, created: u.created, lastModified: u.lastModified,
  };
}

export function toGroup(d: Doc): GroupRecord {
  const g = decode("groups", groups, d);
  return {
    id: g._id, orgId: g.orgId, displayName: g.displayName, externalId: g.externalId, builtin: g.builtin, binding: g.binding,
    data: g.data ?? {}, version: g.version, created: g.created, lastModified: g.lastModified,
  };
}

export function toOrg(d: Doc): Organization {
  const o = decode("organizations", organizations, d);
  const stored = Object.fromEntries(Object.entries(o.settings ?? {}).filter(([, v]) => v !== undefined));
  return { id: o._id, name: o.name, settings: { ...DEFAULT_ORG_SETTINGS, ...stored }, created: o.created, lastModified: o.lastModified };
}

export function toToken(d: Doc): ApiToken {
  const t = decode("tokens", tokens, d);
  return {
    id: t._id, orgId: t.orgId, name: t.name, scopes: t.scopes ?? [], secretHash: t.secretHash, userId: t.userId, created: t.created,
    revoked: t.revoked, createdBy: t.createdBy, creatorUserId: t.creatorUserId, ceiling: t.ceiling,
    // Absent rather than null when unset, as the SQLite store reads them.
    ...(t.kind ? { kind: t.kind } : {}),
    ...(t.expires ? { expires: t.expires } : {}),
    ...(t.audience ? { audience: t.audience } : {}),
  };
}

export function toDomain(d: Doc): Domain {
  const x = decode("domains", domains, d);
  return {
    id: x._id, orgId: x.orgId, name: x.name, state: x.state, challenge: x.challenge, created: x.created,
    verifiedAt: x.verifiedAt, revalidatingSince: x.revalidatingSince,
  };
}

export function toInvitation(d: Doc): Invitation {
  const s = decode("invitations", invitations, d);
  const i: Invitation = {
    id: s._id, orgId: s.orgId, userId: s.userId, email: s.email, tokenHash: s.tokenHash, expires: s.expires, created: s.created,
    acceptedAt: s.acceptedAt, revokedAt: s.revokedAt,
  };
  if (s.kind !== undefined) {
    i.kind = s.kind;
    i.orgRole = s.orgRole;
    i.accountId = s.accountId;
    i.accountRoles = s.accountRoles ?? [];
    i.createdMember = s.createdMember === true;
    i.newLogin = s.newLogin === true;
    i.priorStatus = s.priorStatus;
  }
  if (typeof s.invitedBy === "string") i.invitedBy = s.invitedBy;
  return i;
}

export function toAudit(d: Doc): AuditEvent {
  const a = decode("audit_events", audit_events, d);
  const e: AuditEvent = {
    id: a._id, orgId: a.orgId, time: a.time, actor: a.actor, action: a.action, targetType: a.targetType, targetId: a.targetId,
    outcome: a.outcome, before: decodeKeys(a.before ?? null), after: decodeKeys(a.after ?? null),
  };
  if (typeof a.reason === "string") e.reason = a.reason;
  if (a.imported) e.imported = { at: a.imported.at, from: a.imported.from };
  return e;
}

export function toAccount(d: Doc): Account {
  const a = decode("accounts", accounts, d);
  return { id: a._id, orgId: a.orgId, name: a.name, ownerId: a.ownerId, status: a.status, created: a.created, lastModified: a.lastModified };
}

export function toMessage(d: Doc): OutboxMessage {
  const m = decode("outbox", outbox, d);
  return {
    id: m._id, orgId: m.orgId, kind: m.kind, ref: m.ref, to: m.to, subject: m.subject, text: m.text, status: m.status,
    created: m.created, sentAt: m.sentAt, attempts: m.attempts, lastError: m.lastError, nextAttemptAt: m.nextAttemptAt,
  };
}

const provisioning_errors = z.object({
  orgId: text, seq: z.number(), time: text, status: z.number(), scimType: orNull(text), code: z.number(), reason: text, method: text, path: text,
  bulk: z.boolean(), credential: text, targetName: orNull(text), externalId: orNull(text),
});

export function toProvisioningError(d: Doc): ProvisioningError {
  const e = decode("provisioning_errors", provisioning_errors, d);
  return {
    orgId: e.orgId, seq: e.seq, time: e.time, status: e.status, scimType: e.scimType, code: e.code, reason: e.reason, method: e.method, path: e.path,
    bulk: e.bulk, credential: e.credential, targetName: e.targetName, externalId: e.externalId,
  };
}

// Projections: the few fields a read asks for.

const memberRow = z.object({ userId: text, userSeq: z.number() });
const groupIdRow = z.object({ groupId: text });
const userGroupRow = z.object({ groupId: text, userId: text });
const userName = z.object({ _id: text, displayName: orNull(text), userName: text });
const groupRef = z.object({ _id: text, displayName: text, builtin: z.boolean().nullish(), binding: orNull(binding) });
const membership = z.object({ id: text, groupId: text, userId: text, created: text });
const groupName = z.object({ _id: text, displayName: text });
const versioned = z.object({ version: z.number() });
const sequenced = z.object({ seq: z.number() });
const idOnly = z.object({ _id: text });

/** A membership's user and place (group_members projected on userId, userSeq). */
export const toMemberRow = (d: Doc) => decode("group_members", memberRow, d);
/** A membership's group (group_members projected on groupId). */
export const toGroupIdRow = (d: Doc) => decode("group_members", groupIdRow, d);
/** A membership's group and user (group_members projected on groupId, userId). */
export const toUserGroupRow = (d: Doc) => decode("group_members", userGroupRow, d);
/** A membership as stored since migration 7 (id, group, user, created). */
export const toMembershipRow = (d: Doc) => decode("group_members", membership, d);
/** A user's id and the name a member list shows: displayName, else userName. */
export const toUserName = (d: Doc): { id: string; display: string } => {
  const u = decode("users", userName, d);
  return { id: u._id, display: u.displayName ?? u.userName };
};
/** A group as a user's memberships show it. */
export const toGroupRef = (d: Doc) => {
  const g = decode("groups", groupRef, d);
  return { id: g._id, display: g.displayName, builtin: g.builtin === true, binding: g.binding };
};
export const toGroupName = (d: Doc) => decode("groups", groupName, d);
export const versionOf = (collection: string, d: Doc): number => decode(collection, versioned, d).version;
export const seqOf = (collection: string, d: Doc): number => decode(collection, sequenced, d).seq;
const secret = z.object({ _id: text, value: text });
/** A server secret's value (server_secrets). */
export const secretOf = (d: Doc | null): string => decode("server_secrets", secret, d).value;
const counted = z.object({ n: z.number() });
/** A `$count` stage's answer: no document when nothing matched. */
export const countOf = (collection: string, d: Doc | undefined): number => (d === undefined ? 0 : decode(collection, counted, d).n);
export const idOf = (collection: string, d: Doc): string => decode(collection, idOnly, d)._id;
