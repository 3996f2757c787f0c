/**
 * Migration 18 gives every membership an id and a created time (the GroupMember resource), and
 * memberships list from indexes ending in that id: a page of a group's, a user's or the
 * organization's memberships, and adding or removing one, is one index range or one key, whatever
 * the group's size.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate } from "../../src/store/sqlite/migrations";
import { openSqliteStore } from "../../src/store/sqlite/store";

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "orgscim-mig18-")); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A database as migration 17 left it: two users, two groups, three memberships. */
function version17(file: string): void {
  const raw = new Database(file);
  migrate(raw);
  raw.exec(`DROP INDEX group_members_org_id; DROP INDEX group_members_group_id; DROP INDEX group_members_user_id;
    CREATE INDEX group_members_user ON group_members(user_seq);
    ALTER TABLE group_members DROP COLUMN id; ALTER TABLE group_members DROP COLUMN created;
    DELETE FROM schema_migrations WHERE version = 18;`);
  raw.prepare("INSERT INTO organizations (id, name, settings, created, last_modified) VALUES ('ORa', 'A', '{}', 't', 't')").run();
  const user = raw.prepare(`INSERT INTO users (id, org_id, user_name, user_name_fold, display_name, active, status, data, version, created, last_modified)
    VALUES (?, 'ORa', ?, ?, NULL, 1, 'managed', '{}', 1, ?, ?)`);
  user.run("USone", "one@acme.test", "one@acme.test", "2026-01-05T00:00:00.000Z", "2026-01-05T00:00:00.000Z");
  user.run("UStwo", "two@acme.test", "two@acme.test", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z");
  const group = raw.prepare(`INSERT INTO groups (id, org_id, display_name, builtin, data, version, created, last_modified) VALUES (?, 'ORa', ?, 0, '{}', 1, ?, ?)`);
  group.run("GPold", "Old", "2026-01-03T00:00:00.000Z", "2026-01-03T00:00:00.000Z");
  group.run("GPnew", "New", "2026-01-09T00:00:00.000Z", "2026-01-09T00:00:00.000Z");
  raw.exec(`INSERT INTO group_members (group_seq, user_seq, org_id, user_id, display)
    SELECT g.seq, u.seq, u.org_id, u.id, u.user_name FROM groups g, users u WHERE NOT (g.id = 'GPnew' AND u.id = 'UStwo')`);
  raw.close();
}

const plan = (db: Database.Database, sql: string, ...params: unknown[]): string =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(" | ");

describe("sqlite migration 18 (memberships have an id and a created time)", () => {
  it("gives memberships written before it distinct ids and, as created time, the later of their group's and user's", async () => {
    const file = join(dir, "v17.db");
    version17(file);
    const store = openSqliteStore({ path: file });
    try {
      const all = (await store.groups.listMemberships("ORa", { startIndex: 1, count: 10 })).items;
      expect(all).toHaveLength(3);
      expect(new Set(all.map((m) => m.id)).size).toBe(3);
      for (const m of all) expect(m.id).toMatch(/^GM[0-9a-f]{32}$/);
      const created = (g: string, u: string) => all.find((m) => m.groupId === g && m.userId === u)?.created;
      expect(created("GPold", "USone")).toBe("2026-01-05T00:00:00.000Z");
      expect(created("GPold", "UStwo")).toBe("2026-01-03T00:00:00.000Z");
      expect(created("GPnew", "USone")).toBe("2026-01-09T00:00:00.000Z");
      // A membership made after it keeps the id scheme and its own time.
      expect(await store.groups.addMembers("ORa", "GPnew", ["UStwo"], "2026-02-01T00:00:00.000Z")).toBe(1);
      expect(await store.groups.findMembership("ORa", "GPnew", "UStwo")).toMatchObject({ id: expect.stringMatching(/^GM[0-9a-f]{32}$/), created: "2026-02-01T00:00:00.000Z" });
    } finally {
      await store.close();
    }
  });

  it("reads every page of memberships as one index range ending in the id, never a sort of the rows", () => {
    const db = new Database(":memory:");
    migrate(db);
    const cols = "SELECT m.id FROM group_members m JOIN groups g ON g.seq = m.group_seq";
    const group = plan(db, `${cols} WHERE m.group_seq = (SELECT seq FROM groups WHERE org_id = ? AND id = ?) AND m.id > ? ORDER BY m.id LIMIT ?`, "ORa", "GP", "", 10);
    expect(group).toMatch(/SEARCH m USING (COVERING )?INDEX group_members_group_id \(group_seq=\? AND id>\?\)/);
    const user = plan(db, `${cols} WHERE m.user_seq = (SELECT seq FROM users WHERE org_id = ? AND id = ?) AND m.id > ? ORDER BY m.id LIMIT ?`, "ORa", "US", "", 10);
    expect(user).toMatch(/SEARCH m USING (COVERING )?INDEX group_members_user_id \(user_seq=\? AND id>\?\)/);
    const org = plan(db, `${cols} WHERE m.org_id = ? AND m.id > ? ORDER BY m.id LIMIT ?`, "ORa", "", 10);
    expect(org).toMatch(/SEARCH m USING (COVERING )?INDEX group_members_org_id \(org_id=\? AND id>\?\)/);
    const byId = plan(db, `${cols} WHERE m.org_id = ? AND m.id = ?`, "ORa", "GM");
    expect(byId).toMatch(/SEARCH m USING (COVERING )?INDEX group_members_org_id \(org_id=\? AND id=\?\)/);
    for (const p of [group, user, org, byId]) expect(p).not.toMatch(/TEMP B-TREE|SCAN m/);
  });
});
