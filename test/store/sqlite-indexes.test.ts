/** IdP lookups are answered from indexes, not scans: checked with SQLite's own query plan. */
import Database from "better-sqlite3";
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
    ['emails[type eq "work"].value eq "alice@acme.test"', /USING INDEX user_emails_org_value/],
    ['emails.value eq "alice@acme.test"', /USING INDEX user_emails_org_value/],
  ])("answers %s from an index", (filter, index) => {
    const p = plan("users", "u", USER_MAP, filter);
    expect(p).toMatch(index);
    expect(p).not.toMatch(/^SCAN u\b/);
  });

  it("answers displayName eq on groups from an index", () => {
    expect(plan("groups", "g", GROUP_MAP, 'displayName eq "Engineering"', GROUPS)).toMatch(/USING INDEX groups_org_display_name/);
  });
});
