/**
 * /v1/OAuthClients: the organization's OAuth 2.0 clients (client credentials, docs/oauth.md). The
 * client secret is shown once; the client's id is its sid. Deleting a client stops its access
 * tokens at once.
 */
import type { Request } from "express";
import { z } from "zod";
import { createClient, deleteClient, listClients, readClient } from "../../domain/oauth";
import { ORG_ROLES, SCOPES, type ApiToken } from "../../domain/types";
import { actorOf } from "../auth";
import type { V1Module } from "./module";
import { PageMeta, pageOf, readPage } from "./paging";
import { originOf } from "./links";
import { route } from "./route";
import { named } from "./schemas";

export const OAuthClientBody = named("OAuthClient", z.object({
  sid: z.string().describe("The client's id (client_id at the token endpoint)"),
  friendly_name: z.string(),
  scopes: z.array(z.enum(SCOPES as [string, ...string[]])),
  user_sid: z.string().nullable().describe("The user it acts for; null: no user"),
  date_created: z.string(),
  date_deleted: z.string().nullable(),
  date_expires: z.string().nullable().describe("When its secret stops working; null: never"),
  date_last_used: z.string().nullable().describe("When a request last authenticated with one of its access tokens, recorded at most once a minute per instance; null: not since last use was recorded"),
  last_used_address: z.string().nullable().describe("The client address of that request"),
  created_by: z.string().nullable().describe("Who made it: operator, or the sid of the token (or client) that made it"),
  ceiling: z.enum(ORG_ROLES as [string, ...string[]]).nullable().describe("The most it may do: the org role of whoever made it, when they made it; lowered to their role now"),
}));
export const OAuthClientCreated = named("OAuthClientCreated", OAuthClientBody.extend({
  client_id: z.string().describe("The same as sid"),
  client_secret: z.string().describe("The secret, shown only in this response; orgscim keeps only its hash."),
  token_endpoint: z.string().describe("Where the client asks for access tokens (grant_type=client_credentials)"),
}));
export const OAuthClientList = named("OAuthClientList", z.object({ oauth_clients: z.array(OAuthClientBody), meta: PageMeta }));
export const OAuthClientCreate = named("OAuthClientCreate", z.object({
  friendly_name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(SCOPES as [string, ...string[]])).min(1),
  user_sid: z.string().regex(/^US[0-9a-f]{32}$/).optional(),
  date_expires: z.string().datetime().optional().describe("When its secret stops working (ISO 8601, in the future); absent: never"),
}).strict());

const toBody = (c: ApiToken): z.infer<typeof OAuthClientBody> => ({
  sid: c.id, friendly_name: c.name, scopes: c.scopes, user_sid: c.userId, date_created: c.created, date_deleted: c.revoked,
  date_expires: c.expires ?? null, created_by: c.createdBy ?? null, ceiling: c.ceiling ?? null,
  date_last_used: c.lastUse?.at ?? null, last_used_address: c.lastUse?.address ?? null,
});
const sid = (req: Request) => String(req.params.sid);

export const oauthClientRoutes: V1Module = (r, registry, deps) => {
  const tag = "OAuthClients";
  route(r, registry, { method: "get", operationId: "listOAuthClients", path: "/OAuthClients", summary: "The organization's OAuth clients (never their secrets), oldest first", tag, status: 200, response: OAuthClientList, paged: true },
    async (req) => {
      const request = readPage(req);
      const { items, meta } = pageOf(req, request, "oauth_clients", await listClients(deps, actorOf(req)), (c) => `${c.created} ${c.id}`);
      return { oauth_clients: items.map(toBody), meta };
    });
  route(r, registry, {
    method: "post", operationId: "createOAuthClient", path: "/OAuthClients", tag, status: 201, body: OAuthClientCreate, response: OAuthClientCreated,
    location: (c) => `/OAuthClients/${c.sid}`,
    summary: "Create an OAuth client (client credentials; for an identity provider: scopes [\"scim\"]), acting for no user or for the caller themself, never stronger than the caller; the secret is in this response only",
  }, async (req, { body }) => {
    const made = await createClient(deps, actorOf(req), {
      name: body.friendly_name, scopes: body.scopes as ApiToken["scopes"], userId: body.user_sid ?? null, expires: body.date_expires ?? null,
    });
    return { ...toBody(made.client), client_id: made.client.id, client_secret: made.secret, token_endpoint: `${originOf(req)}/oauth/token` };
  });
  route(r, registry, { method: "get", operationId: "getOAuthClient", path: "/OAuthClients/:sid", summary: "One OAuth client (never its secret or the secret's hash): where a create's Location points", tag, status: 200, response: OAuthClientBody },
    async (req) => toBody(await readClient(deps, actorOf(req), sid(req))));
  route(r, registry, { method: "delete", operationId: "deleteOAuthClient", path: "/OAuthClients/:sid", summary: "Delete an OAuth client; it and its access tokens stop working at once", tag, status: 204 },
    async (req) => {
      await deleteClient(deps, actorOf(req), sid(req));
      return undefined;
    });
};
