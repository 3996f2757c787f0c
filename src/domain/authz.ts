/**
 * Who may do what through the admin API (seed: Owner and Administrator manage everything; a
 * Standard User may create accounts and nothing else; an account's Administrator manages that
 * account's users). A token without a user acts as the organization's administrator when it has
 * the admin scope; a token acting for a user has exactly that user's rights. Every refusal is
 * audited and answers 403 with the reason.
 */
import type { Actor } from "./actor";
import { hasScope } from "./actor";
import { auditRefusal } from "./audit";
import type { Clock } from "./clock";
import { Errors } from "./errors";
import type { Repos } from "./ports/store";
import { effectiveOrgRole } from "./role-groups";
import type { OrgRole } from "./types";

export type Permission =
  | { kind: "manageOrganization" }
  | { kind: "createAccount" }
  | { kind: "manageAccount"; accountId: string };

/** The org role the actor acts with: a user's effective role, or administrator for an admin-scope service token. */
export async function actingRole(repos: Repos, actor: Actor): Promise<OrgRole | null> {
  if (actor.userId === null) return hasScope(actor, "admin") ? "administrator" : null;
  const user = await repos.users.get(actor.org.id, actor.userId);
  if (!user || user.status !== "managed" || !user.active) return null;
  return effectiveOrgRole(user.orgRole, await repos.groups.groupsOfUser(actor.org.id, user.id));
}

/**
 * Throws forbidden (and audits it) unless the actor holds `permission`.
 * `isAccountAdmin` answers whether the acting user administers an account (injected so this
 * module needs no knowledge of how account roles are stored).
 */
export async function authorize(
  repos: Repos,
  clock: Clock,
  actor: Actor,
  permission: Permission,
  action: string,
  isAccountAdmin: (userId: string, accountId: string) => Promise<boolean> = async () => false,
): Promise<void> {
  const role = await actingRole(repos, actor);
  if (role === "owner" || role === "administrator") return;
  if (role === "standard") {
    if (permission.kind === "createAccount") return;
    if (permission.kind === "manageAccount" && actor.userId && (await isAccountAdmin(actor.userId, permission.accountId))) return;
  }
  const why = role === null
    ? "this token has no admin rights (it needs the admin scope, or must act for an active managed user)"
    : permission.kind === "manageAccount"
      ? "a Standard User may only manage accounts they administer"
      : "only an Owner or Administrator may do this; a Standard User may only create accounts";
  const e = Errors.forbidden(`Not allowed: ${why}.`);
  await auditRefusal(repos, clock, actor, action, { type: permission.kind === "manageAccount" ? "Account" : "Organization", id: permission.kind === "manageAccount" ? permission.accountId : actor.org.id }, e.message);
  throw e;
}
