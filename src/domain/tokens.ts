/**
 * API tokens: `osk_<32 hex>_<secret>`. The hex part names the token record; only a SHA-256 of
 * the secret is stored, and it is compared in constant time. Tokens are random (256 bits), not
 * passwords, so a fast hash is right here.
 *
 * A token records who made it (createdBy, creatorUserId) and its ceiling (the maker's org role at
 * the time); what it may do is resolved per request from those (./policy/principal.ts): never
 * more than its maker holds now. Only the user themself, or the operator, makes a token acting
 * for a user (./policy/table/credentials.ts, token.create).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Actor } from "./actor";
import { auditEvent } from "./audit";
import { type Clock, isoNow } from "./clock";
import { Errors } from "./errors";
import { authorize, decide, LEGACY_CEILING, orgTarget, principalOf, resolveTokenPrincipal, tokenTarget, type TokenPrincipal } from "./policy";
import type { Repos, Store } from "./ports/store";
import type { ApiToken, Organization, OrgRole, Scope } from "./types";

/** `osk_`: a static token (id TK...); `oat_`: an access token the OAuth token endpoint issued (id AT..., ./oauth.ts). */
const FORMAT = /^(osk|oat)_([0-9a-f]{32})_([A-Za-z0-9_-]{32,128})$/;

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
  return m ? { id: `${m[1] === "oat" ? "AT" : "TK"}${m[2]}`, secret: m[3] as string } : null;
}

/** Whether `secret` hashes to `storedHash`, in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const given = Buffer.from(hashSecret(secret), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** Whether a token (or client) has expired at `now`: its `expires` is at or before it. */
export const isExpired = (t: Pick<ApiToken, "expires">, now: Date): boolean =>
  typeof t.expires === "string" && Date.parse(t.expires) <= now.getTime();

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
    createdBy?: string; creatorUserId?: string | null; ceiling?: OrgRole; expires?: string | null;
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
    ...(input.expires ? { expires: input.expires } : {}),
  };
  await repos.tokens.insert(token);
  return { token, plaintext };
}

export interface Authenticated {
  /**
   * What acts: the static token, or for an access token its OAuth client with the access token's
   * scopes (the audit log names the client, and everything the policy follows, its maker, its user,
   * its revocation, is the client's).
   */
  token: ApiToken;
  org: Organization;
  principal: TokenPrincipal;
  /** The API an access token was issued for (RFC 8707): `/scim/v2` or `/v1`; null for either. */
  audience: string | null;
}

/**
 * Answers the token, its organization and what it may act as, or null for anything malformed,
 * unknown, revoked, expired, acting for a suspended or removed user, or made by a user who is now
 * suspended or removed. An access token (`oat_...`) also needs its client: live, not expired, of
 * the same organization. A client's own record never authenticates as a bearer token.
 */
