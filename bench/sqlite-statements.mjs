// A/B of single SQLite statements on a store built by the product's own code (dist/): the µs of
// one execution, median of several rounds, the two variants interleaved so the machine's other
// load falls on both. What it compares (each the product's SQL before and after a change):
//   page:    a page query with a bound `LIMIT ?` against the same with a literal LIMIT
//   create:  a user create inside BEGIN IMMEDIATE/COMMIT with temp_store DEFAULT against MEMORY
//   groups:  the groups of a page of 100 users, one query per user against one query for the page
//   member:  one membership added, by the JSON-array statement of many against the one-row statement
//   group:   a create as the transaction that opens a group commit, in a savepoint against without
//   npm run build && node bench/sqlite-statements.mjs [--users 20000] [--rounds 7]
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const USERS = Number(arg("users", 20000));
const ROUNDS = Number(arg("rounds", 7));
const dir = mkdtempSync(join(tmpdir(), "orgscim-stmts-"));
const path = join(dir, "s.db");

const { openSqliteStore } = require("../dist/store/sqlite/store.js");
const store = openSqliteStore({ path, durability: "normal", backgroundCheckpoints: false });
const org = "ORGbench";
const now = new Date().toISOString();
await store.orgs.insert({ id: org, name: "bench", settings: {}, created: now, lastModified: now });
const user = (i) => ({
  id: `U${String(i).padStart(31, "0")}`, orgId: org, userName: `user${i}@example.com`, externalId: `ext${i}`, displayName: `User ${i}`,
  active: true, status: "managed", orgRole: "standard", twoFactorRequired: false, passwordResetRequired: false,
  emails: [{ value: `user${i}@example.com`, type: "work", primary: true }], data: { emails: [{ value: `user${i}@example.com`, type: "work", primary: true }] },
  version: 1, created: now, lastModified: now,
});
await store.batch(async () => {
  await store.transaction(async (tx) => {
    for (let i = 0; i < USERS; i++) await tx.users.insert(user(i));
    for (let g = 0; g < 3; g++) {
      await tx.groups.insert({ id: `G${g}`, orgId: org, displayName: `g${g}`, externalId: null, builtin: false, binding: null, data: {}, version: 1, created: now, lastModified: now });
      await tx.groups.addMembers(org, `G${g}`, Array.from({ length: USERS }, (_, i) => user(i).id).filter((_, i) => i % (g + 2) === 0));
    }
  });
});
await store.close();

const db = new Database(path);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.pragma("secure_delete = ON"); // as the store opens it
db.exec("ANALYZE");

const time = (n, fn) => { const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) fn(i); return Number(process.hrtime.bigint() - t) / 1e3 / n; };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function ab(name, n, a, b) {
  const ra = [], rb = [];
  for (let r = 0; r < ROUNDS; r++) { ra.push(time(n, a)); rb.push(time(n, b)); }
  console.log(`${name.padEnd(58)} A ${median(ra).toFixed(1).padStart(7)} µs   B ${median(rb).toFixed(1).padStart(7)} µs`);
}

const COLS = "u.seq, u.id, u.org_id, u.user_name, u.external_id, u.display_name, u.active, u.status, u.org_role, u.two_factor_required, u.password_reset_required, u.data, u.version, u.created, u.last_modified";
const where = "u.org_id = ? AND u.status <> 'independent'";
const deep = Math.floor(USERS * 0.9);
const cursorBound = db.prepare(`SELECT ${COLS} FROM users u WHERE ${where} AND u.seq > ? ORDER BY u.seq LIMIT ?`);
const cursorLiteral = db.prepare(`SELECT ${COLS} FROM users u WHERE ${where} AND u.seq > ? ORDER BY u.seq LIMIT 101`);
ab("cursor page of 100 (A bound LIMIT ?, B literal)", 200, () => cursorBound.all(org, deep, 101), () => cursorLiteral.all(org, deep));
const eqBound = db.prepare(`SELECT ${COLS} FROM users u WHERE ${where} AND (u.user_name_fold = ?) ORDER BY u.seq LIMIT ? OFFSET ?`);
const eqLiteral = db.prepare(`SELECT ${COLS} FROM users u WHERE ${where} AND (u.user_name_fold = ?) ORDER BY u.seq LIMIT 100 OFFSET ?`);
ab("filter userName eq page (A bound LIMIT ?, B literal)", 5000, (i) => eqBound.all(org, `user${i % USERS}@example.com`, 100, 0), (i) => eqLiteral.all(org, `user${i % USERS}@example.com`, 0));

const ofUser = db.prepare(`SELECT g.id, g.display_name, g.builtin, g.binding FROM group_members m JOIN groups g ON g.seq = m.group_seq
      WHERE m.user_seq = (SELECT seq FROM users WHERE org_id = ? AND id = ?) ORDER BY g.seq`);
