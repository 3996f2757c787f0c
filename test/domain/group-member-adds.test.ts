/**
 * Adding members to a group that grants no org role (an IdP's PATCH add, a group created with
 * members): the store's insert takes only the organization's users who are not independent
 * members, and the ids are looked up only when it added fewer than the request named (members
 * already, or ids the request may not add), to refuse the whole request. So an add of new members
 * reads no user before its insert (src/domain/groups.ts addMembersChecked), and a refused id still
 * leaves nothing of its request: no membership, no version, no audit event.
 */
import { operatorActor } from "../../src/domain/actor";
import { systemClock } from "../../src/domain/clock";
import { createGroup, modifyGroup } from "../../src/domain/groups";
import type { Repos, Store } from "../../src/domain/ports/store";
import { openStore } from "../../src/store/open";
import { aGroup, anOrg, aUser } from "../helpers/fixtures";

let store: Store;
beforeAll(async () => { store = await openStore("sqlite::memory:"); });
afterAll(() => store.close());

/** The store, with each lookup of users (by id, or which ids exist) noted. */
function counting(): { deps: { store: Store; clock: typeof systemClock }; lookups: string[] } {
  const lookups: string[] = [];
  const noting = <R extends Repos>(repos: R): R => ({
    ...repos,
    users: { ...repos.users, get: (...a: Parameters<Repos["users"]["get"]>) => { lookups.push("users.get"); return repos.users.get(...a); } },
    groups: { ...repos.groups, existingUserIds: (...a: Parameters<Repos["groups"]["existingUserIds"]>) => { lookups.push("existingUserIds"); return repos.groups.existingUserIds(...a); } },
  });
  const counted: Store = { ...noting(store), transaction: (fn, options) => store.transaction((tx) => fn(noting(tx)), options) };
  return { deps: { store: counted, clock: systemClock }, lookups };
}

async function world() {
  const org = anOrg();
  await store.orgs.insert(org);
  const [other] = [anOrg()];
  await store.orgs.insert(other);
  const users = [aUser(org.id), aUser(org.id), aUser(org.id)];
  const independent = aUser(org.id, { status: "independent", orgRole: null });
  const foreign = aUser(other.id);
  for (const u of [...users, independent, foreign]) await store.users.insert(u);
  const group = aGroup(org.id);
  await store.groups.insert(group);
  await store.groups.addMembers(org.id, group.id, [users[0]!.id]);
  return { org, users, independent, foreign, group, actor: operatorActor(org, "group-member-adds test") };
}

const memberIds = async (orgId: string, groupId: string) => (await store.groups.listMembers(orgId, groupId, 100)).map((m) => m.id).sort();
const events = async (orgId: string, groupId: string) => (await store.audit.list(orgId, { limit: 100 })).filter((e) => e.targetId === groupId).length;

describe("adding members to a group that grants no org role", () => {
  it("looks up no user when every id is added: the insert itself takes the organization's users only", async () => {
    const { org, users, group, actor } = await world();
    const { deps, lookups } = counting();
    const g = await modifyGroup(deps, actor, group.id, undefined, null, [{ kind: "add", ids: [users[1]!.id] }]);
    await modifyGroup(deps, actor, group.id, undefined, null, [{ kind: "add", ids: [users[2]!.id, users[2]!.id] }]);
    expect(lookups).toEqual([]);
    expect(g.version).toBe(group.version + 1);
    expect(await memberIds(org.id, group.id)).toEqual(users.map((u) => u.id).sort());
  });

  it("looks the ids up once when some were members already, and adds the others", async () => {
    const { org, users, group, actor } = await world();
    const { deps, lookups } = counting();
    await modifyGroup(deps, actor, group.id, undefined, null, [{ kind: "add", ids: [users[0]!.id, users[1]!.id] }]);
    expect(lookups).toEqual(["existingUserIds"]);
    expect(await memberIds(org.id, group.id)).toEqual([users[0]!.id, users[1]!.id].sort());
    // Nothing new at all: no version, no audit event.
    const before = await store.groups.get(org.id, group.id);
    const events0 = await events(org.id, group.id);
    await modifyGroup(deps, actor, group.id, undefined, null, [{ kind: "add", ids: [users[0]!.id] }]);
    expect((await store.groups.get(org.id, group.id))?.version).toBe(before?.version);
    expect(await events(org.id, group.id)).toBe(events0);
  });

  it.each([
    ["an id that names no user", () => "US00000000000000000000000000000000"],
    ["another organization's user", (w: Awaited<ReturnType<typeof world>>) => w.foreign.id],
    ["an independent member", (w: Awaited<ReturnType<typeof world>>) => w.independent.id],
  ] as const)("refuses %s (400), and nothing of the request stays: not the new member beside it, nor a removal before it", async (_, bad) => {
    const w = await world();
    const { org, users, group, actor } = w;
    const { deps } = counting();
    const id = bad(w);
    const events0 = await events(org.id, group.id);
    await expect(modifyGroup(deps, actor, group.id, undefined, null, [
      { kind: "remove", ids: [users[0]!.id] },
      { kind: "add", ids: [users[1]!.id, id] },
    ])).rejects.toMatchObject({ code: 5003, message: expect.stringContaining(id) });
    await expect(modifyGroup(deps, actor, group.id, undefined, null, [{ kind: "add", ids: [id] }])).rejects.toMatchObject({ code: 5003 });
    expect(await memberIds(org.id, group.id)).toEqual([users[0]!.id]);
    expect((await store.groups.get(org.id, group.id))?.version).toBe(group.version);
    expect(await events(org.id, group.id)).toBe(events0);
    // A group created with such a member is not created either.
    await expect(createGroup(deps, actor, { data: { displayName: `With ${id}` }, members: [users[1]!.id, id] })).rejects.toMatchObject({ code: 5003 });
    expect(await store.groups.findByDisplayName(org.id, `With ${id}`)).toBeNull();
  });
});
