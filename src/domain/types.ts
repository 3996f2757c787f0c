/**
 * The organization model (docs/model.md) as plain data.
 * Records are what the stores keep; services in this folder enforce the rules on them.
 */

export type OrgRole = "owner" | "administrator" | "standard";
export const ORG_ROLES: readonly OrgRole[] = ["owner", "administrator", "standard"];

/** managed: owned by the organization; pending: invited, not yet accepted; independent: outside it, with access to some accounts. */
export type MemberStatus = "managed" | "pending" | "independent";

export type Scope = "scim" | "admin";
export const SCOPES: readonly Scope[] = ["scim", "admin"];

/**
 * How literally the organization's SCIM service reads requests (docs/idp-quirks.md):
 * `compatible` (the default) accepts what Okta and Microsoft Entra ID really send (the quirks of
 * src/scim/quirks.ts); `strict` accepts only what RFC 7643/7644 and the SCIM interoperability
 * profile (draft-zollner-scim-interop-profile-01) allow a client to send.
 */
export type ScimProfile = "compatible" | "strict";
export const SCIM_PROFILES: readonly ScimProfile[] = ["compatible", "strict"];

export interface OrgSettings {
  /** Users can only be provisioned with an email on a verified domain. Default true. */
  domainEnforcement: boolean;
  /** What SCIM DELETE does: remove from the organization (default, reversible by re-invite) or delete the user. */
  deprovision: "remove" | "delete";
  /** Who receives the accounts of a removed user; null = the Owner. */
  successorUserId: string | null;
  /**
   * Whether the built-in org-role groups (Owner, Administrator, Standard User) appear under
   * /Groups and in users' `groups`. Default true; Microsoft's conformance suite expects none.
   */
  exposeRoleGroups: boolean;
  /** The SCIM profile its identity provider's requests are read in. Default `compatible`. */
  scimProfile: ScimProfile;
}

export const DEFAULT_ORG_SETTINGS: OrgSettings = {
  domainEnforcement: true,
  deprovision: "remove",
  successorUserId: null,
  exposeRoleGroups: true,
  scimProfile: "compatible",
};

export interface Organization {
  id: string;
  name: string;
  settings: OrgSettings;
  created: string;
  lastModified: string;
}

export interface ApiToken {
  id: string;
  orgId: string;
  name: string;
  scopes: Scope[];
  /** SHA-256 of the secret part, hex. The secret itself is never stored. */
  secretHash: string;
  /** The user the token acts for, when it acts on behalf of one. */
  userId: string | null;
  created: string;
  revoked: string | null;
  /**
   * Who made it: "operator" (the orgscim command, the first start's bootstrap token), or the id
   * of the token that made it through /v1/Tokens. Null or absent: made before this was recorded.
   */
  createdBy?: string | null;
  /** The user whose current rights cap the token: the maker's user (or the maker's own cap); null for the operator. */
  creatorUserId?: string | null;
  /** The highest org role the token acts with: its maker's when it was made (the operator's counts as Owner). */
  ceiling?: OrgRole | null;
  /**
   * Absent: a static bearer token (`osk_...`). `client`: an OAuth 2.0 client (its secret is the
   * client secret; never a bearer token). `access`: an access token the token endpoint issued to the
   * client named by `createdBy` (src/domain/oauth.ts).
   */
  kind?: TokenKind;
  /** When it stops working (ISO time); absent or null: never. */
  expires?: string | null;
  /** An access token issued for one API only (RFC 8707 `resource`): its path, `/scim/v2` or `/v1`; absent: either. */
  audience?: string | null;
  /** Read models only (/v1 lists): when and from which address it was last used, as recorded (./tokens.ts noteTokenUse). */
  lastUse?: { at: string; address: string } | null;
}

export type TokenKind = "client" | "access";

export interface Email {
  value: string;
  type?: string;
  primary?: boolean;
  display?: string;
}

/**
 * A user's membership of one organization, carrying its SCIM representation.
 * `data` holds the SCIM attributes (canonical names, extensions under their URN) except id, meta,
 * groups and the orgscim extension, which are derived from the columns.
 */
export interface UserRecord {
  id: string;
  orgId: string;
  userName: string;
  externalId: string | null;
  displayName: string | null;
  active: boolean;
  status: MemberStatus;
  orgRole: OrgRole | null;
  twoFactorRequired: boolean;
  passwordResetRequired: boolean;
  emails: Email[];
  data: Record<string, unknown>;
  version: number;
  created: string;
  lastModified: string;
}

