/** IdP lookups are answered from indexes, not scans: checked with SQLite's own query plan. */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { migrate } from "../../src/store/sqlite/migrations";
import { compileFilter } from "../../src/store/sqlite/filter-sql";
import { GROUP_MAP, USER_MAP } from "../../src/store/sqlite/resource-maps";
import { parseFilter } from "../../src/scim/filter/parse";
import { GROUPS, USERS } from "../../src/scim/resource-types";

const db = new Database(":memory:");
migrate(db);

function plan(table: string, alias: string, map: typeof USER_MAP, filter: string, type = USERS): string {
  const compiled = compileFilter(parseFilter(filter, type.resolver), map, { orgId: "ORx" });
  const rows = db.prepare(`EXPLAIN QUERY PLAN SELECT ${alias}.id FROM ${table} ${alias} WHERE ${alias}.org_id = ? AND (${compiled.sql})`)
    .all("ORx", ...compiled.params) as { detail: string }[];
  return rows.map((r) => r.detail).join(" | ");
}

describe("sqlite indexes for identity-provider lookups", () => {
  it.each([
    ['userName eq "alice@acme.test"', /USING INDEX users_org_user_name/],
    ['externalId eq "00u1"', /USING INDEX users_org_external_id/],
    ['emails[type eq "work"].value eq "alice@acme.test"', /USING INDEX user_emails_org_value_fold/],
    ['emails.value eq "alice@acme.test"', /USING INDEX user_emails_org_value_fold/],
  ])("answers %s from an index", (filter, index) => {
    const p = plan("users", "u", USER_MAP, filter);
    expect(p).toMatch(index);
    expect(p).not.toMatch(/^SCAN u\b/);
  });

  it("answers displayName eq on groups from an index", () => {
    expect(plan("groups", "g", GROUP_MAP, 'displayName eq "Engineering"', GROUPS)).toMatch(/USING INDEX groups_org_display_name/);
  });
});

describe("sqlite query plans at scale (statistics gathered by the store)", () => {
  // 5,000 users of one organization plus a few of another, written straight into a migrated file,
  // then the store opened over it: what the store does at open must leave plans that do not walk
  // the organization. Without statistics the email lookup below walked every user of the org.
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "orgscim-plans-"));
    file = join(dir, "plans.db");
    const raw = new Database(file);
    migrate(raw);
    raw.prepare("INSERT INTO organizations (id, name, settings, created, last_modified) VALUES (?, ?, '{}', 't', 't')").run("ORa", "A");
    raw.prepare("INSERT INTO organizations (id, name, settings, created, last_modified) VALUES (?, ?, '{}', 't', 't')").run("ORb", "B");
    const user = raw.prepare(`INSERT INTO users (id, org_id, user_name, user_name_fold, active, status, data, version, created, last_modified)
      VALUES (?, ?, ?, ?, 1, ?, '{}', 1, 't', 't')`);
    const email = raw.prepare("INSERT INTO user_emails (user_seq, org_id, value, type, is_primary) VALUES (?, ?, ?, 'work', 1)");
    raw.transaction(() => {
      for (let i = 0; i < 5_000; i++) {
        const org = i % 1000 === 999 ? "ORb" : "ORa";
        const name = `u${i}@acme.test`;
        const seq = Number(user.run(`US${i}`, org, name, name, i % 7 === 0 ? "independent" : "managed").lastInsertRowid);
        email.run(seq, org, name);
      }
    })();
    raw.close();
    const store = openSqliteStore({ path: file });
    await store.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function planOf(sql: string, ...params: unknown[]): string {
    const db = new Database(file, { readonly: true });
    try {
      return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(" | ");
    } finally {
      db.close();
    }
  }

  it("looks a work email up in the email index and fetches its user by rowid", () => {
    const compiled = compileFilter(parseFilter('emails[type eq "work"].value eq "u42@acme.test"', USERS.resolver), USER_MAP, { orgId: "ORa" });
    const p = planOf(`SELECT u.id FROM users u WHERE u.org_id = ? AND u.status <> 'independent' AND (${compiled.sql})`, "ORa", ...compiled.params);
    expect(p).toMatch(/USING INDEX user_emails_org_value_fold/);
    expect(p).toMatch(/SEARCH u USING INTEGER PRIMARY KEY \(rowid=\?\)/);
  });

  it("pages an organization's members in seq order without sorting the organization", () => {
    const offset = planOf("SELECT u.id FROM users u WHERE u.org_id = ? AND u.status <> 'independent' ORDER BY u.seq LIMIT 100 OFFSET 2000", "ORa");
    const cursor = planOf("SELECT u.id FROM users u WHERE u.org_id = ? AND u.status <> 'independent' AND u.seq > ? ORDER BY u.seq LIMIT 101", "ORa", 2500);
    for (const p of [offset, cursor]) expect(p).not.toMatch(/TEMP B-TREE/);
  });
});
