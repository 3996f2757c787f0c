/**
 * The Admin Center's client (src/admin, a browser build that cannot import zod) declares the /v1
 * shapes it reads in src/admin/types.ts. This file fails to compile (npm run typecheck, and this
 * test under ts-jest) when a response the server declares is no longer assignable to them.
 */
import type { z } from "zod";
import type * as Client from "../../src/admin/types";
import type { AccountBody, AccountPage, AccountUserList, RoleAssignmentBody, RoleAssignmentList, UserAccountList } from "../../src/http/v1/accounts-routes";
import type { AuditEventPage } from "../../src/http/v1/audit-routes";
import type { DomainBody, DomainPage, DomainVerifyBody } from "../../src/http/v1/domains-routes";
import type { AccountInvitationResult, InvitationBody, InvitationPage, MemberPage, PasswordResetResult, RevokeResult } from "../../src/http/v1/invitations-routes";
import type { ErrorBody } from "../../src/http/v1/openapi";
import type { OrganizationBody } from "../../src/http/v1/organization-routes";
import type { TokenCreated, TokenList } from "../../src/http/v1/tokens-routes";
import type { EndMembershipResult, UserBody } from "../../src/http/v1/users-routes";

/**
 * `fits<ClientType, z.infer<typeof Schema>>()` compiles only when every value of the server's
 * schema is a value of the client's type (the constraint is checked like an assignment).
 */
const fits = <ClientType, _Server extends ClientType>(): true => true;

/**
 * accounts-routes.ts declares account roles as z.enum(ACCOUNT_ROLES as [string, ...string[]]), so
 * their inferred type is string (the OpenAPI document still lists the four values): the client's
 * AccountRole is compared as string there.
 */
type Loose<T> = T extends Client.AccountRole ? string : T extends (infer E)[] ? Loose<E>[] : T extends object ? { [K in keyof T]: Loose<T[K]> } : T;

const checks: Record<string, true> = {
  organization: fits<Client.Organization, z.infer<typeof OrganizationBody>>(),
  user: fits<Client.User, z.infer<typeof UserBody>>(),
  endMembership: fits<Client.EndMembershipResult, z.infer<typeof EndMembershipResult>>(),
  account: fits<Client.Account, z.infer<typeof AccountBody>>(),
  accountPage: fits<Client.AccountPage, z.infer<typeof AccountPage>>(),
  accountUsers: fits<Loose<Client.AccountUserList>, z.infer<typeof AccountUserList>>(),
  userAccounts: fits<Loose<Client.UserAccountList>, z.infer<typeof UserAccountList>>(),
  roleAssignment: fits<Loose<Client.RoleAssignment>, z.infer<typeof RoleAssignmentBody>>(),
  roleAssignments: fits<Loose<Client.RoleAssignmentList>, z.infer<typeof RoleAssignmentList>>(),
  domain: fits<Client.Domain, z.infer<typeof DomainBody>>(),
  domainVerify: fits<Client.DomainVerify, z.infer<typeof DomainVerifyBody>>(),
  domainPage: fits<Client.DomainPage, z.infer<typeof DomainPage>>(),
  tokenCreated: fits<Client.TokenCreated, z.infer<typeof TokenCreated>>(),
  tokens: fits<Client.TokenList, z.infer<typeof TokenList>>(),
  audit: fits<Client.AuditEventPage, z.infer<typeof AuditEventPage>>(),
  members: fits<Client.MemberPage, z.infer<typeof MemberPage>>(),
  invitation: fits<Client.Invitation, z.infer<typeof InvitationBody>>(),
  invitations: fits<Client.InvitationPage, z.infer<typeof InvitationPage>>(),
  accountInvitation: fits<Client.AccountInvitationResult, z.infer<typeof AccountInvitationResult>>(),
  revoke: fits<Client.RevokeResult, z.infer<typeof RevokeResult>>(),
  passwordReset: fits<Client.PasswordResetResult, z.infer<typeof PasswordResetResult>>(),
  error: fits<Client.ApiErrorBody, z.infer<typeof ErrorBody>>(),
};

describe("the Admin Center's copy of the /v1 shapes", () => {
  it("accepts every response the server declares (checked when this file compiles)", () => {
    expect(Object.keys(checks)).toHaveLength(22);
  });
});
