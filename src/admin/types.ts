/**
 * The /v1 shapes the Admin Center reads, written out for the browser build (which cannot import
 * zod or the server). test/admin/types.test.ts checks at compile time that every response the
 * server's zod schemas declare (src/http/v1/*-routes.ts) is assignable to these, so they cannot drift.
 */

export type OrgRole = "owner" | "administrator" | "standard";
export type AccountRole = "administrator" | "billing_manager" | "developer" | "support";
export type MemberStatus = "managed" | "pending" | "independent";

export const ACCOUNT_ROLE_LIST: readonly AccountRole[] = ["administrator", "billing_manager", "developer", "support"];

export const ACCOUNT_ROLE_LABEL: Record<AccountRole, string> = {
  administrator: "Administrator",
  billing_manager: "Billing Manager",
  developer: "Developer",
  support: "Support",
};

/** The seed's descriptions of the account roles, shown beside the checkboxes. */
export const ACCOUNT_ROLE_HINT: Record<AccountRole, string> = {
  administrator: "Manages the account, including adding further users.",
  billing_manager: "Only the account's billing pages.",
  developer: "The account's development resources, no management control.",
  support: "Only the logs and usage.",
};

export const ORG_ROLE_LABEL: Record<OrgRole, string> = {
  owner: "Owner",
  administrator: "Administrator",
  standard: "Standard User",
};

/** The `meta` of a /v1 page (src/http/v1/paging.ts). */
export interface PageMeta {
  page: number;
  page_size: number;
  first_page_url: string;
  previous_page_url: string | null;
  url: string;
  next_page_url: string | null;
  key: string;
}

export interface ApiErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

export interface Organization {
  sid: string;
  friendly_name: string;
  domain_enforcement: boolean;
  deprovision: "remove" | "delete";
  successor_user_sid: string | null;
  expose_role_groups: boolean;
  scim_profile: "compatible" | "strict";
}

export interface User {
  sid: string;
  user_name: string;
  email: string | null;
  display_name: string | null;
  given_name: string | null;
  family_name: string | null;
  status: MemberStatus;
  active: boolean;
  org_role: OrgRole;
  direct_org_role: OrgRole | null;
  two_factor_required: boolean;
  password_reset_required: boolean;
  date_created: string;
  date_updated: string;
}

export interface EndMembershipResult {
  sid: string;
  action: "removed" | "deleted";
  accounts_handed_over: { account_sid: string; new_owner_sid: string }[];
}

export interface Account {
  sid: string;
  friendly_name: string;
  owner_sid: string;
  status: "active" | "closed";
  date_created: string;
  date_updated: string;
}

export interface AccountPage {
  accounts: Account[];
  meta: PageMeta;
}

export interface AccountUser {
  user_sid: string;
  user_name: string;
  display_name: string | null;
  status: string;
  roles: AccountRole[];
}

export interface AccountUserList {
  users: AccountUser[];
  meta: PageMeta;
}

export interface UserAccountList {
  accounts: { account: Account; roles: AccountRole[] }[];
  meta: PageMeta;
}

export interface RoleAssignment {
  sid: string;
  account_sid: string;
  user_sid: string;
  role: AccountRole;
}

export interface RoleAssignmentList {
  role_assignments: RoleAssignment[];
  meta: PageMeta;
}

export interface Domain {
  sid: string;
  domain_name: string;
  state: "pending" | "verified" | "revalidating" | "removed";
  verification: {
    method: "dns_txt";
    record_type: "TXT";
    record_name: string;
    apex_record_name: string;
    record_value: string;
    ttl: number;
  };
  date_created: string;
  date_verified: string | null;
  date_revalidation_started: string | null;
  date_expires: string | null;
}

export interface DomainVerify extends Domain {
  record_found: boolean;
  message: string;
}

export interface DomainPage {
  domains: Domain[];
  meta: PageMeta;
}

export interface Token {
  sid: string;
  friendly_name: string;
  scopes: string[];
  user_sid: string | null;
  date_created: string;
  date_revoked: string | null;
}

export interface TokenCreated extends Token {
  token: string;
}

export interface TokenList {
  tokens: Token[];
  meta: PageMeta;
}

export interface AuditEvent {
  sid: string;
  date_created: string;
  actor: string;
  action: string;
  target_type: string;
  target_sid: string | null;
  outcome: "success" | "refused";
  reason: string | null;
}

export interface AuditEventPage {
  audit_events: AuditEvent[];
  meta: PageMeta;
}

/** A row of GET /v1/Users?Status= (the Users tabs). */
export interface Member {
  sid: string;
  user_name: string;
  email: string | null;
  display_name: string | null;
  status: MemberStatus;
  active: boolean;
  /** The direct org role; null for independent users. */
  org_role: OrgRole | null;
  date_created: string;
  date_updated: string;
}

export interface MemberPage {
  users: Member[];
  meta: PageMeta;
}

export type InvitationState = "pending" | "accepted" | "revoked" | "expired";

export interface Invitation {
  sid: string;
  email: string;
  kind: "organization" | "account";
  status: InvitationState;
  user_sid: string;
  org_role: OrgRole | null;
  account_sid: string | null;
  roles: AccountRole[];
  new_user: boolean;
  date_created: string;
  date_expires: string;
  date_accepted: string | null;
  date_revoked: string | null;
}

export interface InvitationPage {
  invitations: Invitation[];
  meta: PageMeta;
}

export interface AccountInvitationResult {
  outcome: "invited" | "granted";
  user_sid: string;
  account_sid: string;
  roles: AccountRole[];
  invitation: Invitation | null;
}

export interface RevokeResult {
  invitation: Invitation;
  member: "kept" | "removed" | "independent";
}

export interface PasswordResetResult {
  user_sid: string;
  password_reset_required: true;
  mail_sid: string;
}
