/**
 * The /v1 shapes the Admin Center reads, by the names the pages use: each is a type generated from
 * the /v1 OpenAPI document (./api-types.ts, rendered by npm run build; test/admin/api-types.test.ts
 * fails when it is stale), never a copy. The role names and labels below are the console's own.
 */
import type { components } from "./api-types.js";

type Schemas = components["schemas"];

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

export type PageMeta = Schemas["PageMeta"];
export type ApiErrorBody = Schemas["Error"];
export type Organization = Schemas["Organization"];
export type User = Schemas["User"];
export type EndMembershipResult = Schemas["EndMembershipResult"];
export type Account = Schemas["Account"];
export type AccountPage = Schemas["AccountList"];
export type AccountUser = Schemas["AccountUser"];
export type AccountUserList = Schemas["AccountUserList"];
export type UserAccountList = Schemas["UserAccountList"];
export type UserAccount = Schemas["UserAccount"];
export type RoleAssignment = Schemas["RoleAssignment"];
export type RoleAssignmentList = Schemas["RoleAssignmentList"];
export type Domain = Schemas["Domain"];
export type DomainVerify = Schemas["DomainVerifyResult"];
export type DomainPage = Schemas["DomainList"];
export type Token = Schemas["Token"];
export type TokenCreated = Schemas["TokenCreated"];
export type TokenList = Schemas["TokenList"];
export type AuditEvent = Schemas["AuditEvent"];
export type AuditEventPage = Schemas["AuditEventList"];
export type Member = Schemas["Member"];
export type MemberPage = Schemas["MemberList"];
export type Invitation = Schemas["Invitation"];
export type InvitationPage = Schemas["InvitationList"];
export type AccountInvitationResult = Schemas["AccountInvitationResult"];
export type RevokeResult = Schemas["InvitationRevokeResult"];
export type PasswordResetResult = Schemas["PasswordResetResult"];
export type InvitationState = Invitation["status"];
export type Group = Schemas["Group"];
export type GroupPage = Schemas["GroupList"];
export type GroupMembership = Schemas["GroupMembership"];
export type GroupMembershipPage = Schemas["GroupMembershipList"];
export type OutboxMail = Schemas["OutboxMail"];
export type OutboxMailPage = Schemas["OutboxMailList"];
export type Me = Schemas["Me"];
export type ProvisioningError = Schemas["ProvisioningError"];
export type ProvisioningErrorPage = Schemas["ProvisioningErrorList"];
export type ProvisioningErrorCounts = Schemas["ProvisioningErrorCounts"];
export type AccountReopened = Schemas["AccountReopened"];
