// What the SQLite audit repository's append of one event costs (the row every write adds in its
// transaction), counted rather than timed: a group.update event as a member PATCH writes it, --per N
// a transaction (10: a group commit at 10 connections; 1: a commit of its own), in a savepoint each
// as the group committer runs a request, on a WAL file with the store's pragmas (synchronous OFF: no
// fsync in the count), after 20,000 events of the same organization (indexes of some depth). Prints
// the WAL frames (pages) a commit appends, exact: each frame is two pwrite64 calls, kernel time that
// no instruction count sees. Run it under callgrind at two call counts; the difference over the calls
// added is per append, what starting node costs cancelling out:
//   npm run build && for n in 1000 3000; do valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//     node bench/audit-append-cost.mjs --tree DIR --calls $n 2>&1 | grep -E 'Collected|frames'; done
// (instructions per append = (Collected at 3000 - Collected at 1000) / 2000). Without valgrind it
// prints the process CPU per append too, for a rough look.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const TREE = resolve(String(arg("tree", join(fileURLToPath(import.meta.url), "..", ".."))));
const CALLS = Number(arg("calls", 2000));
const PER = Number(arg("per", 10));
const require = createRequire(join(TREE, "package.json"));
const Database = require("better-sqlite3");
const { migrate } = require(join(TREE, "dist", "store", "sqlite", "migrations.js"));
const { sqliteAudit } = require(join(TREE, "dist", "store", "sqlite", "misc.js"));

const dir = mkdtempSync(join(tmpdir(), "orgscim-audit-append-cost-"));
try {
  const file = join(dir, "a.db");
  const db = new Database(file);
  for (const p of ["journal_mode = WAL", "synchronous = OFF", "foreign_keys = ON", "temp_store = MEMORY"]) db.pragma(p);
  migrate(db);
  const hex = (n) => n.toString(16).padStart(32, "0");
  const ORG = `OR${hex(1)}`;
  const audit = sqliteAudit(db);
  let k = 0;
  const event = () => {
    k++;
    return { id: `AE${hex(k)}`, orgId: ORG, time: new Date(Date.UTC(2026, 0, 1) + k).toISOString(), actor: `TK${hex(3)}`, action: "group.update",
      targetType: "Group", targetId: `GP${hex(k % 50)}`, outcome: "success", before: null, after: { members: { added: [`US${hex(k)}`] }, version: k } };
  };
  const begin = db.prepare("BEGIN IMMEDIATE");
  const commit = db.prepare("COMMIT");
  const run = async (calls) => {
    for (let i = 0; i < calls; i += PER) {
      begin.run();
      for (let j = 0; j < PER; j++) {
        db.exec("SAVEPOINT gc1");
        await audit.append(event());
        db.exec("RELEASE gc1");
      }
      commit.run();
    }
  };
  await run(20_000);
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.pragma("wal_autocheckpoint = 0");
  const pageSize = Number(db.pragma("page_size", { simple: true }));
  const cpu = process.cpuUsage();
  await run(CALLS);
  const used = process.cpuUsage(cpu);
  const frames = (statSync(`${file}-wal`).size - 32) / (pageSize + 24);
  console.log(`${TREE}: ${CALLS} appends, ${PER} a commit: ${(frames / (CALLS / PER)).toFixed(2)} WAL frames a commit, ${(frames / CALLS).toFixed(2)} an append; ${((used.user + used.system) / CALLS).toFixed(1)} µs of CPU each`);
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
