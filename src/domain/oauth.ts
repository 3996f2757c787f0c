/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4): an organization's clients, and the exchange of a
 * client's id and secret for a short-lived access token.
 *
 * A client is a row of the tokens repository with kind `client` (id `OC<32 hex>`): it records who
 * made it and its ceiling exactly as a token does, so the same policy rules make it and the same
 * principal resolution (./tokens.ts authenticate, ./policy/principal.ts) decides what its access
 * tokens may do, now: a client acting for a user stops when that user is suspended or leaves, one
 * whose maker is demoted is lowered with them, and deleting (revoking) the client, or any token up
 * the chain that made it, stops every access token it was issued at the next request.
 *
 * Access tokens are opaque (`oat_<32 hex>_<secret>`, id `AT<32 hex>`), stored as a SHA-256 of the
 * secret with an expiry, not JWTs: every request looks the credential up anyway (the client's
 * deletion and its user's suspension take effect at once, as for static tokens), so a signed token
 * would save no read, and would add a key to rotate, an algorithm to pin (alg=none, key confusion)
 * and a revocation list. The client secret is 256 random bits (`ocs_...`), so a fast hash is right,
 * as for tokens; it is compared in constant time, and an unknown client id costs the same hash and
 * comparison as a wrong secret.
 */
import { randomBytes } from "node:crypto";
import type { Actor } from "./actor";
import { auditEvent } from "./audit";
import { type Clock, isoNow } from "./clock";
import { Errors } from "./errors";
import { authorize, orgTarget, principalOf, resolveTokenPrincipal, tokenTarget } from "./policy";
import type { Store } from "./ports/store";
import { hashSecret, isExpired, secretMatches, withLastUse } from "./tokens";
import { SCOPES, type ApiToken, type OrgRole, type Scope } from "./types";

export const CLIENT_ID = /^OC[0-9a-f]{32}$/;
const CLIENT_SECRET = /^ocs_[A-Za-z0-9_-]{43}$/;
/** Compared against when the client id names no client, so that a miss costs what a wrong secret costs. */
const DUMMY_HASH = hashSecret(randomBytes(32).toString("base64url"));

export interface OAuthDeps {
  store: Store;
  clock: Clock;
}

export interface NewClient {
  client: ApiToken;
  /** The client secret, shown once. */
  secret: string;
}

/**
 * POST /v1/OAuthClients: a client of the caller's organization, acting for no user or for the
 * caller themself, with scopes the caller's own token has; its ceiling is the caller's org role now.
 */
export async function createClient(deps: OAuthDeps, actor: Actor, input: { name: string; scopes: Scope[]; userId: string | null; expires?: string | null }): Promise<NewClient> {
  const principal = await principalOf(deps.store, actor);
  await authorize(deps, actor, { action: "oauth_client.create", target: { type: "newToken", userId: input.userId, scopes: input.scopes } });
  if (input.userId && !(await deps.store.users.get(actor.org.id, input.userId))) throw Errors.userNotFound(input.userId);
  const maker = principal.kind === "operator"
    ? { createdBy: "operator", creatorUserId: null, ceiling: "owner" as OrgRole }
    : { createdBy: principal.tokenId, creatorUserId: principal.userId ?? (await deps.store.tokens.get(principal.tokenId))?.creatorUserId ?? null, ceiling: principal.level };
  const secret = `ocs_${randomBytes(32).toString("base64url")}`;
  const client: ApiToken = {
    id: `OC${randomBytes(16).toString("hex")}`, orgId: actor.org.id, name: input.name, scopes: [...new Set(input.scopes)],
    secretHash: hashSecret(secret), userId: input.userId, created: isoNow(deps.clock), revoked: null, ...maker, kind: "client",
    ...(input.expires ? { expires: input.expires } : {}),
  };
  await deps.store.transaction(async (tx) => {
    await tx.tokens.insert(client);
    await tx.audit.append(auditEvent(deps.clock, actor, "oauth_client.create", { type: "OAuthClient", id: client.id }, {
      after: { name: client.name, scopes: client.scopes, userId: client.userId, ceiling: client.ceiling, createdBy: client.createdBy, expires: client.expires ?? null },
    }));
  });
  return { client, secret };
}

/** The organization's clients, deleted ones included (their `revoked` says when), oldest first. */
export async function listClients(deps: OAuthDeps, actor: Actor): Promise<ApiToken[]> {
  await authorize(deps, actor, { action: "oauth_client.list", target: orgTarget(actor.org.id) });
  return withLastUse(deps.store, actor.org.id, (await deps.store.tokens.list(actor.org.id)).filter((t) => t.kind === "client"));
}

/** The organization's live client with this id; another organization's, a deleted one or none is not found alike. */
async function liveClient(deps: OAuthDeps, actor: Actor, id: string): Promise<ApiToken> {
  const client = CLIENT_ID.test(id) ? await deps.store.tokens.get(id) : null;
  if (!client || client.kind !== "client" || client.orgId !== actor.org.id || client.revoked) throw Errors.oauthClientNotFound(id);
  return client;
}

/** GET /v1/OAuthClients/:sid (a create's Location): the client, never its secret. Another organization's, or a deleted one, is not found. */
export async function readClient(deps: OAuthDeps, actor: Actor, id: string): Promise<ApiToken> {
  const client = await liveClient(deps, actor, id);
  await authorize(deps, actor, { action: "oauth_client.read", target: await tokenTarget(deps.store, client) });
  return (await withLastUse(deps.store, actor.org.id, [client]))[0]!;
}

/** DELETE /v1/OAuthClients/:sid: the client and its access tokens stop working at once. Another organization's is not found. */
export async function deleteClient(deps: OAuthDeps, actor: Actor, id: string): Promise<void> {
  const client = await liveClient(deps, actor, id);
  await authorize(deps, actor, { action: "oauth_client.delete", target: await tokenTarget(deps.store, client) });
  await deps.store.transaction(async (tx) => {
    if (!(await tx.tokens.revoke(actor.org.id, id, isoNow(deps.clock)))) throw Errors.oauthClientNotFound(id);
    await tx.audit.append(auditEvent(deps.clock, actor, "oauth_client.delete", { type: "OAuthClient", id }));
  });
}

// ---------- the token endpoint ----------

/** RFC 6749 §5.2 (and RFC 8707 §2 for invalid_target): what the token endpoint answers instead of a token. */
export interface OAuthError {
  error: "invalid_request" | "invalid_client" | "invalid_grant" | "unauthorized_client" | "unsupported_grant_type" | "invalid_scope" | "invalid_target";
  description: string;
}

export interface IssuedAccessToken {
  accessToken: string;
  expiresIn: number;
  scopes: Scope[];
  clientId: string;
  orgId: string;
}

export interface ExchangeInput {
  clientId: string;
  clientSecret: string;
  /** RFC 6749 §3.3: space-delimited; absent: every scope the client has. */
  scope?: string;
  /** RFC 8707: the API the token is for, as an absolute URL; absent: either. */
  resource?: string;
}

export interface ExchangeOptions {
  ttlSeconds: number;
  /** The resource URLs this server accepts (RFC 8707), and the audience each records. */
  resources: ReadonlyMap<string, string>;
}

/** Authenticates the client; null for an unknown, deleted, expired or wrong-secret client (one answer for all). */
export async function authenticateClient(deps: OAuthDeps, clientId: string, clientSecret: string): Promise<ApiToken | null> {
  const row = CLIENT_ID.test(clientId) ? await deps.store.tokens.get(clientId) : null;
  const client = row && row.kind === "client" ? row : null;
  const matches = secretMatches(CLIENT_SECRET.test(clientSecret) ? clientSecret : "-", client?.secretHash ?? DUMMY_HASH);
  if (!client || !matches || client.revoked || isExpired(client, deps.clock.now())) return null;
  return client;
}

/**
 * The client credentials grant (RFC 6749 §4.4): the client authenticated, an access token with the
 * scopes asked (never more than the client's: asking for more is invalid_scope, not a silent
 * narrowing), for the resource asked. A client that may not act now (its user suspended or gone,
 * its maker gone, a token up its chain revoked) gets invalid_grant.
 */
export async function exchangeClientCredentials(deps: OAuthDeps, input: ExchangeInput, options: ExchangeOptions): Promise<IssuedAccessToken | OAuthError> {
  const client = await authenticateClient(deps, input.clientId, input.clientSecret);
  if (!client) return INVALID_CLIENT;
  return issueAccessToken(deps, client, input, options);
}

export const INVALID_CLIENT: OAuthError = { error: "invalid_client", description: "Client authentication failed: unknown client, deleted or expired client, or wrong secret." };

/** The grant for a client already authenticated (authenticateClient). */
export async function issueAccessToken(deps: OAuthDeps, client: ApiToken, input: Pick<ExchangeInput, "scope" | "resource">, options: ExchangeOptions): Promise<IssuedAccessToken | OAuthError> {
  let scopes: Scope[] = client.scopes;
  if (input.scope !== undefined) {
    const asked = input.scope.split(" ").filter((s) => s !== "");
    const unknown = asked.filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (asked.length === 0 || unknown.length > 0) return { error: "invalid_scope", description: `Unknown scope${unknown.length === 1 ? "" : "s"}: ${unknown.join(" ") || "(empty)"}. This server knows: ${SCOPES.join(", ")}.` };
    const beyond = asked.filter((s) => !client.scopes.includes(s as Scope));
    if (beyond.length > 0) return { error: "invalid_scope", description: `This client may not have: ${beyond.join(" ")}. Its scopes are: ${client.scopes.join(" ")}.` };
    scopes = [...new Set(asked as Scope[])];
  }
  let audience: string | null = null;
  if (input.resource !== undefined) {
    const found = options.resources.get(input.resource.replace(/\/+$/, ""));
    if (!found) return { error: "invalid_target", description: `Unknown resource ${input.resource.slice(0, 200)}. This server's resources are: ${[...options.resources.keys()].join(", ")}.` };
    audience = found;
  }
  const org = await deps.store.orgs.get(client.orgId);
  const principal = org ? await resolveTokenPrincipal(deps.store, org, client) : null;
  if (!org || !principal) {
    return { error: "invalid_grant", description: "This client may not act now: the user it acts for, or the user who made it, is suspended or no longer in the organization, or a token that made it was revoked. An Owner or Administrator makes a new client." };
  }
  const hex = randomBytes(16).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  const now = deps.clock.now();
  const expires = new Date(now.getTime() + options.ttlSeconds * 1000).toISOString();
  const actor: Actor = { org, tokenId: client.id, scopes, userId: client.userId, principal };
  await deps.store.transaction(async (tx) => {
    await tx.tokens.insert({
      id: `AT${hex}`, orgId: client.orgId, name: `access token of ${client.id}`, scopes, secretHash: hashSecret(secret), userId: client.userId,
      created: now.toISOString(), revoked: null, createdBy: client.id, creatorUserId: client.creatorUserId ?? null, ceiling: client.ceiling ?? null,
      kind: "access", expires, ...(audience ? { audience } : {}),
    });
    // The client's access tokens that expired a day ago or more go: the repository holds the live ones and a day's worth.
    await tx.tokens.purgeExpiredAccess(client.orgId, client.id, new Date(now.getTime() - 86_400_000).toISOString());
    await tx.audit.append(auditEvent(deps.clock, actor, "oauth.token.issue", { type: "AccessToken", id: `AT${hex}` }, { after: { scopes, expires, audience } }));
  });
  return { accessToken: `oat_${hex}_${secret}`, expiresIn: options.ttlSeconds, scopes, clientId: client.id, orgId: client.orgId };
}
