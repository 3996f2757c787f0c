/**
 * The store contract, totals: a list's total is the number of its matches on every page, however the
 * page falls (src/domain/ports/page-total.ts lets a store skip its count when the page proves the
 * total; these cases are where a shortcut would be off by one). Generated from one table of pages:
 * for users, groups and memberships, filtered and not, by index and by cursor.
 */
import type { Filter } from "../../../src/domain/filter";
import type { ListQuery, ListResult, Store } from "../../../src/domain/ports/store";
import { GROUPS, USERS } from "../../../src/scim/resource-types";
import { aGroup, anOrg, aUser } from "../../helpers/fixtures";
import type { ContractIt } from "./types";

/** Matches in each list; a few non-matching resources sit between them. */
const N = 6;

/** [startIndex, count] pages around the list's ends: count N-1, N, N+1 and 1 and 0; starts 1, 2, N, N+1, N+2, far past. */
const INDEX_PAGES: [number, number][] = [];
for (const count of [N - 1, N, N + 1, 1, 0]) for (const start of [1, 2, N, N + 1, N + 2, 100]) INDEX_PAGES.push([start, count]);
/** Cursor page sizes: every page of the list is read with each. */
const CURSOR_COUNTS = [1, N - 1, N, N + 1];

interface ListCase {
  name: string;
  /** Makes the resources in a fresh organization; answers the list and the ids it must answer, in order. */
  setUp: (store: Store) => Promise<{ list: (q: ListQuery) => Promise<ListResult<{ id: string }>>; want: string[] }>;
}

const sw = (attr: "userName" | "displayName", value: string, resolver = attr === "userName" ? USERS.resolver : GROUPS.resolver): Filter =>
  ({ kind: "cmp", attr: resolver.resolve(attr), op: "sw", value });

async function usersOf(store: Store, orgId: string): Promise<{ match: string[]; all: string[] }> {
  const match: string[] = []; const all: string[] = [];
  for (let i = 0; i < N; i++) {
    const u = aUser(orgId, { userName: `match-${i}@acme.test` });
    await store.users.insert(u);
    match.push(u.id); all.push(u.id);
    if (i % 2 === 0) {
      const other = aUser(orgId, { userName: `other-${i}@acme.test` });
      await store.users.insert(other);
      all.push(other.id);
    }
  }
  return { match, all };
}

async function groupsOf(store: Store, orgId: string): Promise<{ match: string[]; all: string[] }> {
  const match: string[] = []; const all: string[] = [];
  for (let i = 0; i < N; i++) {
    const g = aGroup(orgId, { displayName: `match-${i}` });
    await store.groups.insert(g);
    match.push(g.id); all.push(g.id);
    if (i % 2 === 1) {
      const other = aGroup(orgId, { displayName: `other-${i}` });
      await store.groups.insert(other);
      all.push(other.id);
    }
  }
  return { match, all };
}

const CASES: ListCase[] = [
  { name: "users filtered", setUp: async (s) => { const org = anOrg(); await s.orgs.insert(org); const { match } = await usersOf(s, org.id); return { list: (q) => s.users.list(org.id, { ...q, filter: sw("userName", "match-") }), want: match }; } },
  { name: "users, no filter", setUp: async (s) => { const org = anOrg(); await s.orgs.insert(org); const { all } = await usersOf(s, org.id); return { list: (q) => s.users.list(org.id, q), want: all }; } },
  { name: "users sorted by userName, descending", setUp: async (s) => { const org = anOrg(); await s.orgs.insert(org); const { match } = await usersOf(s, org.id); return { list: (q) => s.users.list(org.id, { ...q, filter: sw("userName", "match-"), ...(q.cursor === undefined ? { sort: { attr: USERS.resolver.resolve("userName"), descending: true } } : {}) }), want: [...match].reverse() }; } },
  { name: "groups filtered", setUp: async (s) => { const org = anOrg(); await s.orgs.insert(org); const { match } = await groupsOf(s, org.id); return { list: (q) => s.groups.list(org.id, { ...q, filter: sw("displayName", "match-") }), want: match }; } },
  { name: "groups, no filter", setUp: async (s) => { const org = anOrg(); await s.orgs.insert(org); const { all } = await groupsOf(s, org.id); return { list: (q) => s.groups.list(org.id, q), want: all }; } },
  {
    name: "a group's memberships",
    setUp: async (s) => {
      const org = anOrg(); await s.orgs.insert(org);
      const { match, all } = await usersOf(s, org.id);
      const g = aGroup(org.id); const h = aGroup(org.id);
      await s.groups.insert(g); await s.groups.insert(h);
      await s.groups.addMembers(org.id, g.id, match);
      await s.groups.addMembers(org.id, h.id, all);
      const ids = (await s.groups.listMemberships(org.id, { groupId: g.id, startIndex: 1, count: 100 })).items.map((m) => m.id);
      expect(ids).toHaveLength(N);
      return { list: (q) => s.groups.listMemberships(org.id, { ...q, groupId: g.id }), want: ids };
    },
  },
];

export function pageTotals(it_: ContractIt, store: () => Store): void {
  for (const c of CASES) {
    it_(`${c.name}: the total is the number of matches on every page by index, at either end, past the end and for count=0`, async () => {
      const { list, want } = await c.setUp(store());
      // The cursor case below reads the sorted list in insertion order; here the order is the case's.
      const got: { page: [number, number]; total: number; ids: string[] }[] = [];
      for (const [startIndex, count] of INDEX_PAGES) {
        const r = await list({ startIndex, count });
        got.push({ page: [startIndex, count], total: r.total, ids: r.items.map((x) => x.id) });
      }
      expect(got).toEqual(INDEX_PAGES.map(([startIndex, count]) => ({ page: [startIndex, count], total: want.length, ids: want.slice(startIndex - 1, startIndex - 1 + count) })));
    });

    it_(`${c.name}: the total is the number of matches on every page by cursor, the first one and the last one too`, async () => {
      const { list, want } = await c.setUp(store());
      const inOrder = c.name.includes("sorted") ? [...want].reverse() : want;
      for (const count of CURSOR_COUNTS) {
        const seen: string[] = []; const totals: number[] = [];
        let cursor: string | undefined = "";
        while (cursor !== undefined) {
          const r: ListResult<{ id: string }> = await list({ startIndex: 1, count, cursor });
          totals.push(r.total); seen.push(...r.items.map((x) => x.id));
          cursor = r.nextCursor;
        }
        expect({ count, seen, totals }).toEqual({ count, seen: inOrder, totals: totals.map(() => want.length) });
      }
    });
  }
}
