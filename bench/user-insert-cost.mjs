// What the SQLite users repository's insert of one user costs, counted in instructions rather than
// timed (CPU time on this shared 2-core machine varies by more than a few µs a create): one
// bench-shaped user a transaction (its row, 2 email rows, the member-count trigger), inside a
// savepoint as the group committer runs a request (BEGIN IMMEDIATE, SAVEPOINT, insert, RELEASE,
// COMMIT), on a WAL file with the store's pragmas (synchronous OFF: no fsync in the count).
// Run it under callgrind for two call counts; the difference over the calls added is per insert,
// what starting node and V8 cost cancels out:
//   npm run build && for n in 1000 3000; do valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//     node bench/user-insert-cost.mjs --tree DIR --calls $n 2>&1 | grep Collected; done
// (instructions per insert = (Collected at 3000 - Collected at 1000) / 2000). Without valgrind it
// prints the process CPU per insert, for a rough look.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const TREE = resolve(String(arg("tree", join(fileURLToPath(import.meta.url), "..", ".."))));
const CALLS = Number(arg("calls", 2000));
const require = createRequire(join(TREE, "package.json"));
const Database = require("better-sqlite3");
const { migrate } = require(join(TREE, "dist", "store", "sqlite", "migrations.js"));
const { sqliteUsers } = require(join(TREE, "dist", "store", "sqlite", "users.js"));

const dir = mkdtempSync(join(tmpdir(), "orgscim-user-insert-cost-"));
try {
  const db = new Database(join(dir, "u.db"));
  for (const p of ["journal_mode = WAL", "synchronous = OFF", "foreign_keys = ON", "temp_store = MEMORY"]) db.pragma(p);
  migrate(db);
  const T = "2026-01-01T00:00:00.000Z";
  db.prepare("INSERT INTO organizations (id, name, settings, created, last_modified) VALUES ('ORcost', 'Cost', '{}', ?, ?)").run(T, T);
  const users = sqliteUsers(db);
  const user = (i) => {
    const emails = [{ value: `u${i}.work@mail.bench.example.com`, type: "work", primary: true }, { value: `u${i}@home.bench.example.org`, type: "home" }];
    return { id: `US${String(i).padStart(30, "0")}`, orgId: "ORcost", userName: `u${i}@bench.example.com`, externalId: `ext-${i}`, displayName: `User ${i}`,
      active: true, status: "managed", orgRole: "standard", twoFactorRequired: false, passwordResetRequired: false, emails,
      data: { userName: `u${i}@bench.example.com`, name: { givenName: "Ada", familyName: "Lovelace" }, emails, active: true }, version: 1, created: T, lastModified: T };
  };
  const begin = db.prepare("BEGIN IMMEDIATE");
  const commit = db.prepare("COMMIT");
  const cpu = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) {
    begin.run();
    db.exec("SAVEPOINT gc1");
    await users.insert(user(i));
    db.exec("RELEASE gc1");
    commit.run();
  }
  const used = process.cpuUsage(cpu);
  console.log(`${TREE}: ${CALLS} inserts, ${((used.user + used.system) / CALLS).toFixed(1)} µs of CPU each`);
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
