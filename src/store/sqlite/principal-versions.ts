/**
 * What raises an organization's principal version on SQLite (Store.principalVersion; the triggers
 * of migration 19). A token's principal is resolved (src/domain/policy/principal.ts, ../../domain/tokens.ts)
 * from: the token's row and every token up its chain (and an access token's client), the
 * organization's row, the user the token acts for and the user who made it (status, active, direct
 * org role), and those users' memberships in bound groups (org-role and account-role groups). Each
 * trigger below covers one kind of change to those rows; test/http/principal-cache.test.ts checks
 * the store holds exactly these triggers and drives each event through the API's doors.
 */
export interface PrincipalTrigger {
  /** The trigger's name in sqlite_master. */
  name: string;
  table: "api_tokens" | "organizations" | "users" | "group_members" | "groups";
  on: "UPDATE" | "DELETE" | "INSERT";
  /** Which change of a principal's inputs it catches. */
  covers: string;
}

export const PRINCIPAL_TRIGGERS: readonly PrincipalTrigger[] = [
  { name: "principal_tokens_update", table: "api_tokens", on: "UPDATE", covers: "a token revoked (or expired, re-scoped), itself, up its chain, or its OAuth client" },
  { name: "principal_tokens_delete", table: "api_tokens", on: "DELETE", covers: "a token removed" },
  { name: "principal_orgs_update", table: "organizations", on: "UPDATE", covers: "the organization's name or settings changed (the actor carries them)" },
  { name: "principal_users_update", table: "users", on: "UPDATE", covers: "a token's user or maker suspended (active false), removed, or given another direct org role" },
  { name: "principal_users_delete", table: "users", on: "DELETE", covers: "a token's user or maker deleted" },
  { name: "principal_members_insert", table: "group_members", on: "INSERT", covers: "a token's user or maker added to an org-role or account-role group" },
  { name: "principal_members_delete", table: "group_members", on: "DELETE", covers: "a token's user or maker taken out of an org-role or account-role group" },
  { name: "principal_groups_update", table: "groups", on: "UPDATE", covers: "a group bound to a role, or unbound" },
  { name: "principal_groups_delete", table: "groups", on: "DELETE", covers: "a role group deleted (an account closed, a group removed)" },
];
