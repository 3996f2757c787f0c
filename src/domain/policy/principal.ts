/**
 * Who acts, resolved once per request from the bearer token (src/http/auth.ts) or given by the
 * CLI: the operator, or a token with the org role whose column of the policy applies to it.
 *
 * - A token acting for a user has that user's current effective org role and account roles, no
 *   more than its ceiling, and is further limited by its scopes (./decide.ts).
 * - A token acting for no user has its ceiling: the org role of whoever made it, when it was made
 *   (the operator counts as Owner).
 * - Either is lowered to the current effective org role of the user who made it, and stops working
 *   (authentication fails) when that user is no longer an active managed user, or when any token
 *   up the chain that made it is revoked: a token never carries more than its maker holds now.
 */
import type { Actor, Principal, TokenPrincipal } from "../actor";
import { effectiveAccountRoles } from "../account-roles";
import type { Repos } from "../ports/store";
import { effectiveOrgRole } from "../role-groups";
import type { AccountRole, ApiToken, Organization, OrgRole, UserRecord } from "../types";

export type { OperatorPrincipal, Principal, TokenPrincipal } from "../actor";

const RANK: Record<OrgRole, number> = { standard: 0, administrator: 1, owner: 2 };
export const lowerRole = (a: OrgRole, b: OrgRole): OrgRole => (RANK[a] <= RANK[b] ? a : b);
export const atLeast = (a: OrgRole, b: OrgRole): boolean => RANK[a] >= RANK[b];

/**
 * The ceiling of a token made before tokens recorded who made them (MongoDB documents and export
 * files of that time; SQLite migration 12 fills the column from the audit log): an Administrator's,
 * since only an Owner or Administrator could make one through /v1, and which of them is unknown.
 */
export const LEGACY_CEILING: OrgRole = "administrator";

const activeManaged = (u: UserRecord | null): u is UserRecord => u !== null && u.active && u.status === "managed";

/** The token's principal, or null when it may not act at all (its user or its maker is gone or suspended). */
export async function resolveTokenPrincipal(repos: Repos, org: Organization, token: ApiToken): Promise<TokenPrincipal | null> {
  let level: OrgRole = token.ceiling ?? LEGACY_CEILING;
  let accounts: ReadonlyMap<string, readonly AccountRole[]> = new Map();
  if (token.userId) {
    const user = await repos.users.get(org.id, token.userId);
    if (!activeManaged(user)) return null;
    const groups = await repos.groups.groupsOfUser(org.id, user.id);
    level = lowerRole(level, effectiveOrgRole(user.orgRole, groups));
    accounts = effectiveAccountRoles(groups);
  }
  if (!(await chainIntact(repos, org.id, token))) return null;
  const maker = token.creatorUserId ?? null;
  if (maker && maker !== token.userId) {
    const user = await repos.users.get(org.id, maker);
    if (!activeManaged(user)) return null;
    level = lowerRole(level, effectiveOrgRole(user.orgRole, await repos.groups.groupsOfUser(org.id, user.id)));
  }
  return { kind: "token", tokenId: token.id, scopes: token.scopes, userId: token.userId, level, accounts };
}

/** A maker that is a credential: a token (TK), or an OAuth client (OC) whose access token made it. */
const MAKER_ID = /^(TK|OC)/;

/** Longer chains than this are refused: no use makes them, and each link costs a read per request. */
export const MAX_TOKEN_CHAIN = 16;

/**
 * Whether every token up the chain that made this one (created_by) is still live in the same
 * organization: revoking a token takes away the tokens it made too, else its holder mints a copy
 * before the revocation and keeps every right it was meant to lose. An OAuth client (deleting it
 * revokes it) is a link like a token. `operator` (and a maker that is not a token id, e.g. a legacy
 * value) ends the chain. A maker that expired does not break it: expiry ends a credential's use,
 * it does not withdraw what it made (revocation does).
 */
async function chainIntact(repos: Repos, orgId: string, token: ApiToken): Promise<boolean> {
  const seen = new Set<string>([token.id]);
  let by = token.createdBy ?? null;
  while (by !== null && MAKER_ID.test(by)) {
    if (seen.has(by) || seen.size > MAX_TOKEN_CHAIN) return false;
    seen.add(by);
    const maker = await repos.tokens.get(by);
    if (!maker || maker.orgId !== orgId || maker.revoked) return false;
    by = maker.createdBy ?? null;
  }
  return true;
}

/**
 * The actor's principal: the one resolved at authentication, else (an actor built in-process, by
 * the CLI or a test) the stored token it names, else a token the operator made with the actor's
 * scopes. Cached on the actor: resolved once per request.
 */
export async function principalOf(repos: Repos, actor: Actor): Promise<Principal> {
  if (actor.principal) return actor.principal;
  const stored = await repos.tokens.get(actor.tokenId);
  let p: Principal | null = null;
  if (stored && stored.orgId === actor.org.id && !stored.revoked) p = await resolveTokenPrincipal(repos, actor.org, stored);
  else if (!stored) p = await resolveTokenPrincipal(repos, actor.org, {
    id: actor.tokenId, orgId: actor.org.id, name: "in-process", scopes: [...actor.scopes], secretHash: "", userId: actor.userId,
    created: "", revoked: null, createdBy: "operator", creatorUserId: null, ceiling: "owner",
  });
  // A revoked, foreign or no longer valid token acts with nothing: a Standard User's column without a user.
  p ??= { kind: "token", tokenId: actor.tokenId, scopes: [], userId: null, level: "standard", accounts: new Map() };
  actor.principal = p;
  return p;
}
