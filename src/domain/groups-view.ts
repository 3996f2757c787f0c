/**
 * What the Admin Center reads of groups (GET /v1/Groups, /v1/Groups/{sid}, /v1/Groups/{sid}/Members):
 * the groups SCIM carries, which an identity provider pushes (never the built-in role groups, whose
 * members are the org and account roles the users' and accounts' pages show), each with what it is
 * bound to and how many members it has; and one group's members, paged in membership order.
 * The policy is the SCIM reads' (group.list, group.read): whoever may list the groups over SCIM.
 */
import type { Actor } from "./actor";
import { Errors } from "./errors";
import { afterPolicy, authorize, groupTarget, orgTarget, type AfterPolicy } from "./policy";
import type { Membership, Repos, Store } from "./ports/store";
import type { Clock } from "./clock";
import type { GroupRecord, UserRecord } from "./types";

export interface GroupViewDeps {
  store: Store;
  clock: Clock;
}

export interface GroupView {
  group: GroupRecord;
  members: number;
}

/** The identity provider's groups bound to a role on the account (built-in role groups left out), by name, with member counts. */
export async function groupsBoundToAccount(store: Pick<Repos, "groups">, orgId: string, accountId: string): Promise<GroupView[]> {
  const bound = (await store.groups.listBoundToAccount(orgId, accountId)).filter((g) => !g.builtin)
    .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id));
  const out: GroupView[] = [];
  for (const group of bound) out.push({ group, members: await store.groups.countMembers(orgId, group.id) });
  return out;
}

/**
 * One page of the organization's groups (built-in role groups left out) and how many there are;
 * with `accountId`, only those bound to a role on that account (another organization's account,
 * or an unknown one, has none).
 */
export async function listGroupsView(deps: GroupViewDeps, actor: Actor, q: { offset: AfterPolicy<number>; limit: number; accountId?: string }): Promise<{ total: number; items: GroupView[] }> {
  await authorize(deps, actor, { action: "group.list", target: orgTarget(actor.org.id) });
  if (q.accountId !== undefined) {
    const all = await groupsBoundToAccount(deps.store, actor.org.id, q.accountId);
    const offset = afterPolicy(q.offset);
    return { total: all.length, items: all.slice(offset, offset + q.limit) };
  }
  const page = await deps.store.groups.list(actor.org.id, { startIndex: afterPolicy(q.offset) + 1, count: q.limit, excludeBuiltin: true });
  const items: GroupView[] = [];
  for (const group of page.items) items.push({ group, members: await deps.store.groups.countMembers(actor.org.id, group.id) });
  return { total: page.total, items };
}

/** A group of the organization, built-in ones too (an account's role group, say); another organization's is not found. */
export async function groupView(deps: GroupViewDeps, actor: Actor, id: string): Promise<GroupView> {
  const group = await deps.store.groups.get(actor.org.id, id);
  if (!group) throw Errors.groupNotFound(id);
  await authorize(deps, actor, { action: "group.read", target: groupTarget(group.id) });
  return { group, members: await deps.store.groups.countMembers(actor.org.id, group.id) };
}

export interface GroupMemberView {
  membership: Membership;
  /** null: the member is no user of the organization any more (a membership ended meanwhile). */
  user: UserRecord | null;
}

/** One page of a group's members, in the order they were added (membership ids), with the users. */
export async function groupMembersView(deps: GroupViewDeps, actor: Actor, id: string, q: { offset: AfterPolicy<number>; limit: number }): Promise<{ total: number; items: GroupMemberView[] }> {
  const group = await deps.store.groups.get(actor.org.id, id);
  if (!group) throw Errors.groupNotFound(id);
  await authorize(deps, actor, { action: "group.read", target: groupTarget(group.id) });
  const page = await deps.store.groups.listMemberships(actor.org.id, { groupId: group.id, startIndex: afterPolicy(q.offset) + 1, count: q.limit });
  const items: GroupMemberView[] = [];
  for (const membership of page.items) items.push({ membership, user: await deps.store.users.get(actor.org.id, membership.userId, { includeIndependent: true }) });
  return { total: page.total, items };
}
