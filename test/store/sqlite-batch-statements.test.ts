/**
 * Writing many users or members at once costs a number of SQLite statements that does not grow
 * with the list. Inside the group committer's savepoint every statement walks the in-memory
 * sub-journal from its start when it ends (src/store/sqlite/users-batch.ts says why), so one
 * statement a row made an import of N users a transaction cost N × (pages touched so far).
 * Counted on a connection that records every statement the repositories run.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sqliteGroups } from "../../src/store/sqlite/groups";
import { migrate } from "../../src/store/sqlite/migrations";
import { refreshPlannerStatistics } from "../../src/store/sqlite/planner";
import { sqliteOrgs } from "../../src/store/sqlite/orgs";
import { sqliteUsers } from "../../src/store/sqlite/users";
import { aGroup, anOrg, aUser } from "../helpers/fixtures";

/** A connection whose prepared statements count their runs (prepared statements chain as usual). */
function counting(db: Database.Database, runs: { n: number }): Database.Database {
  const wrap = (st: Database.Statement): Database.Statement => new Proxy(st, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (key === "get" || key === "all" || key === "run" || key === "iterate") runs.n += 1;
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        return result === target ? wrap(target) : result;
      };
    },
  });
  return new Proxy(db, {
    get(target, key) {
      if (key === "prepare") return (sql: string) => wrap(target.prepare(sql));
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe("SQLite: many users or members at once in a number of statements that does not grow with them", () => {
  let dir: string;
  let db: Database.Database;
  const runs = { n: 0 };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "orgscim-batch-st-"));
    db = new Database(join(dir, "s.db"));
    db.pragma("journal_mode = WAL");
    migrate(db);
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([10, 300, 1200])("inserts %i users (two emails each) and adds them to a group in at most 2 statements a 500 users, and one", async (n) => {
    const conn = counting(db, runs);
    const org = anOrg();
    await sqliteOrgs(conn).insert(org);
    const g = aGroup(org.id);
    await sqliteGroups(conn).insert(g);
    const users = Array.from({ length: n }, (_, i) => aUser(org.id, {
      userName: `u${i}@acme.test`, emails: [{ value: `u${i}@acme.test`, type: "work", primary: true }, { value: `u${i}@home.test`, type: "home" }],
    }));
    runs.n = 0;
    db.exec("BEGIN");
    await sqliteUsers(conn).insertMany!(org.id, users);
    const inserts = runs.n;
    runs.n = 0;
    expect(await sqliteGroups(conn).addMembers(org.id, g.id, users.map((u) => u.id))).toBe(n);
    const adds = runs.n;
    db.exec("COMMIT");
    expect({ inserts, adds }).toEqual({ inserts: 2 * Math.ceil(n / 500), adds: 1 });
    expect(db.prepare("SELECT count(*) FROM user_emails WHERE org_id = ?").pluck().get(org.id)).toBe(2 * n);
  });
});

describe("SQLite: insertMany binds each user's values as parameters, whatever the emails a chunk holds", () => {
  it("inserts chunks of any size in order, users with many emails included, each email row on its own user", async () => {
    const db = new Database(":memory:");
    migrate(db);
    const org = anOrg();
    await sqliteOrgs(db).insert(org);
    const users = sqliteUsers(db);
    // Sizes that are not the full chunk (500), more than the few statements kept for them, and a
    // chunk of 500 users with 5 emails each (2,500 email rows: more than one statement's 2,000).
    const sizes = [1, 7, 499, 501, 3, 250, 9, 2, 1000];
    let n = 0;
    const all = [];
    for (const size of sizes) {
      const batch = Array.from({ length: size }, () => {
        const i = n++;
        const emails = Array.from({ length: size === 1000 ? 5 : 1 }, (_, k) => ({ value: `u${i}.${k}@acme.test`, type: k === 0 ? "work" : "other", primary: k === 0 }));
        return aUser(org.id, { userName: `u${i}@acme.test`, emails, data: { userName: `u${i}@acme.test`, emails, title: "\u0000 é 😀 \"quoted\"" } });
      });
      await users.insertMany!(org.id, batch);
      all.push(...batch);
    }
    expect((await users.list(org.id, { startIndex: 1, count: 10000 })).items.map((u) => u.id)).toEqual(all.map((u) => u.id));
    const rows = db.prepare(`SELECT u.id, e.value FROM user_emails e JOIN users u ON u.seq = e.user_seq ORDER BY e.rowid`).raw().all();
    expect(rows).toEqual(all.flatMap((u) => u.emails.map((e) => [u.id, e.value])));
    for (const u of [all[0]!, all[600]!, all[all.length - 1]!]) {
      expect(await users.get(org.id, u.id)).toEqual(u);
      expect((await users.listByStatus(org.id, { search: u.emails[u.emails.length - 1]!.value, offset: 0, limit: 5 })).items).toEqual([u]);
    }
    db.close();
  });
});

describe("SQLite: the lookups of many at once start from the strings and find each by index, whatever the statistics", () => {
  it.each([["an empty store's", false], ["a populated store's", true]])("with %s statistics", async (_, populate) => {
    const sqls: string[] = [];
    const db = new Database(":memory:");
    migrate(db);
    const org = anOrg();
    await sqliteOrgs(db).insert(org);
    refreshPlannerStatistics(db);
    if (populate) {
      const users = sqliteUsers(db);
      db.exec("BEGIN");
      await users.insertMany!(org.id, Array.from({ length: 2000 }, (_, i) => aUser(org.id, { userName: `p${i}@acme.test` })));
      db.exec("COMMIT");
      refreshPlannerStatistics(db);
    }
    const spy = new Proxy(db, { get: (t, k) => (k === "prepare" ? (sql: string) => { sqls.push(sql); return t.prepare(sql); } : (Reflect.get(t, k, t) as unknown)) });
    sqliteUsers(spy as Database.Database);
    const lookups = sqls.filter((s) => /^\s*SELECT/.test(s) && s.includes("json_each"));
    expect(lookups).toHaveLength(3);
    for (const sql of lookups) {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(JSON.stringify(["a@acme.test", "b@acme.test"]), org.id) as { detail: string }[]).map((r) => r.detail);
      expect([sql, plan[0]]).toEqual([sql, expect.stringMatching(/^SCAN j\b/)]);
      expect([sql, plan.slice(1).filter((d) => /^SCAN/.test(d))]).toEqual([sql, []]);
    }
    db.close();
  });
});
