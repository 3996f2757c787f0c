/** /v1/Accounts, /v1/Accounts/:sid/Users, /v1/RoleAssignments and /v1/Users/:sid/Accounts. */
import type { Request } from "express";
import { z } from "zod";
import {
  accountUsers, closeAccount, createAccount, getAccount, getAssignment, grantRole, listAccounts, listAssignments,
  reopenAccount, revokeRole, updateAccount, userAccounts, type RoleAssignment,
} from "../../domain/accounts";
import { ACCOUNT_ROLES, type Account } from "../../domain/types";
import { actorOf } from "../auth";
import { GroupBody, toGroupBody } from "./groups-routes";
import { PageMeta, pageMeta, pageOf, readPage } from "./paging";
import { route } from "./route";
import type { V1Module } from "./module";
import { named } from "./schemas";

const Sid = (prefix: string) => z.string().regex(new RegExp(`^${prefix}[0-9a-f]{32}$`), `must be a ${prefix}... sid`);
const Role = z.enum(ACCOUNT_ROLES as [string, ...string[]]);

export const AccountBody = named("Account", z.object({
  sid: z.string(),
  friendly_name: z.string(),
  owner_sid: z.string(),
  status: z.enum(["active", "closed"]),
  date_created: z.string(),
  date_updated: z.string(),
}));
export const AccountPage = named("AccountList", z.object({ accounts: z.array(AccountBody), meta: PageMeta }));
export const AccountCreate = named("AccountCreate", z.object({ friendly_name: z.string().trim().min(1).max(200), owner_sid: Sid("US").optional() }).strict());
export const AccountUpdate = named("AccountUpdate", z.object({ friendly_name: z.string().trim().min(1).max(200).optional(), owner_sid: Sid("US").optional() }).strict());
export const AccountReopen = named("AccountReopen", z.object({
  owner_sid: Sid("US").optional().describe("A new owner, when the closed account's owner can no longer own it (left, suspended, deleted)"),
}).strict());
export const AccountReopened = named("AccountReopened", AccountBody.extend({
  groups_granting_again: z.array(GroupBody).describe("The identity provider's groups bound to a role on the account: their members hold those roles again from now on (empty when the account was not closed)"),
}));
export const RoleAssignmentBody = named("RoleAssignment", z.object({ sid: z.string(), account_sid: z.string(), user_sid: z.string(), role: Role }));
export const RoleAssignmentCreate = named("RoleAssignmentCreate", z.object({ account_sid: Sid("AC"), user_sid: Sid("US"), role: Role }).strict());
export const RoleAssignmentList = named("RoleAssignmentList", z.object({ role_assignments: z.array(RoleAssignmentBody), meta: PageMeta }));
export const AccountUser = named("AccountUser", z.object({
  user_sid: z.string(), user_name: z.string(), display_name: z.string().nullable(), status: z.string(), roles: z.array(Role),
  owner: z.boolean().describe("The account's owner (listed with or without a role there)"),
}));
export const AccountUserList = named("AccountUserList", z.object({ users: z.array(AccountUser), meta: PageMeta }));
export const UserAccount = named("UserAccount", z.object({
  account: AccountBody,
  roles: z.array(Role),
  owner: z.boolean().describe("The user owns the account (listed even without a role there, unless Role narrows the list)"),
}));
export const UserAccountList = named("UserAccountList", z.object({ accounts: z.array(UserAccount), meta: PageMeta }));

const toAccountBody = (a: Account): z.infer<typeof AccountBody> => ({
  sid: a.id, friendly_name: a.name, owner_sid: a.ownerId, status: a.status, date_created: a.created, date_updated: a.lastModified,
});
const toAssignmentBody = (a: RoleAssignment): z.infer<typeof RoleAssignmentBody> => ({ sid: a.sid, account_sid: a.accountId, user_sid: a.userId, role: a.role });
const sid = (req: Request) => String(req.params.sid);

