/**
 * The store contract: lists filtered by membership (Users by `groups`, Groups by `members`), the
 * way a client reads a group too large to embed (README: GET /Users?filter=groups.value eq "<id>"),
 * by index and by cursor, with the membership condition alone and combined.
 */
import type { Filter } from "../../../src/domain/filter";
import type { Store } from "../../../src/domain/ports/store";
import { GROUPS, USERS } from "../../../src/scim/resource-types";
import { aGroup, anOrg, aUser } from "../../helpers/fixtures";
import type { ContractIt } from "./types";

const cmp = (path: string, value: string, resolver = USERS.resolver): Filter => ({ kind: "cmp", attr: resolver.resolve(path), op: "eq", value });

export function membershipFilters(it_: ContractIt, store: () => Store): void {
  it_("lists a group's members by a groups.value filter, by index and by cursor, each once and in insertion order", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const big = aGroup(org.id, { displayName: "Everyone" }); await store().groups.insert(big);
    const small = aGroup(org.id, { displayName: "Few" }); await store().groups.insert(small);
    const users = Array.from({ length: 120 }, (_, i) => aUser(org.id, { displayName: i % 2 ? `Odd ${i}` : null }));
    for (const u of users) await store().users.insert(u);
    const members = users.filter((_u, i) => i % 6 !== 0);
    for (let i = 0; i < members.length; i += 40) await store().groups.addMembers(org.id, big.id, members.slice(i, i + 40).map((u) => u.id));
    await store().groups.addMembers(org.id, small.id, [users[1]!.id, users[6]!.id]);
    const filter = cmp("groups.value", big.id);

    const first = await store().users.list(org.id, { filter, startIndex: 1, count: 30 });
    expect(first.total).toBe(members.length);
    expect(first.items.map((u) => u.id)).toEqual(members.slice(0, 30).map((u) => u.id));
    const tail = await store().users.list(org.id, { filter, startIndex: 91, count: 30 });
    expect(tail.items.map((u) => u.id)).toEqual(members.slice(90).map((u) => u.id));

    const seen: string[] = [];
    let cursor: string | undefined = "";
    while (cursor !== undefined) {
      const page: Awaited<ReturnType<Store["users"]["list"]>> = await store().users.list(org.id, { filter, startIndex: 1, count: 25, cursor });
      expect(page.total).toBe(members.length);
      seen.push(...page.items.map((u) => u.id));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(members.map((u) => u.id));

    const both: Filter = { kind: "and", items: [filter, cmp("groups.value", small.id)] };
    expect((await store().users.list(org.id, { filter: both, startIndex: 1, count: 10 })).items.map((u) => u.id)).toEqual([users[1]!.id]);
    const either: Filter = { kind: "or", items: [cmp("groups.display", "few"), { kind: "not", item: { kind: "pr", attr: USERS.resolver.resolve("groups") } }] };
    const expected = users.filter((_u, i) => i % 6 === 0 || i === 1).map((u) => u.id);
    expect((await store().users.list(org.id, { filter: either, startIndex: 1, count: 100 })).items.map((u) => u.id)).toEqual(expected);
    const odd: Filter = { kind: "and", items: [filter, { kind: "cmp", attr: USERS.resolver.resolve("displayName"), op: "sw", value: "odd 1" }] };
    expect((await store().users.list(org.id, { filter: odd, startIndex: 1, count: 100 })).total).toBe(members.filter((u) => u.displayName?.startsWith("Odd 1")).length);

    expect((await store().groups.list(org.id, { filter: cmp("members.value", users[6]!.id, GROUPS.resolver), startIndex: 1, count: 10 })).items.map((g) => g.id))
      .toEqual([big.id, small.id].filter((id) => id === small.id || members.includes(users[6]!)));
    expect((await store().groups.list(org.id, { filter: cmp("members.display", "odd 1", GROUPS.resolver), startIndex: 1, count: 10 })).items.map((g) => g.id)).toEqual([big.id, small.id]);
  }, 60_000);
}
