// Dumps a SQLite store as SQL text: tables, their rows (and sqlite_sequence), then indexes and
// triggers, so loading it fires no trigger and leaves the file as the old version left it.
import Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";

const [file, outDir, commit] = process.argv.slice(2);
if (!file || !outDir || !commit) {
  process.stderr.write("usage: node dist-scripts/upgrade-fixture/dump.js STORE.db OUT_DIR COMMIT\n");
  process.exit(2);
}
const db = new Database(file, { readonly: true });
const quote = (v: unknown): string => {
  if (v === null) return "NULL";
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  if (Buffer.isBuffer(v)) return `X'${v.toString("hex")}'`;
  return `'${String(v).replace(/'/g, "''")}'`;
};
const objects = db.prepare<[], { type: string; name: string; sql: string }>("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid").all();
const version = db.prepare<[], number>("SELECT max(version) AS v FROM schema_migrations").pluck().get();
const out = [`-- A SQLite store written by orgscim at commit ${commit} (schema version ${version}), made by scripts/upgrade-fixture/make.sh.`, "PRAGMA foreign_keys = OFF;", "BEGIN;"];
for (const o of objects.filter((o) => o.type === "table")) {
  out.push(`${o.sql};`);
}
for (const name of [...objects.filter((o) => o.type === "table").map((o) => o.name), "sqlite_sequence"]) {
  // Generated columns (table_xinfo hidden 2 or 3) take no value in an INSERT: the stored columns are named.
  const columns = db.prepare<[], { name: string; hidden: number }>(`PRAGMA table_xinfo("${name}")`).all().filter((c) => c.hidden === 0).map((c) => `"${c.name}"`).join(", ");
  for (const row of db.prepare<[], unknown[]>(`SELECT ${columns} FROM "${name}"`).raw().all()) out.push(`INSERT INTO "${name}" (${columns}) VALUES (${row.map(quote).join(", ")});`);
}
for (const o of objects.filter((o) => o.type !== "table")) out.push(`${o.sql};`);
out.push("COMMIT;", "");
const target = path.join(outDir, `store-schema-${version}.sql`);
fs.writeFileSync(target, out.join("\n"));
process.stdout.write(`wrote ${target}\n`);
