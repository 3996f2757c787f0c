/**
 * Migration 8 puts the member's id and display in each group_members row, so a group's members
 * are one range of its primary key; memberships written before it are backfilled.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate } from "../../src/store/sqlite/migrations";
import { openSqliteStore } from "../../src/store/sqlite/store";

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "orgscim-mig8-")); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A database as migration 7 left it, holding one group with two members. */
function version7(file: string): void {
  const raw = new Database(file);
  migrate(raw);
  // Back to the layout before migration 8 (later migrations' triggers on these columns go too).
  raw.exec(`DROP TRIGGER users_member_display; DROP TRIGGER principal_members_insert; DROP TRIGGER principal_members_delete;
    ALTER TABLE group_members DROP COLUMN display; ALTER TABLE group_members DROP COLUMN user_id;
    DELETE FROM schema_migrations WHERE version = 8;`);
  raw.prepare("INSERT INTO organizations (id, name, settings, created, last_modified) VALUES ('ORa', 'A', '{}', 't', 't')").run();
  const user = raw.prepare(`INSERT INTO users (id, org_id, user_name, user_name_fold, display_name, active, status, data, version, created, last_modified)
    VALUES (?, 'ORa', ?, ?, ?, 1, 'managed', '{}', 1, 't', 't')`);
  user.run("USone", "one@acme.test", "one@acme.test", "One");
  user.run("UStwo", "two@acme.test", "two@acme.test", null);
  raw.prepare(`INSERT INTO groups (id, org_id, display_name, builtin, data, version, created, last_modified)
    VALUES ('GPg', 'ORa', 'Team', 0, '{}', 1, 't', 't')`).run();
  raw.exec("INSERT INTO group_members (group_seq, user_seq, org_id) SELECT g.seq, u.seq, u.org_id FROM groups g, users u");
  raw.close();
}

describe("sqlite migration 8 (member id and display in the membership row)", () => {
  it("backfills the id and display (displayName, else userName) of memberships written before it", async () => {
    const file = join(dir, "v7.db");
    version7(file);
    const store = openSqliteStore({ path: file });
    try {
      expect(await store.groups.listMembers("ORa", "GPg", 10)).toMatchObject([{ id: "USone", display: "One" }, { id: "UStwo", display: "two@acme.test" }]);
    } finally {
      await store.close();
    }
  });

  it("reads a group's members from the membership key alone, without a lookup into users", () => {
    const db = new Database(":memory:");
    migrate(db);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN SELECT user_seq, user_id, display FROM group_members
      WHERE group_seq = (SELECT seq FROM groups WHERE org_id = ? AND id = ?) AND user_seq > ? ORDER BY user_seq LIMIT ?`)
      .all("ORa", "GPg", 0, 10) as { detail: string }[]).map((r) => r.detail);
    expect(plan[0]).toMatch(/^SEARCH group_members USING PRIMARY KEY \(group_seq=\? AND user_seq>\?\)$/);
    expect(plan.join(" | ")).not.toMatch(/\busers\b.*rowid|TEMP B-TREE/);
  });
});
