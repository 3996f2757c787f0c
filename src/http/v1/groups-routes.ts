/**
 * /v1/Groups: the groups an identity provider pushes over SCIM, with their bindings, and a group's
 * members paged: the Admin Center's Groups page. Read-only: groups change through SCIM only.
 */
import type { Request } from "express";
import { z } from "zod";
import { groupMembersView, groupView, listGroupsView, type GroupView } from "../../domain/groups-view";
import { actorOf } from "../auth";
import type { V1Module } from "./module";
import { PageMeta, pageMeta, readPage } from "./paging";
import { route } from "./route";
import { named } from "./schemas";

export const GroupBindingBody = named("GroupBinding", z.object({
  kind: z.enum(["org_role", "account_role"]),
  org_role: z.enum(["owner", "administrator", "standard"]).nullable().describe("kind org_role: the org role its members hold"),
  account_sid: z.string().nullable().describe("kind account_role: the account"),
  account_role: z.enum(["administrator", "billing_manager", "developer", "support"]).nullable().describe("kind account_role: the role its members hold on the account"),
}).describe("What membership of the group grants; null when it grants nothing"));

export const GroupBody = named("Group", z.object({
  sid: z.string(),
  display_name: z.string(),
  external_id: z.string().nullable().describe("The identity provider's id for the group"),
  built_in: z.boolean().describe("A built-in role group (an org role's, or an account role's): its members are the role's holders"),
  binding: GroupBindingBody.nullable(),
  member_count: z.number().int(),
  date_created: z.string(),
  date_updated: z.string(),
}));

export const GroupPage = named("GroupList", z.object({ groups: z.array(GroupBody), meta: PageMeta }));

export const GroupMembershipBody = named("GroupMembership", z.object({
  membership_sid: z.string().describe("The SCIM GroupMember's id"),
  user_sid: z.string(),
  user_name: z.string().nullable().describe("null when the user is no longer in the organization"),
  display_name: z.string().nullable(),
  status: z.enum(["managed", "pending", "independent"]).nullable(),
  active: z.boolean().nullable(),
  date_added: z.string(),
}));

export const GroupMembershipPage = named("GroupMembershipList", z.object({ members: z.array(GroupMembershipBody), meta: PageMeta }));

export const toGroupBody = ({ group: g, members }: GroupView): z.infer<typeof GroupBody> => ({
  sid: g.id,
  display_name: g.displayName,
  external_id: g.externalId,
  built_in: g.builtin,
  binding: g.binding === null ? null : g.binding.kind === "orgRole"
    ? { kind: "org_role", org_role: g.binding.role, account_sid: null, account_role: null }
    : { kind: "account_role", org_role: null, account_sid: g.binding.accountId, account_role: g.binding.role },
  member_count: members,
  date_created: g.created,
  date_updated: g.lastModified,
});

const sid = (req: Request) => String(req.params.sid);

export const groupRoutes: V1Module = (r, registry, deps) => {
  const tag = "Groups";
  route(r, registry, {
    method: "get", operationId: "listGroups", path: "/Groups", tag, status: 200, response: GroupPage, paged: true,
    summary: "The groups the identity provider pushes over SCIM (built-in role groups left out), each with its binding and member count; read-only (groups change through SCIM). Account narrows to the groups bound to a role on that account (those a reopen makes grant again)",
    query: z.object({ Account: z.string().regex(/^AC[0-9a-f]{32}$/, "must be an AC... sid").optional() }),
  }, async (req, { query }) => {
    const page = readPage(req);
    const { total, items } = await listGroupsView(deps, actorOf(req), { offset: page.offset, limit: page.size, ...(query.Account ? { accountId: query.Account } : {}) });
    const at = page.page();
    return { groups: items.map(toGroupBody), meta: pageMeta(req, "groups", at, items.length, at.offset + items.length < total) };
  });
  route(r, registry, { method: "get", operationId: "getGroup", path: "/Groups/:sid", summary: "Fetch a group (built-in role groups too), with its binding and member count", tag, status: 200, response: GroupBody },
    async (req) => toGroupBody(await groupView(deps, actorOf(req), sid(req))));
  route(r, registry, {
    method: "get", operationId: "listGroupMemberships", path: "/Groups/:sid/Members", tag, status: 200, response: GroupMembershipPage, paged: true,
    summary: "A group's members, paged in the order they were added, with their names",
  }, async (req) => {
    const page = readPage(req);
    const { total, items } = await groupMembersView(deps, actorOf(req), sid(req), { offset: page.offset, limit: page.size });
    const at = page.page();
    return {
      members: items.map(({ membership: m, user: u }) => ({
        membership_sid: m.id, user_sid: m.userId, user_name: u?.userName ?? null, display_name: u?.displayName ?? m.userDisplay ?? null,
        status: u?.status ?? null, active: u?.active ?? null, date_added: m.created,
      })),
      meta: pageMeta(req, "members", at, items.length, at.offset + items.length < total),
    };
  });
};
