/**
 * GET /v1/Users?Search= on SQLite is answered from the userName and email indexes: its cost follows
 * the matches, never the organization's size. Checked with SQLite's own query plan, on an
 * organization of 3,000 users with statistics gathered.
 */
import Database from "better-sqlite3";
import { migrate } from "../../src/store/sqlite/migrations";
import { memberSearchArgs, memberSearchSql } from "../../src/store/sqlite/users";

describe("sqlite member search", () => {
  let db: Database.Database;
  beforeAll(() => {
    db = new Database(":memory:");
    migrate(db);
    db.prepare("INSERT INTO organizations (id, name, settings, created, last_modified) VALUES ('ORa', 'A', '{}', 't', 't')").run();
    const user = db.prepare(`INSERT INTO users (id, org_id, user_name, user_name_fold, active, status, data, version, created, last_modified)
      VALUES (?, 'ORa', ?, ?, 1, ?, '{}', 1, 't', 't')`);
    const email = db.prepare("INSERT INTO user_emails (user_seq, org_id, value, value_fold, type, is_primary) VALUES (?, 'ORa', ?, lower(?), 'work', 1)");
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) {
        const name = `user${i}@acme.test`;
        const mail = i === 7 ? "Zoë.Ödegaard@acme.test" : `mail${i}@acme.test`;
        email.run(Number(user.run(`US${i}`, name, name, i % 5 === 0 ? "pending" : "managed").lastInsertRowid), mail, i === 7 ? "zoë.ödegaard@acme.test" : mail);
      }
    })();
    db.exec("ANALYZE");
  });
  afterAll(() => db.close());

  const planOf = (sql: string, params: unknown[]): string =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(" | ");

  it.each([[false], [true]])("reads index ranges and fetches matches by rowid, never walking the organization (status filter: %s)", (withStatus) => {
    const sql = memberSearchSql(withStatus);
    const args = [...memberSearchArgs("ORa", "User12"), "ORa", ...(withStatus ? ["managed"] : [])];
    for (const p of [planOf(sql.count, args), planOf(sql.page, [...args, 50, 0])]) {
      expect(p).toMatch(/SEARCH users USING COVERING INDEX users_org_user_name_fold \(org_id=\? AND user_name_fold>\? AND user_name_fold<\?\)/);
      expect(p).toMatch(/SEARCH user_emails USING INDEX user_emails_org_value_fold \(org_id=\? AND value_fold>\? AND value_fold<\?\)/);
      expect(p).not.toMatch(/SCAN (users|u|user_emails)\b/);
    }
  });

  it("finds exactly the users whose folded userName or email starts with the text", () => {
    const sql = memberSearchSql(false);
    const ids = (text: string) => (db.prepare(sql.page).all(...memberSearchArgs("ORa", text), "ORa", 100, 0) as { id: string }[]).map((r) => r.id);
    expect(ids("USER120")).toEqual(["US120", "US1200", "US1201", "US1202", "US1203", "US1204", "US1205", "US1206", "US1207", "US1208", "US1209"]);
    expect(ids("Mail2999@")).toEqual(["US2999"]);
    expect(ids("user2999@acme.test")).toEqual(["US2999"]);
    expect(ids("user2999@acme.test ")).toEqual([]);
    expect(ids("ser1")).toEqual([]);
    expect(ids("ZOË.ÖDE")).toEqual(["US7"]); // emails fold beyond ASCII too
  });
});
