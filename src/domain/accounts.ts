/**
 * Managed accounts and account roles (seed: "Invite a user to an account", account roles).
 * Each use case asks the policy (./policy), runs its writes in one transaction, and leaves
 * one audit event. Direct account roles are memberships of the account's built-in role groups
 * (./account-roles.ts); groups an identity provider binds to an account role add to them.
 */
import type { Actor } from "./actor";
import {
  ACCOUNT_ROLE_NAMES, accountRoleGroupId, assignmentSid, builtinAccountRoleGroups, collapseRoles,
  effectiveAccountRoles, parseAssignmentSid,
} from "./account-roles";
import { auditEvent } from "./audit";
import { accountTarget, afterPolicy, authorize, orgTarget, userRef, userTarget, type AfterPolicy, type Target } from "./policy";
import { type Clock, isoNow } from "./clock";
import { Errors } from "./errors";
import { groupsBoundToAccount, type GroupView } from "./groups-view";
import { newId } from "./ids";
import type { Repos, Store } from "./ports/store";
import { ACCOUNT_ROLES, type Account, type AccountRole, type UserRecord } from "./types";

export interface AccountDeps {
  store: Store;
  clock: Clock;
}

export interface RoleAssignment {
  sid: string;
  accountId: string;
  userId: string;
  role: AccountRole;
}

/** A user as a target when they may not exist (the use case answers notFound or invalidValue after the policy). */
async function userOrRef(repos: Repos, orgId: string, id: string): Promise<Target> {
  const u = await repos.users.get(orgId, id);
  return u ? userTarget(repos, u) : userRef(id);
}

/** Why the user cannot own an account, or null when they can. */
async function ownerProblem(repos: Repos, orgId: string, userId: string): Promise<string | null> {
  const u = await repos.users.get(orgId, userId, { includeIndependent: true });
  if (!u) return "no such user in this organization";
  if (u.status === "independent") return "the user is no longer a member of the organization (independent: account access only)";
  if (u.status !== "managed") return `the user is ${u.status}`;
  if (!u.active) return "the user is suspended";
  return null;
}

async function requireOwner(repos: Repos, orgId: string, userId: string): Promise<void> {
  const problem = await ownerProblem(repos, orgId, userId);
  if (problem) throw Errors.accountOwner(userId, problem);
}

/** The account `id` of the actor's organization, or notFound; no authorization (use cases authorize). */
export async function findAccount(deps: Pick<AccountDeps, "store">, actor: Actor, id: string): Promise<Account> {
  const a = await deps.store.accounts.get(actor.org.id, id);
  if (!a) throw Errors.accountNotFound(id);
  return a;
}

export async function getAccount(deps: AccountDeps, actor: Actor, id: string): Promise<Account> {
  const a = await findAccount(deps, actor, id);
  await authorize(deps, actor, { action: "account.read", target: accountTarget(a) });
  return a;
}

export async function listAccounts(deps: AccountDeps, actor: Actor, q: { offset: AfterPolicy<number>; limit: number; status?: Account["status"] }) {
  await authorize(deps, actor, { action: "account.list", target: orgTarget(actor.org.id) });
  return deps.store.accounts.list(actor.org.id, { ...q, offset: afterPolicy(q.offset) });
}

export async function createAccount(deps: AccountDeps, actor: Actor, input: { name: string; ownerId?: string }): Promise<Account> {
  const ownerId = input.ownerId ?? actor.userId;
  await authorize(deps, actor, { action: "account.create", target: ownerId ? await userOrRef(deps.store, actor.org.id, ownerId) : userRef("the owner") },
    { action: "account.create", target: orgTarget(actor.org.id) });
  if (!ownerId) throw Errors.ownerRequired();
  await requireOwner(deps.store, actor.org.id, ownerId);
  const now = isoNow(deps.clock);
  const account: Account = { id: newId("AC"), orgId: actor.org.id, name: input.name, ownerId, status: "active", created: now, lastModified: now };
  await deps.store.transaction(async (tx) => {
    await tx.accounts.insert(account);
    for (const g of builtinAccountRoleGroups(account.orgId, account.id, now)) await tx.groups.insert(g);
    await tx.audit.append(auditEvent(deps.clock, actor, "account.create", { type: "Account", id: account.id }, { after: { name: account.name, ownerId } }));
  });
  return account;
}

