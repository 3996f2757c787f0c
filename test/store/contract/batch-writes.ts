/**
 * The store contract: lookups and writes of many at once (what an import uses). The lookups
 * (`findManyByUserName`, `findManyByPrimaryEmail`, `findManagedElsewhere`, optional) answer for
 * each string what the lookup of one answers. `users.insertMany` (optional:
 * a store that has it keeps these rules) inserts a list of one organization's users in its order,
 * each found, counted and searchable as if inserted alone, and all or none; `groups.addMembers`
 * with many ids adds each user of the organization once, in the given order, ignores ids that are
 * not its users, and leaves existing memberships as they were.
 */
import { UniqueViolation, type Store } from "../../../src/domain/ports/store";
import type { UserRecord } from "../../../src/domain/types";
import { aGroup, anOrg, aUser } from "../../helpers/fixtures";
import type { ContractIt } from "./types";

const T1 = "2026-03-01T10:00:00.000Z";
const T2 = "2026-03-02T10:00:00.000Z";

const many = (orgId: string, n: number, prefix: string): UserRecord[] => Array.from({ length: n }, (_, i) => {
  const userName = `${prefix}${String(i).padStart(3, "0")}@batch.test`;
  const emails = [{ value: userName, type: "work", primary: true }, { value: `${prefix}${i}@home.test`, type: "home" }];
  return aUser(orgId, { userName, emails, externalId: `ext-${prefix}-${i}`, displayName: `Ü ${prefix} ${i}`, data: { userName, emails, title: "\u0000nul é 😀" } });
});