const ofUsers = db.prepare(`SELECT m.user_id, g.id, g.display_name, g.builtin, g.binding FROM json_each(?) j
      JOIN users u ON u.org_id = ? AND u.id = j.value JOIN group_members m ON m.user_seq = u.seq JOIN groups g ON g.seq = m.group_seq ORDER BY m.user_seq, g.seq`);
const page = cursorLiteral.all(org, deep).slice(0, 100).map((r) => r.id);
ab("groups of a 100-user page (A 100 queries, B one)", 50, () => { for (const id of page) ofUser.all(org, id); }, () => ofUsers.all(JSON.stringify(page), org));

// One membership added (a create's role group, an IdP's PATCH of one member): the JSON-array statement
// of many (src/store/sqlite/groups.ts `add`) against the one-row statement (`addOne`), in a transaction
// rolled back after each round so that both add the same rows.
const addJson = db.prepare(`INSERT OR IGNORE INTO group_members (group_seq, user_seq, org_id, user_id, display, id, created)
      SELECT g.seq, u.seq, g.org_id, u.id, coalesce(u.display_name, u.user_name), j.value ->> 1, @created
      FROM groups g CROSS JOIN json_each(@members) j CROSS JOIN users u
      WHERE g.org_id = @org AND g.id = @group AND u.id = j.value ->> 0 AND u.org_id = g.org_id ORDER BY j.key`);
const addOne = db.prepare(`INSERT OR IGNORE INTO group_members (group_seq, user_seq, org_id, user_id, display, id, created)
      SELECT g.seq, u.seq, g.org_id, u.id, coalesce(u.display_name, u.user_name), @membership, @created
      FROM groups g CROSS JOIN users u WHERE g.org_id = @org AND g.id = @group AND u.id = @user AND u.org_id = g.org_id`);
const gm = (i) => `GM${String(i).padStart(32, "0")}`;
const rolledBack = (fn) => (i) => { if (i === 0) db.exec("BEGIN"); fn(i); if (i === 999) db.exec("ROLLBACK"); };
ab("one membership added (A JSON array, B one-row statement)", 1000,
  rolledBack((i) => addJson.run({ org, group: "G0", members: JSON.stringify([[user(2 * i + 1).id, gm(i)]]), created: now })),
  rolledBack((i) => addOne.run({ org, group: "G0", user: user(2 * i + 1).id, membership: gm(i), created: now })));

// A create as the product makes it: the user row (a trigger keeps the member count), two email rows, audit.
const insertUser = db.prepare(`INSERT INTO users (id, org_id, user_name, user_name_fold, external_id, display_name, active, status, org_role,
      two_factor_required, password_reset_required, primary_email, data, version, created, last_modified)
      VALUES (?, ?, ?, ?, NULL, ?, 1, 'managed', 'standard', 0, 0, ?, ?, 1, ?, ?)`);
const insertEmail = db.prepare("INSERT INTO user_emails (user_seq, org_id, value, value_fold, type, is_primary) VALUES (?, ?, ?, ?, ?, ?)");
let k = USERS;
const create = () => {
  const i = k++;
  const name = `new${i}@example.com`;
  db.exec("BEGIN IMMEDIATE");
  const seq = Number(insertUser.run(`N${i}`, org, name, name, name, name, JSON.stringify(user(i).data), now, now).lastInsertRowid);
  insertEmail.run(seq, org, name, name, "work", 1);
  insertEmail.run(seq, org, `alt${i}@example.com`, `alt${i}@example.com`, "home", 0);
  db.exec("COMMIT");
};
// A create (users, two emails) as the transaction that opens a group commit (src/store/sqlite/group-commit.ts):
// A in a savepoint of its own, as every transaction was, B without (the one that opens a group has none now).
const inGroup = (savepoint) => () => {
  const i = k++;
  const name = `new${i}@example.com`;
  db.exec("BEGIN IMMEDIATE");
  if (savepoint) db.exec("SAVEPOINT gc1");
  const seq = Number(insertUser.run(`N${i}`, org, name, name, name, name, JSON.stringify(user(i).data), now, now).lastInsertRowid);
  insertEmail.run(seq, org, name, name, "work", 1);
  insertEmail.run(seq, org, `alt${i}@example.com`, `alt${i}@example.com`, "home", 0);
  if (savepoint) db.exec("RELEASE gc1");
  db.exec("COMMIT");
};
ab("create opening its group (A in a savepoint, B not)", 300, inGroup(true), inGroup(false));
const rc = [], rm = [];
for (let r = 0; r < ROUNDS; r++) {
  db.pragma("temp_store = DEFAULT"); rc.push(time(300, create));
  db.pragma("temp_store = MEMORY"); rm.push(time(300, create));
}
console.log(`${"create in its own transaction (A temp_store DEFAULT, B MEMORY)".padEnd(58)} A ${median(rc).toFixed(1).padStart(7)} µs   B ${median(rm).toFixed(1).padStart(7)} µs`);
db.close();
rmSync(dir, { recursive: true, force: true });
