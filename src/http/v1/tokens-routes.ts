/** /v1/Tokens: the organization's API tokens (the Admin Center's Provisioning page). The secret is shown once. */
import type { Request } from "express";
import { z } from "zod";
import { createToken, listTokens, MAX_ROTATION_OVERLAP_SECONDS, readToken, revokeToken, rotateToken } from "../../domain/tokens";
import { ORG_ROLES, SCOPES, type ApiToken } from "../../domain/types";
import { actorOf } from "../auth";
import { PageMeta, pageOf, readPage } from "./paging";
import { route } from "./route";
import type { V1Module } from "./module";
import { named } from "./schemas";

export const TokenBody = named("Token", z.object({
  sid: z.string(),
  friendly_name: z.string(),
  scopes: z.array(z.enum(SCOPES as [string, ...string[]])),
  user_sid: z.string().nullable(),
  date_created: z.string(),
  date_revoked: z.string().nullable(),
  created_by: z.string().nullable().describe("Who made it: operator (the orgscim command, the bootstrap token), or the sid of the token that made it"),
  ceiling: z.enum(ORG_ROLES as [string, ...string[]]).nullable().describe("The most it may do: the org role of whoever made it, when they made it; lowered to their role now"),
  date_expires: z.string().nullable().describe("When it stops working; null: never (tokens made before expiry existed, or made with date_expires null)"),
  date_last_used: z.string().nullable().describe("When a request last authenticated with it, recorded at most once a minute per instance (so up to a minute behind); null: not since last use was recorded"),
  last_used_address: z.string().nullable().describe("The client address of that request (as TRUST_PROXY resolves it)"),
}));
export const TokenCreated = named("TokenCreated", TokenBody.extend({ token: z.string().describe("The secret, shown only in this response; orgscim keeps only its hash.") }));
export const TokenList = named("TokenList", z.object({ tokens: z.array(TokenBody), meta: PageMeta }));
export const TokenCreate = named("TokenCreate", z.object({
  friendly_name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(SCOPES as [string, ...string[]])).min(1),
  user_sid: z.string().regex(/^US[0-9a-f]{32}$/).optional(),
  date_expires: z.string().datetime().nullable().optional()
    .describe("When it stops working (ISO 8601, in the future); null: never; absent: after TOKEN_TTL_DAYS (default 365 days)"),
}).strict());

export const toTokenBody = (t: ApiToken): z.infer<typeof TokenBody> => ({
  sid: t.id, friendly_name: t.name, scopes: t.scopes, user_sid: t.userId, date_created: t.created, date_revoked: t.revoked,
  created_by: t.createdBy ?? null, ceiling: t.ceiling ?? null, date_expires: t.expires ?? null,
  date_last_used: t.lastUse?.at ?? null, last_used_address: t.lastUse?.address ?? null,
});
const sid = (req: Request) => String(req.params.sid);

export const TokenRotate = named("TokenRotate", z.object({
  overlap_seconds: z.number().int().min(0).max(MAX_ROTATION_OVERLAP_SECONDS).optional()
    .describe("How long the old token keeps working (default 86400, a day; at most 7 days); 0: it stops now"),
  date_expires: z.string().datetime().nullable().optional()
    .describe("When the new token stops working (ISO 8601, in the future); null: never; absent: after TOKEN_TTL_DAYS"),
}).strict());
export const TokenRotated = named("TokenRotated", TokenCreated.extend({
  replaces: z.string().describe("The old token's sid"),
  replaced_token_expires: z.string().describe("When the old token stops working"),
}));
const defaultExpiry = (deps: { tokenTtlDays?: number | undefined; clock: { now(): Date } }): string | null =>
  (deps.tokenTtlDays ?? 0) > 0 ? new Date(deps.clock.now().getTime() + (deps.tokenTtlDays ?? 0) * 86_400_000).toISOString() : null;

export const tokenRoutes: V1Module = (r, registry, deps) => {
  const tag = "Tokens";
  route(r, registry, { method: "get", operationId: "listTokens", path: "/Tokens", summary: "The organization's API tokens (never their secrets), oldest first", tag, status: 200, response: TokenList, paged: true },
    async (req) => {
      const request = readPage(req);
      const { items, meta } = pageOf(req, request, "tokens", await listTokens(deps, actorOf(req)), (t) => `${t.created} ${t.id}`);
      return { tokens: items.map(toTokenBody), meta };
    });
  route(r, registry, {
    method: "post", operationId: "createToken", path: "/Tokens", tag, status: 201, body: TokenCreate, response: TokenCreated, location: (t) => `/Tokens/${t.sid}`,
    summary: "Create a token (for an identity provider: scopes [\"scim\"]), acting for no user or for the caller themself, never stronger than the caller; the secret is in this response only",
  }, async (req, { body }) => {
    const expires = body.date_expires === undefined ? defaultExpiry(deps) : body.date_expires;
    const issued = await createToken(deps, actorOf(req), { name: body.friendly_name, scopes: body.scopes as ApiToken["scopes"], userId: body.user_sid ?? null, expires });
    return { ...toTokenBody(issued.token), token: issued.plaintext };
  });
  route(r, registry, { method: "get", operationId: "getToken", path: "/Tokens/:sid", summary: "One token (never its secret or the secret's hash): where a create's Location points", tag, status: 200, response: TokenBody },
    async (req) => toTokenBody(await readToken(deps, actorOf(req), sid(req))));
  route(r, registry, {
    method: "post", operationId: "rotateToken", path: "/Tokens/:sid/Rotate", tag, status: 201, body: TokenRotate, response: TokenRotated, location: (t) => `/Tokens/${t.sid}`,
    summary: "Rotate a token: a new one with its name, scopes and user, made by the caller (its secret in this response only), and the old one expiring after overlap_seconds, so the holder switches without a gap; a token acting for a user is rotated only by that user",
  }, async (req, { body }) => {
    const { issued, oldExpires } = await rotateToken(deps, actorOf(req), sid(req), {
      overlapSeconds: body.overlap_seconds ?? 86_400, expires: body.date_expires === undefined ? defaultExpiry(deps) : body.date_expires,
    });
    return { ...toTokenBody(issued.token), token: issued.plaintext, replaces: sid(req), replaced_token_expires: oldExpires };
  });
  route(r, registry, { method: "delete", operationId: "revokeToken", path: "/Tokens/:sid", summary: "Revoke a token; it stops working at once", tag, status: 204 },
    async (req) => {
      await revokeToken(deps, actorOf(req), sid(req));
      return undefined;
    });
};
