/**
 * A change of a group reads the group once, in the transaction that asks the policy and applies
 * the change (src/domain/groups.ts): PATCH of its members, a membership made or ended as a resource
 * (src/domain/group-members.ts) and the group's deletion. A read outside the transaction would be
 * one more statement for nothing: what it saw may be stale by the time the transaction runs, so
 * the transaction reads the group again anyway. What each answers is unchanged (the HTTP suites
 * test/http/group-members and groups, the authz suite); this counts the reads.
 */
import { operatorActor } from "../../src/domain/actor";
import { systemClock } from "../../src/domain/clock";
import { createMembership, deleteMembership } from "../../src/domain/group-members";
import { deleteGroup, modifyGroup } from "../../src/domain/groups";
import type { Repos, Store } from "../../src/domain/ports/store";
import { builtinOrgRoleGroups, orgRoleGroupId } from "../../src/domain/role-groups";
import { openStore } from "../../src/store/open";
import { aGroup, anOrg, aUser } from "../helpers/fixtures";

let store: Store;
beforeAll(async () => { store = await openStore("sqlite::memory:"); });
afterAll(() => store.close());

/** The store, with each read of a group by id noted as made outside a transaction or in one. */
function counting(): { deps: { store: Store; clock: typeof systemClock }; reads: string[] } {
  const reads: string[] = [];
  const noting = <R extends Repos>(repos: R, where: string): R => ({
    ...repos,
    groups: { ...repos.groups, get: (orgId: string, id: string) => { reads.push(where); return repos.groups.get(orgId, id); } },
  });
  const counted: Store = { ...noting(store, "outside"), transaction: (fn) => store.transaction((tx) => fn(noting(tx, "in the transaction"))) };
  return { deps: { store: counted, clock: systemClock }, reads };
}

async function world(exposeRoleGroups = true) {
  const org = anOrg({ settings: { ...anOrg().settings, exposeRoleGroups } });
  await store.orgs.insert(org);
  const user = aUser(org.id);
  await store.users.insert(user);
  for (const g of builtinOrgRoleGroups(org.id, org.created)) await store.groups.insert(g);
  await store.groups.addMembers(org.id, orgRoleGroupId(org.id, "standard"), [user.id]);
  const group = aGroup(org.id);
  await store.groups.insert(group);
  return { org, user, group, actor: operatorActor(org, "group-reads test") };
}

describe("a change of a group reads the group once, in its transaction", () => {
  it("PATCH of a member", async () => {
    const { user, group, actor } = await world();
    const { deps, reads } = counting();
    await modifyGroup(deps, actor, group.id, undefined, null, [{ kind: "add", ids: [user.id] }]);
    expect(reads).toEqual(["in the transaction"]);
    expect((await store.groups.listMembers(actor.org.id, group.id, 10)).map((m) => m.id)).toEqual([user.id]);
  });

  it("a membership made, then ended", async () => {
    const { user, group, actor } = await world();
    const made = counting();
    const m = await createMembership(made.deps, actor, group.id, user.id);
    expect(made.reads).toEqual(["in the transaction"]);
    expect(m).toMatchObject({ groupId: group.id, userId: user.id });
    const ended = counting();
    await deleteMembership(ended.deps, actor, m.id);
    expect(ended.reads).toEqual(["in the transaction"]);
    expect(await store.groups.getMembership(actor.org.id, m.id)).toBeNull();
  });

  it("a group deleted", async () => {
    const { group, actor } = await world();
    const { deps, reads } = counting();
    await deleteGroup(deps, actor, group.id);
    expect(reads).toEqual(["in the transaction"]);
    expect(await store.groups.get(actor.org.id, group.id)).toBeNull();
  });

  it("and answers a group the organization does not show as before: 400 to a membership made in it, 404 to one ended", async () => {
    const { org, user, actor } = await world(false);
    const std = orgRoleGroupId(org.id, "standard");
    const { deps } = counting();
    await expect(createMembership(deps, actor, orgRoleGroupId(org.id, "administrator"), user.id)).rejects.toMatchObject({ code: 5009 });
    const existing = await store.groups.findMembership(org.id, std, user.id);
    expect(existing).not.toBeNull(); // the row exists: only its exposure is refused
    await expect(deleteMembership(deps, actor, existing!.id)).rejects.toMatchObject({ code: 5007 });
    await expect(createMembership(deps, actor, aGroup(org.id).id, user.id)).rejects.toMatchObject({ code: 5009 });
  });
});
