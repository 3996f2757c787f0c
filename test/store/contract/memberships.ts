/**
 * The store contract: memberships as resources (the GroupMember resource). Each membership has an
 * id of its own, never given again (not even to the same user rejoining the same group), and the
 * time it was made; it is found by id, or by group and user, only in its organization; lists of the
 * organization's, a group's or a user's memberships page by index and by cursor, each membership
 * once, in id order.
 */
import { Errors } from "../../../src/domain/errors";
import type { Membership, MembershipQuery, Store } from "../../../src/domain/ports/store";
import { aGroup, anOrg, aUser } from "../../helpers/fixtures";
import type { ContractIt } from "./types";

const T1 = "2026-03-01T10:00:00.000Z";
const T2 = "2026-03-02T10:00:00.000Z";

async function everyByCursor(store: Store, orgId: string, q: Omit<MembershipQuery, "startIndex" | "count" | "cursor">, count: number): Promise<Membership[]> {
  const seen: Membership[] = [];
  let cursor: string | undefined = "";
  let pages = 0;
  while (cursor !== undefined) {
    const page: Awaited<ReturnType<Store["groups"]["listMemberships"]>> = await store.groups.listMemberships(orgId, { ...q, startIndex: 1, count, cursor });
    expect(page.items.length).toBeLessThanOrEqual(count);
    seen.push(...page.items);
    // The domain seals a store's cursor (src/domain/page-tokens.ts): it must stay under 48 bytes.
    if (page.nextCursor !== undefined) expect(Buffer.byteLength(page.nextCursor)).toBeLessThan(48);
    cursor = page.nextCursor;
    if (++pages > 1000) throw new Error("the cursor never ends");
  }
  return seen;
}

