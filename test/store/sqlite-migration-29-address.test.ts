/**
 * Migration 29 (docs/security.md case 85): a user written before it with no emails and an email
 * userName had no primary_email, so as a managed user it held no address against other
 * organizations (isManagedElsewhere, the invitation accept). Rules: such a user gets its userName
 * as primary_email, exactly when looksLikeEmail (src/domain/user-checks.ts) says the userName is an
 * email address; a user whose primary_email is set keeps it; nothing else of any row changes; after
 * it, another organization sees the address managed.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { looksLikeEmail } from "../../src/domain/user-checks";
import { migrate } from "../../src/store/sqlite/migrations";
import { EMAIL_SHAPED_29 } from "../../src/store/sqlite/schema-steps-28";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { migrateBelow } from "../helpers/sqlite-version";

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "orgscim-mig29-")); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Names at the edges of the rule: "@" placement and count, dots at either end of the domain, Unicode, and every whitespace. */
function names(): string[] {
  const out = [
    "bob@x.test", "Bob@X.Test", "b@x.y", "@x.test", "bob@", "bob@x", "bob@.test", "bob@x.", "bob@x..test", "bob@@x.test", "bob@x@y.test",
    "bob", "", ".", "@", "a@b.c.d", "a.b@c.d", "a@.b.c", "a@b.", "jürgen@bücher.de", "名前@例え.テスト", "a@b.c\u{1F600}", "\u{1F600}@b.c",
    "bob@x.test ", " bob@x.test", "bo b@x.test", "bob@x. test", "bob@x.t\u00a0est", "bob\u3000@x.test", "bob@x.test\n", "bob@x.te\u200bst",
  ];
  // Every BMP code point inside the local part and inside the domain: the whitespace set must be JavaScript's \s exactly.
  // From 1: SQLite's GLOB ends a string at NUL, so a userName holding NUL keeps no address here (writes since give it one).
  for (let c = 1; c < 0x10000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    const ch = String.fromCharCode(c);
    if (/\s/.test(ch) || c % 97 === 0) out.push(`a${ch}b@x.test`, `ab@x${ch}y.test`);
  }
  return out;
}

const USERS_COLUMNS = "id, org_id, user_name, user_name_fold, active, status, primary_email, data, version, created, last_modified";

describe("sqlite migration 29 (an email userName is the address of a user without emails)", () => {
  it("says a name is email-shaped exactly when looksLikeEmail does, for every name at the rule's edges", () => {
    const db = new Database(":memory:");
    const all = names();
    const shaped = db.prepare(`SELECT j.value AS name FROM json_each(?) j WHERE ${EMAIL_SHAPED_29("j.value")}`).pluck().all(JSON.stringify(all)) as string[];
    expect(shaped.sort()).toEqual(all.filter(looksLikeEmail).sort());
    expect(all.filter(looksLikeEmail).length).toBeGreaterThan(10); // the comparison sees both answers
    expect(all.filter((n) => !looksLikeEmail(n)).length).toBeGreaterThan(10);
  });

  it("gives the users without an address their email userName, leaves the others, and the address is then managed for other organizations", async () => {
    const file = join(dir, "v28.db");
    const raw = new Database(file);
    migrateBelow(raw, 29);
    for (const org of ["ORa", "ORb", "ORc"]) raw.prepare("INSERT INTO organizations (id, name, settings, created, last_modified) VALUES (?, ?, '{}', 't', 't')").run(org, org);
    const insert = raw.prepare(`INSERT INTO users (${USERS_COLUMNS}) VALUES (?, ?, ?, ?, 1, ?, ?, '{}', 1, 't', 't')`);
    const rows: Array<[string, string, string, string, string | null]> = [
      ["US1", "ORa", "Bob@Acme.test", "managed", null], // the case: no emails, an email userName
      ["US2", "ORa", "carol", "managed", null], // no emails, a userName that is no address
      ["US3", "ORa", "dave@acme.test", "managed", "d.other@acme.test"], // emails: its primary stays
      ["US4", "ORa", "erin@acme.test", "pending", null], // every status gets it, as writes do
      ["US5", "ORb", "bob @acme.test", "managed", null], // not an address (whitespace)
    ];
    for (const [id, org, name, status, primary] of rows) insert.run(id, org, name, name.toLowerCase(), status, primary);
    const before = raw.prepare("SELECT * FROM users ORDER BY seq").all() as Array<Record<string, unknown>>;
    raw.close();

    const db = new Database(file);
    expect(migrate(db)).toEqual([29]);
    const after = db.prepare("SELECT * FROM users ORDER BY seq").all() as Array<Record<string, unknown>>;
    db.close();
    expect(after.map((r) => r.primary_email)).toEqual(["Bob@Acme.test", null, "d.other@acme.test", "erin@acme.test", null]);
    // Nothing else of any row changed.
    expect(after.map(({ primary_email: _p, ...rest }) => rest)).toEqual(before.map(({ primary_email: _p, ...rest }) => rest));

    const store = openSqliteStore({ path: file });
    try {
      expect(await store.users.isManagedElsewhere("ORc", "bob@acme.test")).toBe(true);
      expect(await store.users.isManagedElsewhere("ORa", "bob@acme.test")).toBe(false); // its own organization
      expect(await store.users.isManagedElsewhere("ORc", "carol")).toBe(false);
      expect(await store.users.isManagedElsewhere("ORc", "erin@acme.test")).toBe(false); // pending: not managed
    } finally {
      await store.close();
    }
  });
});