export async function updateAccount(deps: AccountDeps, actor: Actor, id: string, input: { name?: string; ownerId?: string }): Promise<Account> {
  const current = await findAccount(deps, actor, id);
  const renames = input.name !== undefined && input.name !== current.name;
  const changesOwner = input.ownerId !== undefined && input.ownerId !== current.ownerId;
  await authorize(deps, actor, [
    ...(renames || !changesOwner ? [{ action: "account.update", target: accountTarget(current) }] : []),
    ...(changesOwner ? [{ action: "account.owner.change", target: accountTarget(current) }] : []),
  ], { action: "account.update", target: accountTarget(current) });
  if (current.status === "closed") throw Errors.accountClosed(id);
  if (input.ownerId !== undefined && input.ownerId !== current.ownerId) await requireOwner(deps.store, actor.org.id, input.ownerId);
  const next: Account = { ...current, name: input.name ?? current.name, ownerId: input.ownerId ?? current.ownerId, lastModified: isoNow(deps.clock) };
  await deps.store.transaction(async (tx) => {
    await tx.accounts.update(next);
    await tx.audit.append(auditEvent(deps.clock, actor, "account.update", { type: "Account", id }, {
      before: { name: current.name, ownerId: current.ownerId }, after: { name: next.name, ownerId: next.ownerId },
    }));
  });
  return next;
}

/** Closing an account ends every direct role on it (its built-in role groups go with it). */
export async function closeAccount(deps: AccountDeps, actor: Actor, id: string): Promise<Account> {
  const current = await findAccount(deps, actor, id);
  await authorize(deps, actor, { action: "account.close", target: accountTarget(current) });
  if (current.status === "closed") return current;
  const next: Account = { ...current, status: "closed", lastModified: isoNow(deps.clock) };
  await deps.store.transaction(async (tx) => {
    await tx.accounts.update(next);
    for (const role of ACCOUNT_ROLES) await tx.groups.delete(actor.org.id, accountRoleGroupId(id, role));
    await tx.audit.append(auditEvent(deps.clock, actor, "account.close", { type: "Account", id }, { before: { status: "active" }, after: { status: "closed" } }));
  });
  return next;
}

/**
 * Reopening a closed account (seed: an account's existence is the organization's, as closing is):
 * the account is active again with empty built-in role groups. Direct roles do not come back
 * (closing ended them, and who held them then may no longer be trusted with them); groups an
 * identity provider binds to the account's roles grant again. Its owner must still be able to own
 * it: otherwise the request names a new one (owner_sid, which is account.owner.change too).
 * Reopening an open account changes nothing (as closing a closed one).
 */
export async function reopenAccount(deps: AccountDeps, actor: Actor, id: string, input: { ownerId?: string } = {}): Promise<{ account: Account; regranting: GroupView[] }> {
  const current = await findAccount(deps, actor, id);
  const changesOwner = input.ownerId !== undefined && input.ownerId !== current.ownerId;
  await authorize(deps, actor, [
    { action: "account.reopen", target: accountTarget(current) },
    ...(changesOwner ? [{ action: "account.owner.change", target: accountTarget(current) }] : []),
  ], { action: "account.reopen", target: accountTarget(current) });
  if (current.status === "active") {
    if (changesOwner) throw Errors.invalidValue(`Account ${id} is not closed, so there is nothing to reopen: change its owner with POST /v1/Accounts/${id} and owner_sid.`);
    return { account: current, regranting: [] };
  }
  const ownerId = input.ownerId ?? current.ownerId;
  const problem = await ownerProblem(deps.store, actor.org.id, ownerId);
  if (problem) throw Errors.accountOwner(ownerId, changesOwner ? problem : `${problem} (the closed account's owner); reopen it with a new owner: owner_sid`);
  const now = isoNow(deps.clock);
  const next: Account = { ...current, status: "active", ownerId, lastModified: now };
  const regranting = await deps.store.transaction(async (tx) => {
    // Read again inside the transaction: two reopens at once make the role groups once.
    if ((await tx.accounts.get(actor.org.id, id))?.status !== "closed") return [];
    // The identity provider's groups bound to its roles grant again from now on: said in the
    // answer and recorded in the audit event, so that whoever reopens sees whom it lets back in.
    const bound = await groupsBoundToAccount(tx, actor.org.id, id);
    await tx.accounts.update(next);
    for (const g of builtinAccountRoleGroups(next.orgId, next.id, now)) await tx.groups.insert(g);
    await tx.audit.append(auditEvent(deps.clock, actor, "account.reopen", { type: "Account", id }, {
      before: { status: "closed", ownerId: current.ownerId },
      after: { status: "active", ownerId, groupsGrantingAgain: bound.map((b) => b.group.id) },
    }));
    return bound;
  });
  return { account: next, regranting };
}

