/** /v1/Users/:sid: the console's user page — General tab, Remove user, Delete user. */
import type { Request } from "express";
import { z } from "zod";
import { effectiveOrgRole } from "../../domain/role-groups";
import type { UserRecord } from "../../domain/types";
import { updateUserSettings } from "../../domain/user-admin";
import { endMembership } from "../../domain/user-removal";
import { getMember } from "../../domain/users";
import type { Store } from "../../domain/ports/store";
import { actorOf } from "../auth";
import { route } from "./route";
import type { V1Module } from "./module";
import { named } from "./schemas";
import { userFields, userFieldsOf } from "./user-fields";

export const UserBody = named("User", z.object({
  ...userFields,
  org_role: z.enum(["owner", "administrator", "standard"]).nullable().describe("The effective org role; null for an independent user, who holds none (account roles only)"),
  direct_org_role: z.enum(["owner", "administrator", "standard"]).nullable(),
  two_factor_required: z.boolean(),
  password_reset_required: z.boolean(),
}));

export const UserUpdate = named("UserUpdate", z.object({
  display_name: z.string().max(256).nullable().optional(),
  given_name: z.string().max(256).nullable().optional(),
  family_name: z.string().max(256).nullable().optional(),
  org_role: z.enum(["owner", "administrator", "standard"]).optional(),
  two_factor_required: z.boolean().optional(),
  override_identity_provider: z.boolean().optional()
    .describe("For a user the identity provider manages (managed_by_idp): change display_name, given_name or family_name here anyway, knowing its next update overwrites them; without it such a change is refused (409, code 4012)"),
}).strict());

/** The console's acknowledgement checkboxes, and the new owner of the user's accounts. */
export const EndMembership = named("EndMembership", z.object({
  acknowledge: z.literal(true, { message: "set acknowledge to true to confirm you reviewed what this does" }),
  new_owner_sid: z.string().regex(/^US[0-9a-f]{32}$/).optional(),
}).strict());

export const EndMembershipResult = named("EndMembershipResult", z.object({
  sid: z.string(),
  action: z.enum(["removed", "deleted"]),
  accounts_handed_over: z.array(z.object({ account_sid: z.string(), new_owner_sid: z.string() })),
}));

async function toUserBody(store: Store, u: UserRecord): Promise<z.infer<typeof UserBody>> {
  const groups = await store.groups.groupsOfUser(u.orgId, u.id);
  return {
    ...userFieldsOf(u),
    org_role: u.status === "managed" ? effectiveOrgRole(u.orgRole, groups) : u.status === "independent" ? null : (u.orgRole ?? "standard"),
    direct_org_role: u.status === "independent" ? null : u.orgRole,
    two_factor_required: u.twoFactorRequired,
    password_reset_required: u.passwordResetRequired,
  };
}

const sid = (req: Request) => String(req.params.sid);

export const userRoutes: V1Module = (r, registry, deps) => {
  const tag = "Users";
  route(r, registry, { method: "get", operationId: "getUser", path: "/Users/:sid", summary: "Fetch a user of the organization: managed, pending, or independent (account access only)", tag, status: 200, response: UserBody },
    async (req) => toUserBody(deps.store, await getMember(deps, actorOf(req), sid(req))));

  route(r, registry, { method: "post", operationId: "updateUser", path: "/Users/:sid", summary: "Update a user's name, org role (owner transfers ownership) or two-factor requirement; the names of a user the identity provider manages only with override_identity_provider", tag, status: 200, body: UserUpdate, response: UserBody },
    async (req, { body }) => {
      const changes: Parameters<typeof updateUserSettings>[3] = {};
      if (body.display_name !== undefined) changes.displayName = body.display_name;
      if (body.given_name !== undefined) changes.givenName = body.given_name;
      if (body.family_name !== undefined) changes.familyName = body.family_name;
      if (body.org_role !== undefined) changes.orgRole = body.org_role;
      if (body.two_factor_required !== undefined) changes.twoFactorRequired = body.two_factor_required;
      if (body.override_identity_provider === true) changes.overrideIdentityProvider = true;
      return toUserBody(deps.store, await updateUserSettings(deps, actorOf(req), sid(req), changes));
    });

  for (const [verb, mode] of [["Remove", "remove"], ["Delete", "delete"]] as const) {
    route(r, registry, {
      method: "post", operationId: mode === "remove" ? "removeUser" : "deleteUser", path: `/Users/:sid/${verb}`, tag, status: 200, body: EndMembership, response: EndMembershipResult,
      summary: mode === "remove"
        ? "Remove a user from the organization: they keep their login and anything outside it; their accounts pass to new_owner_sid"
        : "Delete a user: irreversible; their data is erased, their accounts pass to new_owner_sid",
    }, async (req, { body }) => {
      const done = await endMembership(deps, actorOf(req), sid(req), { mode, protectOwner: false, ...(body.new_owner_sid ? { newOwnerId: body.new_owner_sid } : {}) });
      return {
        sid: sid(req),
        action: mode === "remove" ? ("removed" as const) : ("deleted" as const),
        accounts_handed_over: done.accountsHandedOver.map((a) => ({ account_sid: a.accountId, new_owner_sid: a.newOwnerId })),
      };
    });
  }
};
