/**
 * /v1/Me: who the caller is and what the policy allows it, generated from the policy table
 * (src/domain/viewer.ts). The Admin Center reads it once per sign-in to hide or disable what the
 * viewer cannot do; every request is still decided by the server.
 */
import { z } from "zod";
import { describeViewer } from "../../domain/viewer";
import { TARGET_KINDS } from "../../domain/policy/kinds";
import { actorOf } from "../auth";
import type { V1Module } from "./module";
import { route } from "./route";
import { named } from "./schemas";

const Kind = z.enum(TARGET_KINDS);

export const MeBody = named("Me", z.object({
  organization_sid: z.string(),
  token_sid: z.string().describe("The credential making the request: a token (TK…) or an OAuth access token"),
  scopes: z.array(z.enum(["scim", "admin"])),
  user: z.object({ sid: z.string(), user_name: z.string(), display_name: z.string().nullable() }).nullable()
    .describe("The user the token acts for; null for a token acting for no user"),
  org_role: z.enum(["owner", "administrator", "standard"]).describe("The org role whose column of the policy applies: the user's effective role, no more than the token's ceiling"),
  policy_columns: z.array(z.enum(["owner", "administrator", "standard", "idp", "operator"])).describe("The columns of the policy every request must pass (docs/authorization.md)"),
  account_roles: z.record(z.string(), z.array(z.enum(["administrator", "billing_manager", "developer", "support"])))
    .describe("By account sid: the roles the caller holds there (directly or through a group); an open account only counts while open"),
  actions: z.record(z.string(), z.object({
    what: z.string(),
    allowed_targets: z.array(Kind).describe("The kinds of target the caller may act on; any other kind is refused (403)"),
    refused_because: z.string().nullable().describe("Why the other kinds are refused; null when none is"),
    ruled_out: z.array(z.object({ target: Kind, rule: z.string() }))
      .describe("Kinds among allowed_targets that an invariant of the action refuses this caller whatever the target (nobody removes themselves; the Owner is never deactivated, removed or deleted): answered 400 or 409, with the rule's words"),
  })).describe("By the policy's action id (docs/authorization.md): every action of the policy table"),
}));

export const meRoutes: V1Module = (r, registry, deps) => {
  route(r, registry, {
    method: "get", operationId: "getMe", path: "/Me", tag: "Organization", status: 200, response: MeBody,
    summary: "Who the caller is (token, user, org role, account roles) and what the policy allows it, action by action, generated from the policy table; the server still decides every request",
  }, async (req) => {
    const actor = actorOf(req);
    const v = await describeViewer(deps, actor);
    return {
      organization_sid: actor.org.id,
      token_sid: v.tokenId,
      scopes: [...v.scopes],
      user: v.user ? { sid: v.user.id, user_name: v.user.userName, display_name: v.user.displayName ?? null } : null,
      org_role: v.level,
      policy_columns: v.columns,
      account_roles: Object.fromEntries(v.accounts.map((a) => [a.accountId, [...a.roles]])),
      actions: Object.fromEntries(v.actions.map((a) => [a.action, { what: a.what, allowed_targets: a.allowed, refused_because: a.refusedBecause, ruled_out: a.ruledOut }])),
    };
  });
};
