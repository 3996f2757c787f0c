/**
 * A page's groups (groups.groupsOfUsers on SQLite, one query over the page's ids as a JSON array)
 * start from the page's ids, whatever statistics the planner has. A store opened empty gathers its
 * statistics then (groups has its built-in rows, users and group_members none) and keeps them for
 * an hour; with those the planner walked every group's every membership and scanned the page's ids
 * for each: memberships × page size steps (a 1,000-user SCIM page of a 2,000-user store took
 * hundreds of milliseconds). Asked of SQLite's own planner, on the statistics of an empty store and
 * of a populated one. A page of users as stored (users.listStored) reads its users' groups with it:
 * the same lookups, by the rows' seqs or in the page's own query.
 */
import Database from "better-sqlite3";
import { migrate } from "../../src/store/sqlite/migrations";
import { refreshPlannerStatistics } from "../../src/store/sqlite/planner";
import { sqliteGroups } from "../../src/store/sqlite/groups";
import { sqliteUsers } from "../../src/store/sqlite/users";
import type { UserRecord } from "../../src/domain/types";

const ORG = "ORpage";
const now = "2026-12-06T00:00:00.000Z";
const user = (i: number): UserRecord => ({
  id: `US${String(i).padStart(30, "0")}`, orgId: ORG, userName: `u${i}@acme.test`, externalId: null, displayName: null,
  active: true, status: "managed", orgRole: "standard", twoFactorRequired: false, passwordResetRequired: false,
  emails: [], data: {}, version: 1, created: now, lastModified: now,
});

describe("a page's groups on SQLite", () => {
  let db: Database.Database;
  const sqls: string[] = [];

  beforeAll(async () => {
    db = new Database(":memory:");
    migrate(db);
    db.prepare("INSERT INTO organizations (id, name, settings, created, last_modified) VALUES (?, ?, '{}', ?, ?)").run(ORG, ORG, now, now);
    const groups = sqliteGroups(db);
    for (let g = 0; g < 3; g++) await groups.insert({ id: `GR${g}`, orgId: ORG, displayName: `g${g}`, externalId: null, builtin: false, binding: null, data: {}, version: 1, created: now, lastModified: now });
    refreshPlannerStatistics(db); // as the store does when it opens: users and group_members are empty
    const users = sqliteUsers(db);
    db.exec("BEGIN");
    for (let i = 0; i < 600; i++) await users.insert(user(i));
    for (let g = 0; g < 3; g++) await groups.addMembers(ORG, `GR${g}`, Array.from({ length: 600 }, (_, i) => user(i).id).filter((_, i) => i % (g + 1) === 0));
    db.exec("COMMIT");
    // The statement the repository runs, as it runs it.
    const spy = new Proxy(db, { get: (t, k) => (k === "prepare" ? (sql: string) => { sqls.push(sql); return t.prepare(sql); } : (Reflect.get(t, k, t) as unknown)) });
    const spied = sqliteUsers(spy as Database.Database);
    sqls.length = 0; // not the statements the users repository prepares when it is made
    const page = await sqliteGroups(spy as Database.Database).groupsOfUsers(ORG, [user(0).id, user(1).id]);
    expect(page.get(user(0).id)?.map((g) => g.id)).toEqual(["GR0", "GR1", "GR2"]);
    // A page of users as stored reads its groups with it: by the rows' seqs after a filtered page,
    // over the page's range of seqs otherwise (its plan: test/store/sqlite-page-groups-plan).
    const filtered = await spied.listStored!(ORG, { startIndex: 1, count: 3, filter: { kind: "cmp", attr: { attr: "userName", type: "string", caseExact: false, multiValued: false }, op: "ne", value: "x" } });
    expect(filtered.items[0]?.groups?.map((g) => g.id)).toEqual(["GR0", "GR1", "GR2"]);
    const one = await spied.listStored!(ORG, { startIndex: 1, count: 3, filter: { kind: "cmp", attr: { attr: "userName", type: "string", caseExact: false, multiValued: false }, op: "eq", value: "U2@ACME.TEST" } });
    expect(one.items.map((u) => u.groups?.map((g) => g.id))).toEqual([["GR0", "GR1"]]);
    const walked = await spied.listStored!(ORG, { startIndex: 1, count: 3, cursor: "" });
    expect(walked.items.map((u) => u.groups?.map((g) => g.id))).toEqual([["GR0", "GR1", "GR2"], ["GR0"], ["GR0", "GR1"]]);
  });
  afterAll(() => db?.close());

  /** The plan of each statement the read ran over a JSON array: the page's memberships, then its groups. */
  const plansOf = () => {
    const ids = JSON.stringify(Array.from({ length: 100 }, (_, i) => user(i).id));
    // The reads (addMembers inserts from json_each too).
    const found = sqls.filter((s) => s.includes("json_each") && !/^\s*INSERT/.test(s));
    expect(found.length).toBeGreaterThan(0);
    return found.map((sql) => {
      const args = sql.includes("org_id = ?") ? [ids, ORG] : [JSON.stringify([1, 2, 3])];
      return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail);
    });
  };

  it.each([["an empty store's", false], ["a populated store's", true]])("start from the page's ids with %s statistics, then look each user's memberships (and their groups) up by index", (_, refresh) => {
    if (refresh) refreshPlannerStatistics(db);
    for (const plan of plansOf()) {
      expect(plan[0]).toMatch(/^SCAN j\b/);
      expect(plan.slice(1).filter((d) => /^SCAN/.test(d) || /TEMP B-TREE/.test(d))).toEqual([]);
    }
  });

  it.each([["an empty store's", false], ["a populated store's", true]])("a page of one user found by a filter looks its memberships up by index, with %s statistics", (_, refresh) => {
    if (refresh) refreshPlannerStatistics(db);
    const found = sqls.filter((s) => /m\.user_seq = \? ORDER BY g\.seq/.test(s));
    expect(found).toHaveLength(1);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${found[0]!}`).all(2) as { detail: string }[]).map((r) => r.detail);
    expect(plan.filter((d) => /^SCAN/.test(d))).toEqual([]);
    expect(plan.filter((d) => /\bm USING COVERING INDEX group_members_user_id \(user_seq=\?\)/.test(d))).toHaveLength(1);
  });

  it.each([["an empty store's", false], ["a populated store's", true]])("a page in seq order reads its memberships in one statement that walks only its organization's users, by (org_id, seq) over the page's range, and looks each one's memberships up by index, with %s statistics", (_, refresh) => {
    if (refresh) refreshPlannerStatistics(db);
    const pages = sqls.filter((s) => s.includes("group_concat"));
    expect(pages).toHaveLength(1);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${pages[0]!}`).all(ORG, 1, 600) as { detail: string }[]).map((r) => r.detail);
    // A range of seqs alone (the users' rowid) would step through every organization's users in it.
    expect(plan.filter((d) => /^SCAN/.test(d) || /TEMP B-TREE/.test(d) || /INTEGER PRIMARY KEY/.test(d))).toEqual([]);
    expect(plan).toEqual([
      expect.stringMatching(/^SEARCH u USING (COVERING )?INDEX users_org_member_seq \(org_id=\? AND seq>\? AND seq<\?\)$/),
      "SEARCH m USING COVERING INDEX group_members_user_id (user_seq=?)",
    ]);
  });
});
