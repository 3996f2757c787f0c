/** The store contract, first part: records, uniqueness, lists, members, transactions, tokens, audit. */
import { UniqueViolation, type Store } from "../../../src/domain/ports/store";
import type { Filter } from "../../../src/domain/filter";
import { aGroup, anOrg, aUser } from "../../helpers/fixtures";
import type { ContractIt } from "./types";

const userNameRef = { attr: "userName", type: "string", caseExact: false, multiValued: false } as const;

export function basics(it_: ContractIt, store: () => Store): void {
  it_("keeps an organization and answers null for an unknown one", async () => {
    const org = anOrg();
    await store().orgs.insert(org);
    expect(await store().orgs.get(org.id)).toEqual(org);
    expect(await store().orgs.get("ORnope")).toBeNull();
  });

  it_("finds a user by userName without case, and only in its own organization", async () => {
    const a = anOrg(); const b = anOrg();
    await store().orgs.insert(a); await store().orgs.insert(b);
    const u = aUser(a.id, { userName: "Alice@Acme.test" });
    await store().users.insert(u);
    expect((await store().users.findByUserName(a.id, "alice@ACME.test"))?.id).toBe(u.id);
    expect(await store().users.findByUserName(b.id, "alice@acme.test")).toBeNull();
    expect(await store().users.get(b.id, u.id)).toBeNull();
  });

  it_("throws UniqueViolation(userName) when userName differs only in case", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    await store().users.insert(aUser(org.id, { userName: "bob@acme.test" }));
    await expect(store().users.insert(aUser(org.id, { userName: "BOB@ACME.TEST" }))).rejects.toEqual(new UniqueViolation("userName"));
  });

  it_("throws UniqueViolation(userName) when userName differs only in non-ASCII case, and finds it without case", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const u = aUser(org.id, { userName: "zoë@acme.test" });
    await store().users.insert(u);
    await expect(store().users.insert(aUser(org.id, { userName: "ZOË@ACME.TEST" }))).rejects.toEqual(new UniqueViolation("userName"));
    expect((await store().users.findByUserName(org.id, "ZOË@acme.test"))?.id).toBe(u.id);
  });

  it_("allows the same userName in two organizations", async () => {
    const a = anOrg(); const b = anOrg();
    await store().orgs.insert(a); await store().orgs.insert(b);
    await store().users.insert(aUser(a.id, { userName: "same@x.test" }));
    await expect(store().users.insert(aUser(b.id, { userName: "same@x.test" }))).resolves.toBeUndefined();
  });

  it_("updates only when the expected version matches (compare-and-set)", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const u = aUser(org.id);
    await store().users.insert(u);
    expect(await store().users.update({ ...u, displayName: "One", version: 2 }, 1)).toBe(true);
    expect(await store().users.update({ ...u, displayName: "Stale", version: 2 }, 1)).toBe(false);
    expect((await store().users.get(org.id, u.id))?.displayName).toBe("One");
  });

  it_("finds by externalId, preferring an active user", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const u = aUser(org.id, { externalId: "ext-1", active: false });
    await store().users.insert(u);
    expect((await store().users.findByExternalId(org.id, "ext-1"))?.id).toBe(u.id);
    expect(await store().users.findByExternalId(org.id, "EXT-1")).toBeNull();
  });

  it_("lists with a filter, a total and index paging, in a stable order", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const u = aUser(org.id, { userName: `p${i}@acme.test` });
      ids.push(u.id);
      await store().users.insert(u);
    }
    const page = await store().users.list(org.id, { startIndex: 2, count: 2 });
    expect(page.total).toBe(5);
    expect(page.items.map((u) => u.id)).toEqual(ids.slice(1, 3));
    const filter: Filter = { kind: "cmp", attr: userNameRef, op: "eq", value: "P3@ACME.TEST" };
    const hit = await store().users.list(org.id, { filter, startIndex: 1, count: 10 });
    expect(hit.total).toBe(1);
    expect(hit.items[0]?.id).toBe(ids[3]);
  });

  it_("pages by cursor through every user exactly once", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const ids = new Set<string>();
    for (let i = 0; i < 7; i++) {
      const u = aUser(org.id);
      ids.add(u.id);
      await store().users.insert(u);
    }
    const seen: string[] = [];
    let cursor: string | undefined = "";
    while (cursor !== undefined) {
      const page: Awaited<ReturnType<Store["users"]["list"]>> = await store().users.list(org.id, { startIndex: 1, count: 3, cursor });
      seen.push(...page.items.map((u) => u.id));
      cursor = page.nextCursor;
    }
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it_("says whether an email is managed by another organization", async () => {
    const a = anOrg(); const b = anOrg();
    await store().orgs.insert(a); await store().orgs.insert(b);
    await store().users.insert(aUser(a.id, { userName: "carol@shared.test" }));
    expect(await store().users.isManagedElsewhere(b.id, "CAROL@shared.test")).toBe(true);
    expect(await store().users.isManagedElsewhere(a.id, "carol@shared.test")).toBe(false);
  });

  it_("lists members whose userName or an email starts with the search, without case, in its own organization only", async () => {
    const a = anOrg(); const b = anOrg();
    await store().orgs.insert(a); await store().orgs.insert(b);
    const ann = aUser(a.id, { userName: "Ann.Lee@acme.test" });
    const bob = aUser(a.id, { userName: "bob@acme.test", status: "pending", emails: [{ value: "bob@acme.test", type: "work", primary: true }, { value: "ANNEX@home.test", type: "home" }] });
    const zoe = aUser(a.id, { userName: "zoë", emails: [{ value: "z@acme.test", type: "work", primary: true }], status: "independent", orgRole: null });
    const dan = aUser(a.id, { userName: "dan@acme.test", emails: [{ value: "dan.ann@acme.test", type: "work", primary: true }] });
    const regex = aUser(a.id, { userName: "a.*+?(x)@acme.test" });
    for (const u of [ann, bob, zoe, dan, regex, aUser(b.id, { userName: "ann@acme.test" })]) await store().users.insert(u);
    const ids = async (search: string, status?: "managed" | "pending" | "independent", offset = 0, limit = 10) =>
      (await store().users.listByStatus(a.id, { search, offset, limit, ...(status ? { status } : {}) })).items.map((u) => u.id);

    expect(await ids("ANN")).toEqual([ann.id, bob.id]);
    expect(await ids("ann", "pending")).toEqual([bob.id]);
    expect(await ids("ZOË")).toEqual([zoe.id]);
    expect(await ids("dan.")).toEqual([dan.id]);
    expect(await ids("a.*+?(")).toEqual([regex.id]);
    expect(await ids("a%")).toEqual([]);
    expect(await ids("lee")).toEqual([]);
    expect(await store().users.listByStatus(a.id, { search: "an", offset: 1, limit: 1 })).toMatchObject({ total: 2, items: [{ id: bob.id }] });
    expect(await store().users.listByStatus(b.id, { search: "bob", offset: 0, limit: 10 })).toEqual({ total: 0, items: [] });
  });

  it_("deletes a user so that it is not found, and only in its own organization", async () => {
    const a = anOrg(); const b = anOrg();
    await store().orgs.insert(a); await store().orgs.insert(b);
    const u = aUser(a.id);
    await store().users.insert(u);
    expect(await store().users.delete(b.id, u.id)).toBe(false);
    expect(await store().users.delete(a.id, u.id)).toBe(true);
    expect(await store().users.get(a.id, u.id)).toBeNull();
  });

  it_("adds members idempotently, removes them, and counts them", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const g = aGroup(org.id); await store().groups.insert(g);
    const users = [aUser(org.id), aUser(org.id), aUser(org.id)];
    for (const u of users) await store().users.insert(u);
    expect(await store().groups.addMembers(org.id, g.id, users.map((u) => u.id))).toBe(3);
    expect(await store().groups.addMembers(org.id, g.id, [users[0]!.id])).toBe(0);
    expect(await store().groups.countMembers(org.id, g.id)).toBe(3);
    expect(await store().groups.removeMembers(org.id, g.id, [users[1]!.id])).toBe(1);
    expect((await store().groups.listMembers(org.id, g.id, 10)).map((m) => m.id).sort()).toEqual([users[0]!.id, users[2]!.id].sort());
    expect((await store().groups.groupsOfUser(org.id, users[0]!.id)).map((m) => m.id)).toEqual([g.id]);
  });

  it_("reads a page of users' groups at once: for each user what groupsOfUser answers, in its order, empty for no group, an unknown id or another organization's user", async () => {
    const [org, other] = [anOrg(), anOrg()];
    await store().orgs.insert(org);
    await store().orgs.insert(other);
    const users = Array.from({ length: 6 }, () => aUser(org.id));
    const foreign = aUser(other.id);
    for (const u of [...users, foreign]) await store().users.insert(u);
    const groups = Array.from({ length: 4 }, (_, i) => aGroup(org.id, i === 1 ? { binding: { kind: "orgRole", role: "administrator" } } : {}));
    for (const g of groups) await store().groups.insert(g);
    const foreignGroup = aGroup(other.id);
    await store().groups.insert(foreignGroup);
    // Added in an order unlike the groups' own, so the answer's order is the store's, not insertion's.
    await store().groups.addMembers(org.id, groups[3]!.id, [users[0]!.id, users[2]!.id]);
    await store().groups.addMembers(org.id, groups[0]!.id, [users[2]!.id, users[0]!.id, users[5]!.id]);
    await store().groups.addMembers(org.id, groups[1]!.id, [users[0]!.id]);
    await store().groups.addMembers(other.id, foreignGroup.id, [foreign.id]);
    const ids = [...users.map((u) => u.id).reverse(), "USunknown", foreign.id];
    const many = await store().groups.groupsOfUsers(org.id, ids);
    expect([...many.keys()]).toEqual(ids);
    for (const id of ids) expect(many.get(id)).toEqual(await store().groups.groupsOfUser(org.id, id));
    expect(many.get(users[0]!.id)?.map((g) => g.id)).toEqual([groups[0]!.id, groups[1]!.id, groups[3]!.id]);
    expect(many.get(users[1]!.id)).toEqual([]);
    expect(many.get(foreign.id)).toEqual([]);
    expect((await store().groups.groupsOfUsers(other.id, [foreign.id])).get(foreign.id)?.map((g) => g.id)).toEqual([foreignGroup.id]);
    expect([...(await store().groups.groupsOfUsers(org.id, [])).keys()]).toEqual([]);
    // An id asked twice answers its groups once (not a list twice as long).
    const twice = await store().groups.groupsOfUsers(org.id, [users[0]!.id, users[2]!.id, users[0]!.id]);
    expect([...twice.keys()]).toEqual([users[0]!.id, users[2]!.id]);
    expect(twice.get(users[0]!.id)).toEqual(await store().groups.groupsOfUser(org.id, users[0]!.id));
  });

  it_("lists members in pages that continue after the last one's order, even when that member left meanwhile", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const g = aGroup(org.id); await store().groups.insert(g);
    const users = Array.from({ length: 7 }, (_, i) => aUser(org.id, { displayName: `Member ${i}` }));
    for (const u of users) await store().users.insert(u);
    await store().groups.addMembers(org.id, g.id, [...users].reverse().map((u) => u.id));
    const first = await store().groups.listMembers(org.id, g.id, 3);
    expect(first.map((m) => m.id)).toEqual(users.slice(0, 3).map((u) => u.id));
    expect(await store().groups.removeMembers(org.id, g.id, [users[2]!.id])).toBe(1);
    const second = await store().groups.listMembers(org.id, g.id, 3, first[2]!.order);
    expect(second.map((m) => m.id)).toEqual(users.slice(3, 6).map((u) => u.id));
    const last = await store().groups.listMembers(org.id, g.id, 3, second[2]!.order);
    expect(last.map((m) => m.id)).toEqual([users[6]!.id]);
    expect(await store().groups.listMembers(org.id, g.id, 3, last[0]!.order)).toEqual([]);
  });

  it_("shows a member's current displayName, else userName, after a rename", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const g = aGroup(org.id); await store().groups.insert(g);
    const u = aUser(org.id, { userName: "ren@acme.test", displayName: "Ren" }); await store().users.insert(u);
    await store().groups.addMembers(org.id, g.id, [u.id]);
    expect((await store().groups.listMembers(org.id, g.id, 10)).map((m) => m.display)).toEqual(["Ren"]);
    expect(await store().users.update({ ...u, displayName: "Ren Amari", version: u.version + 1 }, u.version)).toBe(true);
    expect((await store().groups.listMembers(org.id, g.id, 10)).map((m) => m.display)).toEqual(["Ren Amari"]);
    expect(await store().users.update({ ...u, displayName: null, userName: "ren.amari@acme.test", version: u.version + 2 }, u.version + 1)).toBe(true);
    expect((await store().groups.listMembers(org.id, g.id, 10)).map((m) => m.display)).toEqual(["ren.amari@acme.test"]);
  });

  it_("never adds another organization's user to a group", async () => {
    const a = anOrg(); const b = anOrg();
    await store().orgs.insert(a); await store().orgs.insert(b);
    const g = aGroup(a.id); await store().groups.insert(g);
    const foreign = aUser(b.id); await store().users.insert(foreign);
    expect(await store().groups.addMembers(a.id, g.id, [foreign.id])).toBe(0);
    expect(await store().groups.existingUserIds(a.id, [foreign.id])).toEqual(new Set());
    // Nor to another organization's group, named with this organization's id: one member and several (two statements on SQLite).
    const own = aUser(a.id); await store().users.insert(own);
    const theirs = aGroup(b.id); await store().groups.insert(theirs);
    expect(await store().groups.addMembers(a.id, theirs.id, [own.id])).toBe(0);
    expect(await store().groups.addMembers(a.id, theirs.id, [own.id, foreign.id])).toBe(0);
    expect(await store().groups.addMembers(b.id, theirs.id, [own.id])).toBe(0);
    expect(await store().groups.countMembers(b.id, theirs.id)).toBe(0);
  });

  it_("adds an independent member only without skipIndependent (what existingUserIds finds without includeIndependent is what it adds)", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const g = aGroup(org.id); await store().groups.insert(g);
    const [managed, independent] = [aUser(org.id), aUser(org.id, { status: "independent", orgRole: null })];
    for (const u of [managed, independent]) await store().users.insert(u);
    expect(await store().groups.addMembers(org.id, g.id, [independent.id], undefined, { skipIndependent: true })).toBe(0);
    expect(await store().groups.addMembers(org.id, g.id, [independent.id, managed.id], undefined, { skipIndependent: true })).toBe(1);
    expect((await store().groups.listMembers(org.id, g.id, 10)).map((m) => m.id)).toEqual([managed.id]);
    expect(await store().groups.existingUserIds(org.id, [independent.id, managed.id])).toEqual(new Set([managed.id]));
    expect(await store().groups.addMembers(org.id, g.id, [independent.id])).toBe(1);
    expect(await store().groups.countMembers(org.id, g.id)).toBe(2);
  });

  it_("throws UniqueViolation(displayName) for a group name that differs only in case", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    await store().groups.insert(aGroup(org.id, { displayName: "Engineering" }));
    await expect(store().groups.insert(aGroup(org.id, { displayName: "engineering" }))).rejects.toEqual(new UniqueViolation("displayName"));
  });

  it_("rolls a transaction back whole when its body throws", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const u = aUser(org.id);
    await expect(store().transaction(async (tx) => {
      await tx.users.insert(u);
      throw new Error("boom");
    })).rejects.toThrow("boom");
    expect(await store().users.get(org.id, u.id)).toBeNull();
  });

  it_("keeps tokens and revokes them", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const t = {
      id: "TK" + "a".repeat(32), orgId: org.id, name: "t", scopes: ["scim" as const], secretHash: "00", userId: null, created: "2026-01-01T00:00:00.000Z", revoked: null,
      createdBy: "TK" + "b".repeat(32), creatorUserId: "US" + "c".repeat(32), ceiling: "administrator" as const,
    };
    await store().tokens.insert(t);
    expect(await store().tokens.get(t.id)).toEqual(t);
    expect(await store().tokens.revoke(org.id, t.id, "2026-01-02T00:00:00.000Z")).toBe(true);
    expect((await store().tokens.get(t.id))?.revoked).toBe("2026-01-02T00:00:00.000Z");
  });

  it_("reads a token written without its maker (an older export) with no maker and no ceiling", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const t = { id: "TK" + "d".repeat(32), orgId: org.id, name: "old", scopes: ["admin" as const], secretHash: "00", userId: null, created: "2026-01-01T00:00:00.000Z", revoked: null };
    await store().tokens.insert(t);
    expect(await store().tokens.get(t.id)).toEqual({ ...t, createdBy: null, creatorUserId: null, ceiling: null });
  });

  it_("appends audit events and lists them newest first", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    for (const action of ["a", "b", "c"]) {
      await store().audit.append({ id: `AE${action.repeat(32)}`, orgId: org.id, time: "2026-01-01T00:00:00.000Z", actor: "t", action, targetType: "User", targetId: null, outcome: "success", before: null, after: { x: 1 } });
    }
    expect((await store().audit.list(org.id, { limit: 2 })).map((e) => e.action)).toEqual(["c", "b"]);
  });

  it_("lists nothing before an audit event of another organization", async () => {
    const a = anOrg(); const b = anOrg();
    await store().orgs.insert(a); await store().orgs.insert(b);
    const event = (orgId: string, id: string) => ({ id, orgId, time: "2026-01-01T00:00:00.000Z", actor: "t", action: "x", targetType: "User", targetId: null, outcome: "success" as const, before: null, after: null });
    await store().audit.append(event(a.id, `AE${"1".repeat(31)}a`));
    await store().audit.append(event(b.id, `AE${"1".repeat(31)}b`));
    await store().audit.append(event(a.id, `AE${"1".repeat(31)}c`));
    expect((await store().audit.list(a.id, { limit: 10, before: `AE${"1".repeat(31)}c` })).map((e) => e.id)).toEqual([`AE${"1".repeat(31)}a`]);
    expect(await store().audit.list(a.id, { limit: 10, before: `AE${"1".repeat(31)}b` })).toEqual([]);
  });

  it_("pages audit events by position: page answers each event's, `after` one lists those that follow it, in the organization only", async () => {
    const a = anOrg(); const b = anOrg();
    await store().orgs.insert(a); await store().orgs.insert(b);
    const event = (orgId: string, n: number) => ({ id: `AE${"be".repeat(14)}${n.toString(16).padStart(4, "0")}`, orgId, time: "2026-01-01T00:00:00.000Z", actor: "t", action: "x", targetType: "User", targetId: null, outcome: "success" as const, before: null, after: null });
    for (let n = 1; n <= 5; n++) await store().audit.append(event(n === 3 ? b.id : a.id, n));
    const first = await store().audit.page(a.id, { limit: 2 });
    expect(first.events).toEqual([event(a.id, 5), event(a.id, 4)]);
    expect(first.positions).toHaveLength(2);
    for (const p of first.positions) expect(p).toMatch(/^[!-~]{1,36}$/);
    expect(await store().audit.list(a.id, { limit: 10, after: first.positions[1]! })).toEqual([event(a.id, 2), event(a.id, 1)]);
    expect(await store().audit.list(a.id, { limit: 10, after: first.positions[0]! })).toEqual([event(a.id, 4), event(a.id, 2), event(a.id, 1)]);
    // another organization's position names no place here
    const other = await store().audit.page(b.id, { limit: 1 });
    expect(other.events).toEqual([event(b.id, 3)]);
    expect(await store().audit.list(a.id, { limit: 10, after: other.positions[0]! })).toEqual([]);
    expect(await store().audit.page(a.id, { limit: 10, after: other.positions[0]! })).toEqual({ events: [], positions: [] });
  });

  it_("keeps imported audit history apart: its mark round-trips, and `imported` lists one kind or the other", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const event = (action: string, imported?: { at: string; from: string }) => ({
      id: `AE${action.repeat(32)}`, orgId: org.id, time: "2020-01-01T00:00:00.000Z", actor: "t", action, targetType: "User", targetId: null,
      outcome: "success" as const, before: null, after: null, ...(imported ? { imported } : {}),
    });
    const mark = { at: "2026-01-01T00:00:00.000Z", from: "acme.ndjson" };
    await store().audit.append(event("d"));
    await store().audit.append(event("e", mark));
    await store().audit.append(event("f"));
    expect(await store().audit.list(org.id, { limit: 10, imported: true })).toEqual([event("e", mark)]);
    expect((await store().audit.list(org.id, { limit: 10, imported: false })).map((e) => e.action)).toEqual(["f", "d"]);
    expect((await store().audit.list(org.id, { limit: 10 })).map((e) => e.action)).toEqual(["f", "e", "d"]);
    expect((await store().audit.list(org.id, { limit: 10, imported: false, before: `AE${"f".repeat(32)}` })).map((e) => e.action)).toEqual(["d"]);
  });
}