/**
 * One page of the account's users (by user id) with their effective roles (direct and through
 * bound groups), its owner among them (with a role there or not), and how many there are. Every
 * holder counts, however many (memberships are read by keyset, ids only); only the page's user
 * records are read.
 */
export async function accountUsers(deps: AccountDeps, actor: Actor, id: string, page: { offset: AfterPolicy<number>; limit: number }): Promise<{ total: number; items: { user: UserRecord; roles: AccountRole[]; owner: boolean }[] }> {
  const account = await findAccount(deps, actor, id);
  await authorize(deps, actor, { action: "account.users.read", target: accountTarget(account) });
  const roles = new Map<string, AccountRole[]>();
  for (const g of await deps.store.groups.listBoundToAccount(actor.org.id, id)) {
    if (g.binding?.kind !== "accountRole") continue;
    for (const userId of await allMemberIds(deps, actor.org.id, g.id)) roles.set(userId, [...(roles.get(userId) ?? []), g.binding.role]);
  }
  // The owner is one of the account's users, with a role there or not.
  if (!roles.has(account.ownerId)) roles.set(account.ownerId, []);
  const ids = [...roles.keys()].sort();
  const offset = afterPolicy(page.offset);
  const items: { user: UserRecord; roles: AccountRole[]; owner: boolean }[] = [];
  for (const userId of ids.slice(offset, offset + page.limit)) { // only this page's users are read
    const user = await deps.store.users.get(actor.org.id, userId, { includeIndependent: true }); // independent users hold account roles too
    if (user) items.push({ user, roles: collapseRoles(roles.get(userId)!), owner: userId === account.ownerId });
  }
  return { total: ids.length, items };
}

/** Every member id of a group, read by keyset 1,000 at a time: however many there are (no silent cap). */
async function allMemberIds(deps: AccountDeps, orgId: string, groupId: string): Promise<string[]> {
  const out: string[] = [];
  for (let after: number | undefined; ;) {
    const batch = await deps.store.groups.listMembers(orgId, groupId, MEMBER_BATCH, after);
    for (const m of batch) out.push(m.id);
    if (batch.length < MEMBER_BATCH) return out;
    after = batch[batch.length - 1]!.order;
  }
}
const MEMBER_BATCH = 1000;

/** Grants a role: Administrator clears the others; a lesser role beside Administrator is refused. */
export async function grantRole(deps: AccountDeps, actor: Actor, input: { accountId: string; userId: string; role: AccountRole }): Promise<RoleAssignment> {
  const account = await findAccount(deps, actor, input.accountId);
  await authorize(deps, actor, { action: "role_assignment.create", target: accountTarget(account) });
  if (account.status === "closed") throw Errors.accountClosed(account.id);
  const user = await deps.store.users.get(actor.org.id, input.userId);
  if (!user) throw Errors.memberNotFound([input.userId]);
  const adminGroup = accountRoleGroupId(account.id, "administrator");
  const target = accountRoleGroupId(account.id, input.role);
  await deps.store.transaction(async (tx) => {
    const now = isoNow(deps.clock);
    if (input.role === "administrator") {
      for (const role of ACCOUNT_ROLES) {
        if (role === "administrator") continue;
        const gid = accountRoleGroupId(account.id, role);
        if ((await tx.groups.removeMembers(actor.org.id, gid, [user.id])) > 0) await tx.groups.touch(actor.org.id, gid, now);
      }
    } else {
      const direct = await tx.groups.groupsOfUser(actor.org.id, user.id);
      if (direct.some((g) => g.id === adminGroup)) throw Errors.roleIncluded(ACCOUNT_ROLE_NAMES[input.role]);
    }
    if ((await tx.groups.addMembers(actor.org.id, target, [user.id])) > 0) await tx.groups.touch(actor.org.id, target, now);
    await tx.audit.append(auditEvent(deps.clock, actor, "role_assignment.create", { type: "RoleAssignment", id: assignmentSid(target, user.id) }, {
      after: { accountId: account.id, userId: user.id, role: input.role },
    }));
  });
  return { sid: assignmentSid(target, user.id), accountId: account.id, userId: user.id, role: input.role };
}

async function assignmentOf(deps: AccountDeps, actor: Actor, sid: string): Promise<RoleAssignment> {
  const parsed = parseAssignmentSid(sid);
  const group = parsed ? await deps.store.groups.get(actor.org.id, parsed.groupId) : null;
  if (!parsed || !group || !group.builtin || group.binding?.kind !== "accountRole") throw Errors.assignmentNotFound(sid);
  const members = await deps.store.groups.groupsOfUser(actor.org.id, parsed.userId);
  if (!members.some((g) => g.id === group.id)) throw Errors.assignmentNotFound(sid);
  return { sid, accountId: group.binding.accountId, userId: parsed.userId, role: group.binding.role };
}

