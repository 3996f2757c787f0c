/**
 * API tokens: `osk_<32 hex>_<secret>`. The hex part names the token record; only a SHA-256 of
 * the secret is stored, and it is compared in constant time. Tokens are random (256 bits), not
 * passwords, so a fast hash is right here.
 *
 * A token records who made it (createdBy, creatorUserId) and its ceiling (the maker's org role at
 * the time); what it may do is resolved per request from those (./policy/principal.ts): never
 * more than its maker holds now. Only the user themself, or the operator, makes a token acting
 * for a user (./policy/table.ts, token.create).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Actor } from "./actor";
import { auditEvent } from "./audit";
import { type Clock, isoNow } from "./clock";
import { Errors } from "./errors";
import { authorize, orgTarget, principalOf, resolveTokenPrincipal, tokenTarget, type TokenPrincipal } from "./policy";
import type { Repos, Store } from "./ports/store";
import type { ApiToken, Organization, OrgRole, Scope } from "./types";

const FORMAT = /^osk_([0-9a-f]{32})_([A-Za-z0-9_-]{32,128})$/;

export const hashSecret = (secret: string): string => createHash("sha256").update(secret).digest("hex");

export interface IssuedToken {
  token: ApiToken;
  /** The plaintext, shown once. */
  plaintext: string;
}

export function newTokenPlaintext(): string {
  return `osk_${randomBytes(16).toString("hex")}_${randomBytes(32).toString("base64url")}`;
}

export function parseToken(plaintext: string): { id: string; secret: string } | null {
  const m = FORMAT.exec(plaintext);
  return m ? { id: `TK${m[1]}`, secret: m[2] as string } : null;
}

/**
 * Stores a new token. Without `createdBy`, the operator made it (the bootstrap): ceiling Owner, no
 * maker to follow. Use cases, the CLI's included (with the operator's actor), make tokens through
 * createToken, which authorizes and audits.
 */
export async function issueToken(
  repos: Repos,
  clock: Clock,
  input: {
    orgId: string; name: string; scopes: Scope[]; userId?: string | null; plaintext?: string;
    createdBy?: string; creatorUserId?: string | null; ceiling?: OrgRole;
  },
): Promise<IssuedToken> {
  const plaintext = input.plaintext ?? newTokenPlaintext();
  const parsed = parseToken(plaintext);
  if (!parsed) throw new Error("token plaintext is not in the osk_<32 hex>_<secret> form");
  const token: ApiToken = {
    id: parsed.id,
    orgId: input.orgId,
    name: input.name,
    scopes: [...new Set(input.scopes)],
    secretHash: hashSecret(parsed.secret),
    userId: input.userId ?? null,
    created: isoNow(clock),
    revoked: null,
    createdBy: input.createdBy ?? "operator",
    creatorUserId: input.creatorUserId ?? null,
    ceiling: input.ceiling ?? "owner",
  };
  await repos.tokens.insert(token);
  return { token, plaintext };
}

export interface Authenticated {
  token: ApiToken;
  org: Organization;
  principal: TokenPrincipal;
}

/**
 * Answers the token, its organization and what it may act as, or null for anything malformed,
 * unknown, revoked, acting for a suspended or removed user, or made by a user who is now
 * suspended or removed.
 */
export async function authenticate(repos: Repos, plaintext: string): Promise<Authenticated | null> {
  const parsed = parseToken(plaintext);
  if (!parsed) return null;
  const token = await repos.tokens.get(parsed.id);
  if (!token || token.revoked) return null;
  const given = Buffer.from(hashSecret(parsed.secret), "hex");
  const stored = Buffer.from(token.secretHash, "hex");
  if (given.length !== stored.length || !timingSafeEqual(given, stored)) return null;
  const org = await repos.orgs.get(token.orgId);
  if (!org) return null;
  const principal = await resolveTokenPrincipal(repos, org, token);
  return principal ? { token, org, principal } : null;
}

// ---------- use cases (/v1/Tokens) ----------

export interface TokenDeps {
  store: Store;
  clock: Clock;
}

/**
 * POST /v1/Tokens: a token for the caller's organization, acting for no user or for the caller
 * themself, with scopes the caller's own token has; its ceiling is the caller's org role now, and
 * it stays capped by the caller's role from then on.
 */
export async function createToken(deps: TokenDeps, actor: Actor, input: { name: string; scopes: Scope[]; userId: string | null }): Promise<IssuedToken> {
  const principal = await principalOf(deps.store, actor);
  await authorize(deps, actor, { action: "token.create", target: { type: "newToken", userId: input.userId, scopes: input.scopes } });
  if (input.userId && !(await deps.store.users.get(actor.org.id, input.userId))) throw Errors.userNotFound(input.userId);
  const maker = principal.kind === "operator"
    ? { createdBy: "operator", creatorUserId: null, ceiling: "owner" as OrgRole }
    : { createdBy: principal.tokenId, creatorUserId: principal.userId ?? (await deps.store.tokens.get(principal.tokenId))?.creatorUserId ?? null, ceiling: principal.level };
  // The token and its audit event are written together: no token the audit log does not name.
  return deps.store.transaction(async (tx) => {
    const issued = await issueToken(tx, deps.clock, { orgId: actor.org.id, name: input.name, scopes: input.scopes, userId: input.userId, ...maker });
    await tx.audit.append(auditEvent(deps.clock, actor, "token.create", { type: "Token", id: issued.token.id }, {
      after: { name: issued.token.name, scopes: issued.token.scopes, userId: issued.token.userId, ceiling: issued.token.ceiling, createdBy: issued.token.createdBy },
    }));
    return issued;
  });
}

export async function listTokens(deps: TokenDeps, actor: Actor): Promise<ApiToken[]> {
  await authorize(deps, actor, { action: "token.list", target: orgTarget(actor.org.id) });
  return deps.store.tokens.list(actor.org.id);
}

/** GET /v1/Tokens/:sid: one token, revoked ones included (as the list). Another organization's, or none, is not found; then the policy decides. */
export async function readToken(deps: TokenDeps, actor: Actor, id: string): Promise<ApiToken> {
  const token = await deps.store.tokens.get(id);
  if (!token || token.orgId !== actor.org.id) throw Errors.tokenNotFound(id);
  await authorize(deps, actor, { action: "token.read", target: await tokenTarget(deps.store, token) });
  return token;
}

/** DELETE /v1/Tokens/:sid: it stops working at once. Another organization's token is not found. */
export async function revokeToken(deps: TokenDeps, actor: Actor, id: string): Promise<void> {
  const token = await deps.store.tokens.get(id);
  if (!token || token.orgId !== actor.org.id || token.revoked) throw Errors.tokenNotFound(id);
  await authorize(deps, actor, { action: "token.revoke", target: await tokenTarget(deps.store, token) });
  await deps.store.transaction(async (tx) => {
    if (!(await tx.tokens.revoke(actor.org.id, id, isoNow(deps.clock)))) throw Errors.tokenNotFound(id);
    await tx.audit.append(auditEvent(deps.clock, actor, "token.revoke", { type: "Token", id }));
  });
}