export type GroupBinding =
  | { kind: "orgRole"; role: OrgRole }
  | { kind: "accountRole"; accountId: string; role: AccountRole };

export type AccountRole = "administrator" | "billing_manager" | "developer" | "support";
export const ACCOUNT_ROLES: readonly AccountRole[] = ["administrator", "billing_manager", "developer", "support"];

/** A managed account of the organization (seed: Managed Accounts). Its owner is a managed user. */
export interface Account {
  id: string;
  orgId: string;
  name: string;
  ownerId: string;
  status: "active" | "closed";
  created: string;
  lastModified: string;
}

export interface GroupRecord {
  id: string;
  orgId: string;
  displayName: string;
  externalId: string | null;
  /** Built-in groups (org roles, account roles) cannot be renamed or deleted. */
  builtin: boolean;
  binding: GroupBinding | null;
  data: Record<string, unknown>;
  version: number;
  created: string;
  lastModified: string;
}

export interface Domain {
  id: string;
  orgId: string;
  name: string;
  state: "pending" | "verified" | "revalidating" | "removed";
  challenge: string;
  created: string;
  verifiedAt: string | null;
  /**
   * When the periodic re-check stopped finding the DNS token (state revalidating); the domain is
   * removed 30 days later unless the token is found again. Absent in records written before it existed.
   */
  revalidatingSince?: string | null;
}

export interface Invitation {
  id: string;
  orgId: string;
  userId: string;
  email: string;
  /** SHA-256 of the single-use acceptance token. */
  tokenHash: string;
  expires: string;
  created: string;
  acceptedAt: string | null;
  revokedAt: string | null;
  /*
   * The fields below came with /v1/Invitations (src/domain/invitations.ts). They are optional:
   * invitations written before them (SCIM creates of a user managed elsewhere) have none, and
   * read as organization invitations that leave the member as it is when revoked.
   */
  /** What accepting gives: membership of the organization, or roles on one account. */
  kind?: InvitationKind;
  /** Organization invitations: the org role the member gets on acceptance. */
  orgRole?: OrgRole | null;
  /** Account invitations: the account and the roles granted on acceptance. */
  accountId?: string | null;
  accountRoles?: AccountRole[];
  /** The member was created for this invitation (a revoke before acceptance removes it again). */
  createdMember?: boolean;
  /**
   * A member was created in this organization for this invitation (`new_user` in /v1). It says
   * nothing of other organizations (docs/tenancy.md); records written before said whether the
   * email belonged to no user anywhere.
   */
  newLogin?: boolean;
  /** The member's status before the invitation (independent → back to independent on revoke). */
  priorStatus?: MemberStatus | null;
  /**
   * Who sent it (or last resent it): the token's id, or `operator`. Accepting grants only what that
   * token may still grant then (src/domain/invitations.ts); absent on invitations written before.
   */
  invitedBy?: string | null;
}

export type InvitationKind = "organization" | "account";
export type InvitationState = "pending" | "accepted" | "revoked" | "expired";

/**
 * One email orgscim sends (invitation, welcome, password reset), kept in the store: the outbox
 * (src/domain/outbox.ts). The body may hold a single-use invitation token, so it is purged
 * (null) once the mail is sent, cancelled or given up on.
 */
export interface OutboxMessage {
  id: string;
  orgId: string | null;
  kind: "invitation" | "welcome" | "password_reset";
  /** The record the mail is about (an invitation or user id): its unsent mail can be cancelled. */
  ref: string | null;
  to: string;
  subject: string;
  text: string | null;
  status: "pending" | "sent" | "failed" | "cancelled";
  created: string;
  sentAt: string | null;
  /** Sending attempts so far (a claimed message counts its attempt before it is made). */
  attempts: number;
  lastError: string | null;
  /** When the worker may (re)try it; also the end of a claim's lease. */
  nextAttemptAt: string;
}

export interface AuditEvent {
  id: string;
  orgId: string;
  time: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
  outcome: "success" | "refused";
  before: unknown;
  after: unknown;
  reason?: string;
  /**
   * Set on events an import copied from another store or file: history kept as it was recorded
   * there, never listed with this store's own (live) events. Absent on live events.
   */
  imported?: ImportedMark;
}

/** When and from where an audit event was imported (src/domain/portability/). */
export interface ImportedMark {
  /** When this store took the event. */
  at: string;
  /** What it came from: a file name, or "sqlite store" / "mongo store" for a migration. */
  from: string;
}