export function batchWrites(it_: ContractIt, store: () => Store): void {
  it_("the lookups of many at once answer for each string exactly what the lookup of one answers", async () => {
    const org = anOrg(); const other = anOrg();
    await store().orgs.insert(org); await store().orgs.insert(other);
    const u = (orgId: string, userName: string, over: Partial<UserRecord> = {}) => aUser(orgId, { userName, ...over });
    const mine = [
      u(org.id, "ann@acme.test"), u(org.id, "Bob@Acme.test"), u(org.id, "pend@acme.test", { status: "pending" }),
      u(org.id, "ind@partner.test", { status: "independent", orgRole: null }), u(org.id, "zoë@acme.test"),
      u(org.id, "first@acme.test", { emails: [{ value: "shared@acme.test", primary: true }] }),
      u(org.id, "second@acme.test", { emails: [{ value: "SHARED@acme.test", primary: true }] }),
    ];
    const theirs = [
      u(other.id, "ann@acme.test"), u(other.id, "managed@there.test"), u(other.id, "pending@there.test", { status: "pending" }),
      u(other.id, "ind@there.test", { status: "independent", orgRole: null }),
    ];
    for (const x of [...mine, ...theirs]) await store().users.insert(x);
    const asked = [
      "ann@acme.test", "ANN@ACME.TEST", "bob@acme.test", "pend@acme.test", "ind@partner.test", "IND@partner.test", "ZOË@acme.test", "zoë@acme.test",
      "shared@acme.test", "Shared@Acme.Test", "managed@there.test", "MANAGED@there.test", "pending@there.test", "ind@there.test",
      "nobody@acme.test", "", "ann@acme.test", "a\u0000b@acme.test",
    ];
    const users = store().users;
    if (!users.findManyByUserName || !users.findManyByPrimaryEmail || !users.findManagedElsewhere) throw new Error(`the ${store().kind} store lacks the lookups of many`);
    const byName = await users.findManyByUserName(org.id, asked);
    const byEmail = await users.findManyByPrimaryEmail(org.id, asked);
    const elsewhere = await users.findManagedElsewhere(org.id, asked);
    for (const a of asked) {
      expect([a, byName.get(a) ?? null]).toEqual([a, await users.findByUserName(org.id, a)]);
      expect([a, byEmail.get(a) ?? null]).toEqual([a, await users.findByPrimaryEmail(org.id, a)]);
      expect([a, elsewhere.has(a)]).toEqual([a, await users.isManagedElsewhere(org.id, a)]);
    }
    // Not vacuous: some found, some not, of each kind.
    expect([byName.size > 0, byName.size < new Set(asked).size, byEmail.size > 0, elsewhere.size > 0, elsewhere.size < new Set(asked).size]).toEqual([true, true, true, true, true]);
    expect(elsewhere.has("managed@there.test") && !elsewhere.has("pending@there.test") && !elsewhere.has("ind@there.test")).toBe(true);
    expect(await users.findManyByUserName(org.id, [])).toEqual(new Map());
  });


  const insertMany = (orgId: string, users: UserRecord[]) => {
    const s = store();
    if (!s.users.insertMany) throw new Error(`the ${s.kind} store has no users.insertMany`);
    return s.users.insertMany(orgId, users);
  };

  it_("insertMany: each user as insert would store it, listed in the given order, found by userName, email and externalId, counted", async () => {
    const org = anOrg();
    await store().orgs.insert(org);
    await store().users.insert(aUser(org.id, { userName: "first@batch.test" }));
    const users = many(org.id, 120, "m");
    await insertMany(org.id, users);
    await store().users.insert(aUser(org.id, { userName: "last@batch.test" }));
    const listed = await store().users.list(org.id, { startIndex: 1, count: 200 });
    expect(listed.total).toBe(122);
    expect(listed.items.map((u) => u.userName)).toEqual(["first@batch.test", ...users.map((u) => u.userName), "last@batch.test"]);
    for (const u of [users[0]!, users[77]!]) {
      expect(await store().users.get(org.id, u.id)).toEqual(u);
      expect(await store().users.findByUserName(org.id, u.userName.toUpperCase())).toEqual(u);
      expect(await store().users.findByExternalId(org.id, u.externalId!)).toEqual(u);
      expect(await store().users.findByPrimaryEmail(org.id, u.userName.toUpperCase())).toEqual(u);
      expect((await store().users.listByStatus(org.id, { search: u.emails[1]!.value.toUpperCase(), offset: 0, limit: 5 })).items).toEqual([u]);
    }
    expect(await store().users.isManagedElsewhere(anOrg().id, users[5]!.userName)).toBe(true);
  });

  it_("insertMany: all or none: a userName taken (without case) or repeated in the list throws UniqueViolation and inserts none", async () => {
    const org = anOrg();
    await store().orgs.insert(org);
    await store().users.insert(aUser(org.id, { userName: "taken@batch.test" }));
    const users = many(org.id, 30, "a");
    const clash = aUser(org.id, { userName: "TAKEN@batch.test" });
    await expect(insertMany(org.id, [...users.slice(0, 20), clash, ...users.slice(20)])).rejects.toBeInstanceOf(UniqueViolation);
    const twice = aUser(org.id, { userName: users[3]!.userName.toUpperCase() });
    await expect(store().transaction(async (tx) => tx.users.insertMany!(org.id, [...users, twice]))).rejects.toBeInstanceOf(UniqueViolation);
    expect((await store().users.list(org.id, { startIndex: 1, count: 100 })).total).toBe(1);
    expect(await store().users.findByUserName(org.id, users[0]!.userName)).toBeNull();
    await insertMany(org.id, users);
    expect((await store().users.list(org.id, { startIndex: 1, count: 100 })).total).toBe(31);
  });

  it_("insertMany: an empty list changes nothing; a user of another organization is refused and nothing is inserted", async () => {
    const org = anOrg(); const other = anOrg();
    await store().orgs.insert(org); await store().orgs.insert(other);
    await insertMany(org.id, []);
    await expect(insertMany(org.id, [aUser(org.id), aUser(other.id)])).rejects.toThrow(/not/);
    expect((await store().users.list(org.id, { startIndex: 1, count: 10 })).total).toBe(0);
    expect((await store().users.list(other.id, { startIndex: 1, count: 10 })).total).toBe(0);
  });

  it_("addMembers with many ids: each user of the organization once, in order; others' users, unknown ids and repeats ignored; existing memberships kept", async () => {
    const org = anOrg(); const other = anOrg();
    await store().orgs.insert(org); await store().orgs.insert(other);
    const g = aGroup(org.id, { displayName: "Everyone" });
    await store().groups.insert(g);
    const users = many(org.id, 150, "g");
    for (const u of users) await store().users.insert(u);
    const stranger = aUser(other.id);
    await store().users.insert(stranger);
    expect(await store().groups.addMembers(org.id, g.id, [users[10]!.id], T1)).toBe(1);
    const kept = await store().groups.findMembership(org.id, g.id, users[10]!.id);
    const ids = [...users.map((u) => u.id), stranger.id, "US0000000000000000000000000000dead", users[0]!.id];
    expect(await store().groups.addMembers(org.id, g.id, ids, T2)).toBe(149);
    expect(await store().groups.countMembers(org.id, g.id)).toBe(150);
    expect(await store().groups.findMembership(org.id, g.id, users[10]!.id)).toEqual(kept);
    expect(await store().groups.findMembership(org.id, g.id, users[11]!.id)).toMatchObject({ created: T2, userDisplay: users[11]!.displayName });
    expect(await store().groups.findMembership(other.id, g.id, stranger.id)).toBeNull();
    const members = await store().groups.listMembers(org.id, g.id, 200);
    expect(new Set(members.map((m) => m.id))).toEqual(new Set(users.map((u) => u.id)));
    const mids = await Promise.all(users.map(async (u) => (await store().groups.findMembership(org.id, g.id, u.id))!.id));
    expect(new Set(mids).size).toBe(150);
    // Another group of another organization named by id: nothing.
    expect(await store().groups.addMembers(other.id, g.id, users.map((u) => u.id), T2)).toBe(0);
  });
}
