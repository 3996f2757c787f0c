/** /v1/Tokens: the organization's API tokens (the Admin Center's Provisioning page). The secret is shown once. */
import type { Request } from "express";
import { z } from "zod";
import { auditEvent } from "../../domain/audit";
import { authorize } from "../../domain/authz";
import { Errors } from "../../domain/errors";
import { issueToken } from "../../domain/tokens";
import { SCOPES, type ApiToken } from "../../domain/types";
import { actorOf } from "../auth";
import { route } from "./route";
import type { V1Module } from "./router";

export const TokenBody = z.object({
  sid: z.string(),
  friendly_name: z.string(),
  scopes: z.array(z.enum(SCOPES as [string, ...string[]])),
  user_sid: z.string().nullable(),
  date_created: z.string(),
  date_revoked: z.string().nullable(),
});
export const TokenCreated = TokenBody.extend({ token: z.string().describe("The secret, shown only in this response; orgscim keeps only its hash.") });
export const TokenList = z.object({ tokens: z.array(TokenBody) });
export const TokenCreate = z.object({
  friendly_name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(SCOPES as [string, ...string[]])).min(1),
  user_sid: z.string().regex(/^US[0-9a-f]{32}$/).optional(),
}).strict();

const toBody = (t: ApiToken): z.infer<typeof TokenBody> => ({
  sid: t.id, friendly_name: t.name, scopes: t.scopes, user_sid: t.userId, date_created: t.created, date_revoked: t.revoked,
});
const sid = (req: Request) => String(req.params.sid);

export const tokenRoutes: V1Module = (r, registry, deps) => {
  const tag = "Tokens";
  route(r, registry, { method: "get", path: "/Tokens", summary: "The organization's API tokens (never their secrets)", tag, status: 200, response: TokenList },
    async (req) => {
      const actor = actorOf(req);
      await authorize(deps.store, deps.clock, actor, { kind: "manageOrganization" }, "token.list");
      return { tokens: (await deps.store.tokens.list(actor.org.id)).map(toBody) };
    });
  route(r, registry, { method: "post", path: "/Tokens", summary: "Create a token (for an identity provider: scopes [\"scim\"]); the secret is in this response only", tag, status: 201, body: TokenCreate, response: TokenCreated },
    async (req, { body }) => {
      const actor = actorOf(req);
      await authorize(deps.store, deps.clock, actor, { kind: "manageOrganization" }, "token.create");
      if (body.user_sid && !(await deps.store.users.get(actor.org.id, body.user_sid))) throw Errors.userNotFound(body.user_sid);
      const issued = await issueToken(deps.store, deps.clock, { orgId: actor.org.id, name: body.friendly_name, scopes: body.scopes as ApiToken["scopes"], userId: body.user_sid ?? null });
      await deps.store.audit.append(auditEvent(deps.clock, actor, "token.create", { type: "Token", id: issued.token.id }, { after: { name: issued.token.name, scopes: issued.token.scopes, userId: issued.token.userId } }));
      return { ...toBody(issued.token), token: issued.plaintext };
    });
  route(r, registry, { method: "delete", path: "/Tokens/:sid", summary: "Revoke a token; it stops working at once", tag, status: 204 },
    async (req) => {
      const actor = actorOf(req);
      await authorize(deps.store, deps.clock, actor, { kind: "manageOrganization" }, "token.revoke");
      if (!(await deps.store.tokens.revoke(actor.org.id, sid(req), deps.clock.now().toISOString()))) throw Errors.tokenNotFound(sid(req));
      await deps.store.audit.append(auditEvent(deps.clock, actor, "token.revoke", { type: "Token", id: sid(req) }));
      return undefined;
    });
};