export async function authenticate(repos: Repos, plaintext: string, now: Date = new Date()): Promise<Authenticated | null> {
  const parsed = parseToken(plaintext);
  if (!parsed) return null;
  const row = await repos.tokens.get(parsed.id);
  if (!row || row.revoked || !secretMatches(parsed.secret, row.secretHash) || isExpired(row, now)) return null;
  if ((row.kind ?? null) !== (parsed.id.startsWith("AT") ? "access" : null)) return null;
  let token = row;
  if (row.kind === "access") {
    const client = row.createdBy ? await repos.tokens.get(row.createdBy) : null;
    if (!client || client.kind !== "client" || client.orgId !== row.orgId || client.revoked || isExpired(client, now)) return null;
    token = { ...client, scopes: row.scopes.filter((s) => client.scopes.includes(s)) };
  }
  const org = await repos.orgs.get(token.orgId);
  if (!org) return null;
  const principal = await resolveTokenPrincipal(repos, org, token);
  return principal ? { token, org, principal, audience: row.audience ?? null } : null;
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
export async function createToken(deps: TokenDeps, actor: Actor, input: { name: string; scopes: Scope[]; userId: string | null; expires?: string | null }): Promise<IssuedToken> {
  const principal = await principalOf(deps.store, actor);
  await authorize(deps, actor, { action: "token.create", target: { type: "newToken", userId: input.userId, scopes: input.scopes } });
  if (input.expires && Date.parse(input.expires) <= deps.clock.now().getTime()) {
    throw Errors.invalidValue(`date_expires ${input.expires} is not in the future: give a later time, or leave it out for the default.`);
  }
  if (input.userId && !(await deps.store.users.get(actor.org.id, input.userId))) throw Errors.userNotFound(input.userId);
  const maker = principal.kind === "operator"
    ? { createdBy: "operator", creatorUserId: null, ceiling: "owner" as OrgRole }
    : { createdBy: principal.tokenId, creatorUserId: principal.userId ?? (await deps.store.tokens.get(principal.tokenId))?.creatorUserId ?? null, ceiling: principal.level };
  // The token and its audit event are written together: no token the audit log does not name.
  return deps.store.transaction(async (tx) => {
    const issued = await issueToken(tx, deps.clock, { orgId: actor.org.id, name: input.name, scopes: input.scopes, userId: input.userId, ...maker, expires: input.expires ?? null });
    await tx.audit.append(auditEvent(deps.clock, actor, "token.create", { type: "Token", id: issued.token.id }, {
      after: { name: issued.token.name, scopes: issued.token.scopes, userId: issued.token.userId, ceiling: issued.token.ceiling, createdBy: issued.token.createdBy, expires: issued.token.expires ?? null },
    }));
    return issued;
  });
}

export async function listTokens(deps: TokenDeps, actor: Actor): Promise<ApiToken[]> {
  await authorize(deps, actor, { action: "token.list", target: orgTarget(actor.org.id) });
  // Static tokens only: OAuth clients and their access tokens are listed by ./oauth.ts.
  return withLastUse(deps.store, actor.org.id, (await deps.store.tokens.list(actor.org.id)).filter((t) => !t.kind));
}

/** The tokens with their last recorded use (a store without it: none). */
export async function withLastUse(store: Store, orgId: string, tokens: ApiToken[]): Promise<ApiToken[]> {
  const uses = tokens.length > 0 ? await store.tokens.listUses?.(orgId) : undefined;
  return tokens.map((t) => ({ ...t, lastUse: uses?.get(t.id) ?? null }));
}

/** GET /v1/Tokens/:sid: one token, revoked ones included (as the list). Another organization's, or none, is not found; then the policy decides. */
export async function readToken(deps: TokenDeps, actor: Actor, id: string): Promise<ApiToken> {
  const token = await deps.store.tokens.get(id);
  if (!token || token.orgId !== actor.org.id) throw Errors.tokenNotFound(id);
  await authorize(deps, actor, { action: "token.read", target: await tokenTarget(deps.store, token) });
  return (await withLastUse(deps.store, actor.org.id, [token]))[0]!;
}

/** DELETE /v1/Tokens/:sid: it stops working at once. Another organization's token is not found. */
export async function revokeToken(deps: TokenDeps, actor: Actor, id: string): Promise<void> {
  const token = await deps.store.tokens.get(id);
  if (!token || token.kind || token.orgId !== actor.org.id || token.revoked) throw Errors.tokenNotFound(id);
  await authorize(deps, actor, { action: "token.revoke", target: await tokenTarget(deps.store, token) });
  await deps.store.transaction(async (tx) => {
    if (!(await tx.tokens.revoke(actor.org.id, id, isoNow(deps.clock)))) throw Errors.tokenNotFound(id);
    await tx.audit.append(auditEvent(deps.clock, actor, "token.revoke", { type: "Token", id }));
  });
}

/** The longest overlap a rotation may give the old token. */
export const MAX_ROTATION_OVERLAP_SECONDS = 7 * 86_400;

/**
 * POST /v1/Tokens/:sid/Rotate: a new token in the old one's place (its name, scopes and user), and
 * the old one expiring after `overlapSeconds` (or sooner, if it already expired sooner), so that
 * the holder can switch without a gap. Who may revoke a token may rotate it (token.rotate), but a
 * rotation hands its caller a new secret, so it is the making of a token and keeps those rules:
 * - a token acting for a user is rotated only by that user (or the operator): anyone else would
 *   hold a credential acting, and audited, as that person (token.create, newOtherUser);
 * - the replacement is made by whoever rotates it (created_by, its maker's user, a ceiling no
 *   higher than theirs or the old one's), so revoking the rotating token, or a token up its chain,
 *   stops the replacement too: a token about to be revoked cannot rotate itself, or another
 *   token, out of the revocation's reach (./policy/principal.ts, chainIntact);
 * - whoever may not make tokens (a Standard User) gets a replacement ending no later than the old
 *   one: a new secret, not a longer life.
 * The new token's expiry is `expires` (null: never), within that bound.
 */
export async function rotateToken(deps: TokenDeps, actor: Actor, id: string, input: { overlapSeconds: number; expires: string | null }): Promise<{ issued: IssuedToken; oldExpires: string }> {
  const old = await deps.store.tokens.get(id);
  if (!old || old.kind || old.orgId !== actor.org.id || old.revoked || isExpired(old, deps.clock.now())) throw Errors.tokenNotFound(id);
  const target = await tokenTarget(deps.store, old);
  await authorize(deps, actor, { action: "token.rotate", target });
  const principal = await principalOf(deps.store, actor);
  const mine = principal.kind === "token" && principal.userId !== null && principal.userId === old.userId;
  if (old.userId !== null && !mine) {
    await authorize(deps, actor, { action: "token.create", target: { type: "newToken", userId: old.userId, scopes: [] } }, { action: "token.rotate", target });
  }
  const now = deps.clock.now().getTime();
  if (input.expires && Date.parse(input.expires) <= now) throw Errors.invalidValue(`date_expires ${input.expires} is not in the future: give a later time, or leave it out for the default.`);
  const mayMake = decide(principal, "token.create", { type: "newToken", userId: null, scopes: [] }).allowed;
  const expires = mayMake || !old.expires || (input.expires && Date.parse(input.expires) <= Date.parse(old.expires)) ? input.expires : old.expires;
  const oldCeiling = old.ceiling ?? LEGACY_CEILING;
  const maker = principal.kind === "operator"
    ? { createdBy: "operator", creatorUserId: null, ceiling: oldCeiling }
    : {
      createdBy: principal.tokenId,
      creatorUserId: principal.userId ?? (await deps.store.tokens.get(principal.tokenId))?.creatorUserId ?? null,
      ceiling: RANK[principal.level] < RANK[oldCeiling] ? principal.level : oldCeiling,
    };
  const overlapEnd = new Date(now + Math.max(0, Math.min(input.overlapSeconds, MAX_ROTATION_OVERLAP_SECONDS)) * 1000).toISOString();
  return deps.store.transaction(async (tx) => {
    if (!(await tx.tokens.expireBy(actor.org.id, id, overlapEnd))) throw Errors.tokenNotFound(id);
    const issued = await issueToken(tx, deps.clock, { orgId: old.orgId, name: old.name, scopes: old.scopes, userId: old.userId, ...maker, expires });
    const oldExpires = (await tx.tokens.get(id))?.expires ?? overlapEnd;
    await tx.audit.append(auditEvent(deps.clock, actor, "token.rotate", { type: "Token", id }, {
      after: { replacement: issued.token.id, oldExpires, expires: issued.token.expires ?? null, createdBy: issued.token.createdBy, ceiling: issued.token.ceiling },
    }));
    return { issued, oldExpires };
  });
}

const RANK: Record<OrgRole, number> = { standard: 0, administrator: 1, owner: 2 };

// ---------- last use ----------

/** A token's use is written at most once per this many ms per instance (docs/oauth.md, Last use). */
export const TOKEN_USE_WRITE_MS = 60_000;
const MAX_REMEMBERED = 10_000;
const lastWritten = new WeakMap<object, Map<string, number>>();

/**
 * Notes that a request authenticated with token (or OAuth client) `tokenId` from `address`. The
 * store is written at most once a minute per token and instance, in its own small transaction and
 * without the request waiting for it, so a busy token costs one write a minute, not one a request;
 * the time shown is therefore up to a minute (per instance) behind. A failed write is dropped:
 * the next use a minute on writes again.
 */
export function noteTokenUse(store: Store, clock: Clock, orgId: string, tokenId: string, address: string | (() => string)): void {
  if (!store.tokens.recordUse) return;
  let seen = lastWritten.get(store);
  if (!seen) {
    seen = new Map();
    lastWritten.set(store, seen);
  }
  const now = clock.now().getTime();
  const last = seen.get(tokenId);
  if (last !== undefined && now - last < TOKEN_USE_WRITE_MS) return;
  if (seen.size >= MAX_REMEMBERED) seen.clear(); // bounded: forgetting only means one write more
  seen.set(tokenId, now);
  const from = typeof address === "function" ? address() : address; // a request's address is worked out only when written
  store.tokens.recordUse(orgId, tokenId, new Date(now).toISOString(), from.slice(0, 64)).catch(() => seen.delete(tokenId));
}
