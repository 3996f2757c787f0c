/**
 * A list counts its matches only when its page cannot say how many there are (src/domain/ports/page-total.ts):
 * a page that ends the results, or an empty first page, gives the total with no count query; a full
 * page, an empty page past the first index, count=0 and any cursor page but the first are counted.
 * Rules as data (PAGES), run against SQLite (the statements it is asked, recorded) and the MongoDB
 * repositories over the mingo double (the operations they send). That the totals are right on every
 * page is the store contract's (./contract/page-totals.ts); this is that the count is skipped.
 * SQLite also keeps a list's count while the database holds the same rows (src/store/sqlite/list-totals.ts):
 * each page is asked after a write (another state), and again with nothing written, when it counts nothing.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Filter } from "../../src/domain/filter";
import type { ListQuery, Store } from "../../src/domain/ports/store";
import { GROUPS, USERS } from "../../src/scim/resource-types";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { sqliteGroups } from "../../src/store/sqlite/groups";
import { sqliteUsers } from "../../src/store/sqlite/users";
import { aGroup, anOrg, aUser } from "../helpers/fixtures";
import { recording, type Call } from "../helpers/sqlite-recording";
import type { RecordedOp } from "./mingo-db";
import { mingoStore } from "./mingo-store";

/** Matching resources; each list also holds a few that do not match. */
const N = 6;
type Page = { startIndex: number; count: number; cursor?: "first" | "second" };
/** [the page, whether a count is needed, why] for a list of N matches. */
const PAGES: [Page, boolean, string][] = [
  [{ startIndex: 1, count: 10 }, false, "the page ends the results: N of the 11 rows asked for"],
  [{ startIndex: 1, count: N }, false, "exactly N: the row asked for past the page is not there"],
  [{ startIndex: 4, count: 3 }, false, "the last three, past a skip of three"],
  [{ startIndex: 1, count: N - 1 }, true, "one match follows the page"],
  [{ startIndex: 3, count: 3 }, true, "one match follows the page, past a skip"],
  [{ startIndex: N + 1, count: 5 }, true, "an empty page past the end: how far past is unknown"],
  [{ startIndex: 1, count: 0 }, true, "count=0 asks for the total alone"],
  [{ startIndex: 1, count: 10, cursor: "first" }, false, "a first cursor page that ends the results"],
  [{ startIndex: 1, count: N - 1, cursor: "first" }, true, "a first cursor page with more to follow"],
  [{ startIndex: 1, count: N - 1, cursor: "second" }, true, "a later cursor page: what went before is unknown"],
];

const userFilter: Filter = { kind: "cmp", attr: USERS.resolver.resolve("userName"), op: "sw", value: "match-" };
const groupFilter: Filter = { kind: "cmp", attr: GROUPS.resolver.resolve("displayName"), op: "sw", value: "match-" };

/** The lists, each in a fresh organization of the store: [name, list]. */
async function listsOf(s: Store): Promise<[string, (q: ListQuery) => Promise<{ total: number; nextCursor?: string }>][]> {
  const org = anOrg(); await s.orgs.insert(org);
  const users: string[] = [];
  const g = aGroup(org.id, { displayName: "all of them" });
  await s.groups.insert(g);
  for (let i = 0; i < N; i++) {
    const u = aUser(org.id, { userName: `match-${i}@acme.test` }); await s.users.insert(u); users.push(u.id);
    await s.users.insert(aUser(org.id, { userName: `other-${i}@acme.test` }));
    await s.groups.insert(aGroup(org.id, { displayName: `match-${i}` }));
  }
  await s.groups.addMembers(org.id, g.id, users);
  return [
    ["users filtered", (q) => s.users.list(org.id, { ...q, filter: userFilter })],
    ["groups filtered", (q) => s.groups.list(org.id, { ...q, filter: groupFilter })],
    ["a group's memberships", (q) => s.groups.listMemberships(org.id, { ...q, groupId: g.id })],
  ];
}

/** Runs every page of PAGES on every list; `counted()` answers whether a count ran since the last call. */
async function countsOf(s: Store, counted: () => boolean, write: () => void = () => {}, again = false): Promise<{ list: string; page: string; counted: boolean; total: number }[]> {
  const out: { list: string; page: string; counted: boolean; total: number }[] = [];
  for (const [name, list] of await listsOf(s)) {
    for (const [page, , why] of PAGES) {
      let cursor: string | undefined;
      if (page.cursor === "first") cursor = "";
      if (page.cursor === "second") cursor = (await list({ startIndex: 1, count: page.count, cursor: "" })).nextCursor;
      const q = { startIndex: page.startIndex, count: page.count, ...(cursor !== undefined ? { cursor } : {}) };
      write();
      counted();
      let r = await list(q);
      if (again) {
        counted();
        r = await list(q);
      }
      out.push({ list: name, page: why, counted: counted(), total: r.total });
    }
  }
  return out;
}

const expected = (names: string[]) => names.flatMap((list) => PAGES.map(([, counts, why]) => ({ list, page: why, counted: counts, total: N })));
const LISTS = ["users filtered", "groups filtered", "a group's memberships"];

describe("a list counts only when its page cannot give the total", () => {
  it("SQLite: a count(*) runs exactly for the pages of the table", async () => {
    const dir = mkdtempSync(join(tmpdir(), "orgscim-list-count-"));
    try {
      const store = openSqliteStore({ path: join(dir, "s.db") });
      await store.close();
      const db = new Database(join(dir, "s.db"));
      const calls: Call[] = [];
      const spy = recording(db, calls);
      const s = { orgs: { insert: async (o: { id: string; name: string; created: string; lastModified: string }) => void db.prepare("INSERT INTO organizations (id, name, settings, created, last_modified) VALUES (?, ?, '{}', ?, ?)").run(o.id, o.name, o.created, o.lastModified) }, users: sqliteUsers(spy), groups: sqliteGroups(spy) } as unknown as Store;
      let seen = 0;
      const counted = () => { const now = calls.slice(seen).some((c) => /count\(\*\)/i.test(c.sql)); seen = calls.length; return now; };
      // A write (not recorded, on no listed table) before each page: the database's state is another, and no kept count holds.
      const write = () => void db.prepare("UPDATE organizations SET name = name").run();
      expect(await countsOf(s, counted, write)).toEqual(expected(LISTS));
      // The same page asked again with nothing written between: a list's count it needed is kept, and none runs
      // (users and groups: listPage; a group's memberships count as before, src/store/sqlite/memberships.ts).
      const kept = new Set(["users filtered", "groups filtered"]);
      expect(await countsOf(s, counted, write, true)).toEqual(expected(LISTS).map((e) => (kept.has(e.list) ? { ...e, counted: false } : e)));
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("MongoDB repositories (over the mingo double): a countDocuments or a $count runs exactly for the pages of the table", async () => {
    const ops: RecordedOp[] = [];
    const s = mingoStore();
    s.db.onOp = (op) => void ops.push(op);
    let seen = 0;
    const counted = () => {
      const now = ops.slice(seen).some((o) => o.op === "countDocuments" || (o.pipeline ?? []).some((stage) => "$count" in stage));
      seen = ops.length;
      return now;
    };
    expect(await countsOf(s, counted)).toEqual(expected(LISTS));
  });
});
