/**
 * What a use case acts on, as the policy needs to see it (./decide.ts turns it into a target
 * kind), and what the audit log names (`ref`).
 */
import type { GroupRef, Repos } from "../ports/store";
import { effectiveOrgRole } from "../role-groups";
import type { Account, ApiToken, Invitation, OrgRole, Scope, UserRecord } from "../types";

export type Target =
  | { type: "organization"; id: string }
  /** role: the user's effective org role; null for pending and independent members, who hold none. */
  | { type: "user"; id: string; role: OrgRole | null }
  | { type: "group"; id: string }
  /** closed: the account is closed (or unknown); a closed account grants nothing, to its owner or anyone holding a role there (./decide.ts). */
  | { type: "account"; id: string; ownerId: string; closed: boolean }
  | { type: "invitation"; id: string; account: { id: string; ownerId: string; closed: boolean } | null }
  | { type: "newToken"; userId: string | null; scopes: readonly Scope[] }
  /** level: what the token can do at most (its user's role or its ceiling; an identity provider's counts as Administrator). */
  | { type: "token"; id: string; userId: string | null; level: OrgRole };

/** The audit log's name for a target. */
export function refOf(t: Target): { type: string; id: string | null } {
  switch (t.type) {
    case "organization": return { type: "Organization", id: t.id };
    case "user": return { type: "User", id: t.id };
    case "group": return { type: "Group", id: t.id };
    case "account": return { type: "Account", id: t.id };
    case "invitation": return { type: "Invitation", id: t.id };
    case "newToken": return { type: "Token", id: null };
    case "token": return { type: "Token", id: t.id };
  }
}

export const orgTarget = (orgId: string): Target => ({ type: "organization", id: orgId });
export const groupTarget = (id: string): Target => ({ type: "group", id });
export const accountTarget = (a: Pick<Account, "id" | "ownerId" | "status">): Target => ({ type: "account", id: a.id, ownerId: a.ownerId, closed: a.status !== "active" });

/**
 * A user as a target. The Owner holds the role directly (no group grants it), so the effective
 * role is read from the groups only when the direct role is not already the highest; `groups`:
 * the user's groups (groupsOfUser) when the caller has read them already, so they are not read again.
 */
export async function userTarget(repos: Repos, u: UserRecord, groups?: readonly GroupRef[]): Promise<Target> {
  if (u.status !== "managed") return { type: "user", id: u.id, role: null };
  if (u.orgRole === "owner") return { type: "user", id: u.id, role: "owner" };
  return { type: "user", id: u.id, role: effectiveOrgRole(u.orgRole, groups ?? await repos.groups.groupsOfUser(u.orgId, u.id)) };
}

/** A user known only by id, with the role they would hold (a new user, or a member being granted something). */
export const userRef = (id: string, role: OrgRole | null = "standard"): Target => ({ type: "user", id, role });

export async function invitationTarget(repos: Repos, i: Invitation): Promise<Target> {
  if (!i.accountId) return { type: "invitation", id: i.id, account: null };
  const a = await repos.accounts.get(i.orgId, i.accountId);
  return { type: "invitation", id: i.id, account: { id: i.accountId, ownerId: a?.ownerId ?? "", closed: a?.status !== "active" } };
}

/** An existing token as a target, by the most it can do. */
export async function tokenTarget(repos: Repos, t: ApiToken): Promise<Target> {
  let level: OrgRole = t.ceiling ?? "administrator";
  if (t.userId) {
    const u = await repos.users.get(t.orgId, t.userId);
    if (u?.status === "managed" && u.orgRole) level = lowerOf(level, effectiveOrgRole(u.orgRole, await repos.groups.groupsOfUser(t.orgId, u.id)));
  }
  if (!t.scopes.includes("admin")) level = lowerOf(level, "administrator");
  return { type: "token", id: t.id, userId: t.userId, level };
}

const RANK: Record<OrgRole, number> = { standard: 0, administrator: 1, owner: 2 };
const lowerOf = (a: OrgRole, b: OrgRole): OrgRole => (RANK[a] <= RANK[b] ? a : b);