const byId = (a: Membership, b: Membership) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function memberships(it_: ContractIt, store: () => Store): void {
  it_("gives each membership an id and a created time of its own, kept while it lasts and never given again", async () => {
    const org = anOrg(); const other = anOrg();
    await store().orgs.insert(org); await store().orgs.insert(other);
    const g = aGroup(org.id, { displayName: "Team" }); await store().groups.insert(g);
    const ann = aUser(org.id, { displayName: "Ann" }); const bob = aUser(org.id, { displayName: null, userName: "bob@acme.test" });
    await store().users.insert(ann); await store().users.insert(bob);

    expect(await store().groups.addMembers(org.id, g.id, [ann.id, bob.id], T1)).toBe(2);
    const first = await store().groups.findMembership(org.id, g.id, ann.id);
    expect(first).toEqual({ id: expect.stringMatching(/^GM[0-9a-f]{32}$/), groupId: g.id, groupDisplay: "Team", userId: ann.id, userDisplay: "Ann", created: T1 });
    const bobs = await store().groups.findMembership(org.id, g.id, bob.id);
    expect(bobs).toMatchObject({ userId: bob.id, userDisplay: "bob@acme.test", created: T1 });
    expect(bobs!.id).not.toBe(first!.id);
    expect(await store().groups.getMembership(org.id, first!.id)).toEqual(first);

    // Adding again changes nothing: same id, same created time.
    expect(await store().groups.addMembers(org.id, g.id, [ann.id], T2)).toBe(0);
    expect(await store().groups.getMembership(org.id, first!.id)).toEqual(first);

    // Another organization sees nothing, by id or by pair.
    expect(await store().groups.getMembership(other.id, first!.id)).toBeNull();
    expect(await store().groups.findMembership(other.id, g.id, ann.id)).toBeNull();
    expect((await store().groups.listMemberships(other.id, { startIndex: 1, count: 10 })).total).toBe(0);

    // Leaving ends the membership; rejoining makes a new one with a new id.
    expect(await store().groups.removeMembers(org.id, g.id, [ann.id])).toBe(1);
    expect(await store().groups.getMembership(org.id, first!.id)).toBeNull();
    expect(await store().groups.addMembers(org.id, g.id, [ann.id], T2)).toBe(1);
    const again = await store().groups.findMembership(org.id, g.id, ann.id);
    expect(again).toMatchObject({ userId: ann.id, created: T2 });
    expect(again!.id).not.toBe(first!.id);
    expect(await store().groups.getMembership(org.id, first!.id)).toBeNull();

    // The user's name follows the user; a deleted user or group takes its memberships along.
    await store().users.update({ ...ann, displayName: "Ann Lee", data: { ...ann.data, displayName: "Ann Lee" }, version: 2 }, 1);
    expect((await store().groups.getMembership(org.id, again!.id))?.userDisplay).toBe("Ann Lee");
    expect(await store().users.delete(org.id, ann.id)).toBe(true);
    expect(await store().groups.getMembership(org.id, again!.id)).toBeNull();
    expect(await store().groups.delete(org.id, g.id)).toBe(true);
    expect(await store().groups.getMembership(org.id, bobs!.id)).toBeNull();
    expect((await store().groups.listMemberships(org.id, { startIndex: 1, count: 10 })).total).toBe(0);
  });

  it_("lists the organization's, a group's and a user's memberships in id order, by index and by cursor, each once", async () => {
    const org = anOrg(); const other = anOrg();
    await store().orgs.insert(org); await store().orgs.insert(other);
    const groups = [aGroup(org.id), aGroup(org.id), aGroup(org.id, { builtin: true, displayName: "Administrator", binding: { kind: "orgRole", role: "administrator" } })];
    for (const g of groups) await store().groups.insert(g);
    const users = Array.from({ length: 23 }, () => aUser(org.id));
    for (const u of users) await store().users.insert(u);
    const foreign = aGroup(other.id); await store().groups.insert(foreign);
    const stranger = aUser(other.id); await store().users.insert(stranger);
    await store().groups.addMembers(other.id, foreign.id, [stranger.id], T1);

    await store().groups.addMembers(org.id, groups[0]!.id, users.map((u) => u.id), T1);
    await store().groups.addMembers(org.id, groups[1]!.id, users.filter((_u, i) => i % 3 === 0).map((u) => u.id), T1);
    await store().groups.addMembers(org.id, groups[2]!.id, [users[3]!.id, users[4]!.id], T1);
    const all = await everyByCursor(store(), org.id, {}, 7);
    expect(all).toHaveLength(23 + 8 + 2);
    expect([...all].sort(byId)).toEqual(all);
    expect(new Set(all.map((m) => m.id)).size).toBe(all.length);

    const ofGroup = await everyByCursor(store(), org.id, { groupId: groups[1]!.id }, 3);
    expect(ofGroup.map((m) => m.userId).sort()).toEqual(users.filter((_u, i) => i % 3 === 0).map((u) => u.id).sort());
    expect(ofGroup).toEqual(all.filter((m) => m.groupId === groups[1]!.id));
    const ofUser = await everyByCursor(store(), org.id, { userId: users[3]!.id }, 1);
    expect(ofUser.map((m) => m.groupId).sort()).toEqual(groups.map((g) => g.id).sort());
    const pair = await store().groups.listMemberships(org.id, { groupId: groups[2]!.id, userId: users[4]!.id, startIndex: 1, count: 10 });
    expect(pair.total).toBe(1);
    expect(pair.items).toEqual(all.filter((m) => m.groupId === groups[2]!.id && m.userId === users[4]!.id));

    // By index: the same order, the same total on every page.
    const second = await store().groups.listMemberships(org.id, { groupId: groups[0]!.id, startIndex: 11, count: 10 });
    expect(second.total).toBe(23);
    expect(second.items).toEqual(all.filter((m) => m.groupId === groups[0]!.id).slice(10, 20));
    expect((await store().groups.listMemberships(org.id, { startIndex: 30, count: 10 })).items).toEqual(all.slice(29));

    // Without the built-in groups.
    const visible = await store().groups.listMemberships(org.id, { excludeBuiltin: true, startIndex: 1, count: 100 });
    expect(visible.total).toBe(31);
    expect(visible.items).toEqual(all.filter((m) => m.groupId !== groups[2]!.id));
    expect((await store().groups.listMemberships(org.id, { excludeBuiltin: true, groupId: groups[2]!.id, startIndex: 1, count: 10 })).total).toBe(0);
    expect((await everyByCursor(store(), org.id, { excludeBuiltin: true, userId: users[3]!.id }, 1)).map((m) => m.groupId).sort())
      .toEqual([groups[0]!.id, groups[1]!.id].sort());

    // Another organization's group or user, or an unknown id, lists nothing.
    for (const q of [{ groupId: foreign.id }, { userId: stranger.id }, { groupId: "GPnone" }, { userId: groups[0]!.id }]) {
      expect(await store().groups.listMemberships(org.id, { ...q, startIndex: 1, count: 10 })).toEqual({ total: 0, items: [] });
    }
    // A cursor that is not the store's is refused.
    await expect(store().groups.listMemberships(org.id, { startIndex: 1, count: 5, cursor: "bm9wZQ" })).rejects.toMatchObject({ kind: Errors.invalidCursor().kind });
  }, 60_000);
}
