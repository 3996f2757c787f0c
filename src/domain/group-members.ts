/**
 * Memberships as resources (the GroupMember resource, draft-zollner-scim-group-members-01). A
 * membership is made and ended exactly as PATCH /Groups adds or removes one member (modifyGroup in
 * ./groups.ts): the same policy checks (a group that grants a role grants it here too), the same
 * rules of the built-in org-role groups, the same version bump of the group and the same audit
 * event, in one transaction. Reading one asks to read its group; listing asks to list groups
 * (the draft's §8.3: whoever may change or read a group's members may do the same here).
 * Memberships of the built-in org-role groups exist only while the organization exposes them.
 */
import type { Actor } from "./actor";
import { Errors } from "./errors";
import { modifyGroup, type GroupDeps } from "./groups";
import { withSealedCursor } from "./page-tokens";
import { authorize, groupTarget, orgTarget } from "./policy";
import type { ListResult, Membership, MembershipQuery, Repos } from "./ports/store";

const visible = async (repos: Repos, actor: Actor, groupId: string): Promise<boolean> => {
  const g = await repos.groups.get(actor.org.id, groupId);
  return g !== null && (!g.builtin || actor.org.settings.exposeRoleGroups);
};

/**
 * Adds `userId` to `groupId`: the new membership. 400 invalidValue when either id names nothing
 * of the organization (another organization's ids included), 409 uniqueness when the membership
 * exists (nothing changed, the group's version included).
 */
export async function createMembership(deps: GroupDeps, actor: Actor, groupId: string, userId: string): Promise<Membership> {
  const orgId = actor.org.id;
  let made: Membership | null = null;
  await modifyGroup(deps, actor, groupId, undefined, null, [{ kind: "add", ids: [userId] }], {
    notFound: () => Errors.membershipGroupNotFound(groupId),
    after: async (tx, counts) => {
      made = await tx.groups.findMembership(orgId, groupId, userId);
      if (counts.added === 0) throw made ? Errors.membershipExists(groupId, userId, made.id) : Errors.memberNotFound([userId]);
      if (!made) throw Errors.memberNotFound([userId]);
    },
  });
  return made!;
}

/** The membership `id`, or 404 (another organization's, or one of a built-in group not exposed). */
export async function getMembership(deps: GroupDeps, actor: Actor, id: string): Promise<Membership> {
  const m = await deps.store.groups.getMembership(actor.org.id, id);
  if (!m || !(await visible(deps.store, actor, m.groupId))) throw Errors.membershipNotFound(id);
  await authorize(deps, actor, { action: "group.read", target: groupTarget(m.groupId) });
  return m;
}

/** Ends the membership `id`: its user leaves its group, as a PATCH remove of that member would. */
export async function deleteMembership(deps: GroupDeps, actor: Actor, id: string): Promise<void> {
  const orgId = actor.org.id;
  const m = await deps.store.groups.getMembership(orgId, id);
  if (!m) throw Errors.membershipNotFound(id);
  await modifyGroup(deps, actor, m.groupId, undefined, null, [{ kind: "remove", ids: [m.userId] }], {
    notFound: () => Errors.membershipNotFound(id),
    // The id must still name this membership when the transaction runs: ended meanwhile (and
    // perhaps made again, under a new id) is not found, and nothing is removed.
    before: async (tx) => { if (!(await tx.groups.getMembership(orgId, id))) throw Errors.membershipNotFound(id); },
    after: async (_tx, counts) => { if (counts.removed === 0) throw Errors.membershipNotFound(id); },
  });
}

/** Memberships of the organization, narrowed to a group, a user or both; paged by index or cursor. */
export async function listMemberships(deps: GroupDeps, actor: Actor, query: MembershipQuery): Promise<ListResult<Membership>> {
  await authorize(deps, actor, { action: "group.list", target: orgTarget(actor.org.id) });
  const q: MembershipQuery = actor.org.settings.exposeRoleGroups ? query : { ...query, excludeBuiltin: true };
  return withSealedCursor(deps.store, actor.org.id, "scim:memberships", q, (sealed) => deps.store.groups.listMemberships(actor.org.id, { ...q, ...sealed }));
}