/** Anyone's own assignments are theirs to read (user.accounts.read); others' are the account's (role_assignment.read). */
export async function getAssignment(deps: AccountDeps, actor: Actor, sid: string): Promise<RoleAssignment> {
  const a = await assignmentOf(deps, actor, sid);
  await authorize(deps, actor, a.userId === actor.userId
    ? { action: "user.accounts.read", target: userRef(a.userId) }
    : { action: "role_assignment.read", target: accountTarget(await findAccount(deps, actor, a.accountId)) },
  { action: "role_assignment.read", target: { type: "account", id: a.accountId, ownerId: "", closed: false } });
  return a;
}

export async function revokeRole(deps: AccountDeps, actor: Actor, sid: string): Promise<void> {
  const a = await assignmentOf(deps, actor, sid);
  await authorize(deps, actor, { action: "role_assignment.delete", target: accountTarget(await findAccount(deps, actor, a.accountId)) });
  const gid = accountRoleGroupId(a.accountId, a.role);
  await deps.store.transaction(async (tx) => {
    if ((await tx.groups.removeMembers(actor.org.id, gid, [a.userId])) > 0) await tx.groups.touch(actor.org.id, gid, isoNow(deps.clock));
    await tx.audit.append(auditEvent(deps.clock, actor, "role_assignment.delete", { type: "RoleAssignment", id: sid }, { before: { accountId: a.accountId, userId: a.userId, role: a.role } }));
  });
}

/** Direct role assignments, of one user or on one account. */
export async function listAssignments(deps: AccountDeps, actor: Actor, by: { userId?: string; accountId?: string }): Promise<RoleAssignment[]> {
  const out: RoleAssignment[] = [];
  if (by.userId) {
    await authorize(deps, actor, { action: "user.accounts.read", target: await userOrRef(deps.store, actor.org.id, by.userId) });
    for (const g of await deps.store.groups.groupsOfUser(actor.org.id, by.userId)) {
      if (!g.builtin || g.binding?.kind !== "accountRole") continue;
      if (by.accountId && g.binding.accountId !== by.accountId) continue;
      out.push({ sid: assignmentSid(g.id, by.userId), accountId: g.binding.accountId, userId: by.userId, role: g.binding.role });
    }
    return out;
  }
  if (by.accountId) {
    await authorize(deps, actor, { action: "role_assignment.read", target: accountTarget(await findAccount(deps, actor, by.accountId)) });
    for (const role of ACCOUNT_ROLES) {
      const gid = accountRoleGroupId(by.accountId, role);
      for (const userId of await allMemberIds(deps, actor.org.id, gid)) out.push({ sid: assignmentSid(gid, userId), accountId: by.accountId, userId, role });
    }
    return out;
  }
  throw Errors.invalidParameter("UserSid", "name a user (UserSid) or an account (AccountSid).");
}

/**
 * The seed's Accounts tab: the accounts a user can access, with effective roles, optionally only
 * those with `role` (Administrator counts for every role), and the accounts they own (`owner`),
 * with or without a role there. Independent users (account access only) are members too.
 */
export async function userAccounts(deps: AccountDeps, actor: Actor, userId: string, role?: AccountRole): Promise<{ account: Account; roles: AccountRole[]; owner: boolean }[]> {
  const user = await deps.store.users.get(actor.org.id, userId, { includeIndependent: true });
  if (!user) throw Errors.userNotFound(userId);
  await authorize(deps, actor, { action: "user.accounts.read", target: await userTarget(deps.store, user) });
  const out: { account: Account; roles: AccountRole[]; owner: boolean }[] = [];
  const held = effectiveAccountRoles(await deps.store.groups.groupsOfUser(actor.org.id, userId));
  for (const [accountId, roles] of held) {
    if (role && !roles.includes(role) && !roles.includes("administrator")) continue;
    const account = await deps.store.accounts.get(actor.org.id, accountId);
    if (account && account.status === "active") out.push({ account, roles, owner: account.ownerId === userId });
  }
  if (!role) {
    for (const account of await deps.store.accounts.listOwnedBy(actor.org.id, userId)) {
      if (account.status === "active" && !held.has(account.id)) out.push({ account, roles: [], owner: true });
    }
  }
  return out;
}