export const accountRoutes: V1Module = (r, registry, deps) => {
  const tag = "Accounts";
  route(r, registry, { method: "get", operationId: "listAccounts", path: "/Accounts", summary: "List the organization's managed accounts", tag, status: 200, response: AccountPage, paged: true,
    query: z.object({ Status: z.enum(["active", "closed"]).optional() }) },
  async (req) => {
    const page = readPage(req);
    const status = (req.query as Record<string, string | undefined>).Status as Account["status"] | undefined;
    const { total, items } = await listAccounts(deps, actorOf(req), { offset: page.offset, limit: page.size, ...(status ? { status } : {}) });
    const at = page.page();
    return { accounts: items.map(toAccountBody), meta: pageMeta(req, "accounts", at, items.length, at.offset + items.length < total) };
  });
  route(r, registry, { method: "post", operationId: "createAccount", path: "/Accounts", summary: "Create a managed account (Standard Users may too)", tag, status: 201, body: AccountCreate, response: AccountBody, location: (a) => `/Accounts/${a.sid}` },
    async (req, { body }) => toAccountBody(await createAccount(deps, actorOf(req), { name: body.friendly_name, ...(body.owner_sid ? { ownerId: body.owner_sid } : {}) })));
  route(r, registry, { method: "get", operationId: "getAccount", path: "/Accounts/:sid", summary: "Fetch an account", tag, status: 200, response: AccountBody },
    async (req) => toAccountBody(await getAccount(deps, actorOf(req), sid(req))));
  route(r, registry, { method: "post", operationId: "updateAccount", path: "/Accounts/:sid", summary: "Rename an account or change its owner", tag, status: 200, body: AccountUpdate, response: AccountBody },
    async (req, { body }) => toAccountBody(await updateAccount(deps, actorOf(req), sid(req), {
      ...(body.friendly_name ? { name: body.friendly_name } : {}), ...(body.owner_sid ? { ownerId: body.owner_sid } : {}),
    })));
  route(r, registry, { method: "delete", operationId: "closeAccount", path: "/Accounts/:sid", summary: "Close an account (its direct roles end)", tag, status: 200, response: AccountBody },
    async (req) => toAccountBody(await closeAccount(deps, actorOf(req), sid(req))));
  route(r, registry, { method: "post", operationId: "reopenAccount", path: "/Accounts/:sid/Reopen", summary: "Reopen a closed account (an Owner or Administrator of the organization); direct roles do not come back, the identity provider's groups bound to its roles grant again (listed in the answer)", tag, status: 200, body: AccountReopen, response: AccountReopened },
    async (req, { body }) => {
      const { account, regranting } = await reopenAccount(deps, actorOf(req), sid(req), body.owner_sid ? { ownerId: body.owner_sid } : {});
      return { ...toAccountBody(account), groups_granting_again: regranting.map(toGroupBody) };
    });
  route(r, registry, { method: "get", operationId: "listAccountUsers", path: "/Accounts/:sid/Users", summary: "The account's users and their effective roles, by user sid; its owner among them (owner: true), with a role there or not", tag, status: 200, response: AccountUserList, paged: true },
    async (req) => {
      const page = readPage(req);
      const { total, items } = await accountUsers(deps, actorOf(req), sid(req), { offset: page.offset, limit: page.size });
      const at = page.page();
      const meta = pageMeta(req, "users", at, items.length, at.offset + at.size < total);
      return {
        users: items.map(({ user, roles, owner }) => ({ user_sid: user.id, user_name: user.userName, display_name: user.displayName, status: user.status, roles, owner })),
        meta,
      };
    });

  const rtag = "RoleAssignments";
  route(r, registry, { method: "post", operationId: "createRoleAssignment", path: "/RoleAssignments", summary: "Grant an account role (Administrator clears the others)", tag: rtag, status: 201, body: RoleAssignmentCreate, response: RoleAssignmentBody, location: (a) => `/RoleAssignments/${a.sid}` },
    async (req, { body }) => toAssignmentBody(await grantRole(deps, actorOf(req), { accountId: body.account_sid, userId: body.user_sid, role: body.role as RoleAssignment["role"] })));
  route(r, registry, { method: "get", operationId: "listRoleAssignments", path: "/RoleAssignments", summary: "Direct role assignments of a user (UserSid) or on an account (AccountSid)", tag: rtag, status: 200, response: RoleAssignmentList, paged: true,
    query: z.object({ UserSid: Sid("US").optional(), AccountSid: Sid("AC").optional() }) },
  async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const request = readPage(req);
    const all = await listAssignments(deps, actorOf(req), { ...(q.UserSid ? { userId: q.UserSid } : {}), ...(q.AccountSid ? { accountId: q.AccountSid } : {}) });
    const { items, meta } = pageOf(req, request, "role_assignments", all, (a) => a.sid);
    return { role_assignments: items.map(toAssignmentBody), meta };
  });
  route(r, registry, { method: "get", operationId: "getRoleAssignment", path: "/RoleAssignments/:sid", summary: "Fetch a role assignment", tag: rtag, status: 200, response: RoleAssignmentBody },
    async (req) => toAssignmentBody(await getAssignment(deps, actorOf(req), sid(req))));
  route(r, registry, { method: "delete", operationId: "revokeRoleAssignment", path: "/RoleAssignments/:sid", summary: "Revoke a role assignment", tag: rtag, status: 204 },
    async (req) => {
      await revokeRole(deps, actorOf(req), sid(req));
      return undefined;
    });

  route(r, registry, { method: "get", operationId: "listUserAccounts", path: "/Users/:sid/Accounts", summary: "The accounts a user can access or owns (the console's Accounts tab), optionally by Role; independent users (account access only) too", tag: "Users", status: 200, response: UserAccountList, paged: true,
    query: z.object({ Role: Role.optional() }) },
  async (req) => {
    const role = (req.query as Record<string, string | undefined>).Role as RoleAssignment["role"] | undefined;
    const request = readPage(req);
    const { items, meta } = pageOf(req, request, "accounts", await userAccounts(deps, actorOf(req), sid(req), role), ({ account }) => account.id);
    return { accounts: items.map(({ account, roles, owner }) => ({ account: toAccountBody(account), roles, owner })), meta };
  });
};
