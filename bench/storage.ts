/**
 * `npm run bench -- --storage [--users N (100000)] [--writes W (2000)] [--out DIR]` (issue 23 item
 * 3): what the embedded store takes on disk.
 *
 * 1. The benchmark's data set (bench/dataset.ts: N Entra-like users, each in the Standard User role
 *    group and the all-users group, N/100 groups) is built and measured with SQLite's dbstat:
 *    bytes of each table and of each table's indexes, per user.
 * 2. The production server is started on it and W users are created with POST /Users, then each is
 *    deactivated with PATCH: what a create and an update add (the user, its memberships, its audit
 *    event and whatever else the request writes), by table, measured the same way. The data set of
 *    step 1 carries no audit history; step 2 says what the history costs.
 * Results go to DIR/storage.json and DIR/storage.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { buildDataset } from "./dataset";
import { PATCH_SCHEMA, userBody } from "./fixtures";
import { ROOT } from "./product";
import { startServer } from "./servers";

export interface StorageOptions {
  users: number;
  writes: number;
  out: string;
  log: (s: string) => void;
}

/** Bytes by table, each table's indexes counted with it; rows by table. */
interface Usage {
  tables: Record<string, { rows: number; tableBytes: number; indexBytes: number }>;
  fileBytes: number;
}

function usage(dbPath: string): Usage {
  const db = new Database(dbPath, { readonly: true });
  try {
    const owner = new Map<string, string>();
    for (const r of db.prepare("SELECT name, tbl_name, type FROM sqlite_schema WHERE type IN ('table', 'index')").all() as { name: string; tbl_name: string; type: string }[]) {
      owner.set(r.name, r.tbl_name);
    }
    const tables: Usage["tables"] = {};
    for (const r of db.prepare("SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name").all() as { name: string; bytes: number }[]) {
      const table = owner.get(r.name) ?? r.name;
      const t = (tables[table] ??= { rows: 0, tableBytes: 0, indexBytes: 0 });
      if (table === r.name) t.tableBytes += r.bytes;
      else t.indexBytes += r.bytes;
    }
    for (const name of Object.keys(tables)) {
      if (name.startsWith("sqlite_")) continue;
      try {
        tables[name]!.rows = (db.prepare(`SELECT count(*) AS n FROM "${name.replace(/"/g, '""')}"`).get() as { n: number }).n;
      } catch { /* a virtual or internal table */ }
    }
    const pages = (db.pragma("page_count", { simple: true }) as number) * (db.pragma("page_size", { simple: true }) as number);
    return { tables, fileBytes: pages };
  } finally {
    db.close();
  }
}

function diff(a: Usage, b: Usage): Usage["tables"] {
  const out: Usage["tables"] = {};
  for (const name of new Set([...Object.keys(a.tables), ...Object.keys(b.tables)])) {
    const x = a.tables[name] ?? { rows: 0, tableBytes: 0, indexBytes: 0 };
    const y = b.tables[name] ?? { rows: 0, tableBytes: 0, indexBytes: 0 };
    const d = { rows: y.rows - x.rows, tableBytes: y.tableBytes - x.tableBytes, indexBytes: y.indexBytes - x.indexBytes };
    if (d.rows !== 0 || d.tableBytes !== 0 || d.indexBytes !== 0) out[name] = d;
  }
  return out;
}

async function send(url: string, token: string, method: string, path: string, body: unknown): Promise<{ status: number; json: { id?: string } }> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/scim+json" }, body: JSON.stringify(body) });
    const text = await res.text();
    if (res.status === 429 && attempt < 20) { await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get("retry-after") ?? 1))); continue; }
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return { status: res.status, json: text ? (JSON.parse(text) as { id?: string }) : {} };
  }
}

const mb = (n: number) => (n / 1e6).toFixed(1);
const per = (bytes: number, n: number) => Math.round(bytes / n).toLocaleString("en-US");

export async function runStorage(o: StorageOptions): Promise<void> {
  const dir = mkdtempSync(join(process.env.TMPDIR ?? "/tmp", "orgscim-storage-"));
  try {
    const groups = Math.min(1000, Math.max(10, Math.floor(o.users / 100)));
    o.log(`building the data set: ${o.users} users, ${groups} groups`);
    const data = await buildDataset(dir, { users: o.users, groups });
    const base = usage(data.dbPath);
    o.log(`  ${mb(base.fileBytes)} MB in use`);

    const server = await startServer(0, join(ROOT, "dist", "main.js"), { DATABASE_URL: data.url, LOG_LEVEL: "warn" });
    const ids: string[] = [];
    let afterPost: Usage;
    try {
      o.log(`POST /Users ×${o.writes}`);
      for (let i = 0; i < o.writes; i++) {
        const key = `w${String(i).padStart(7, "0")}`;
        const r = await send(server.url, data.ctx.token, "POST", "/scim/v2/Users", userBody(key, o.users + i));
        ids.push(r.json.id as string);
      }
      // Each PATCH is a change (the users were just created active): a write that changes nothing
      // writes nothing, so deactivating a user twice would add nothing to measure.
      o.log(`PATCH /Users/{id} active false ×${o.writes}`);
      afterPost = usage(data.dbPath);
      for (const id of ids) {
        await send(server.url, data.ctx.token, "PATCH", `/scim/v2/Users/${id}`, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "active", value: false }] });
      }
    } finally {
      await server.stop();
    }
    const afterPatch = usage(data.dbPath);
    const postDiff = diff(base, afterPost);
    const patchDiff = diff(afterPost, afterPatch);

    const lines = [
      `### Storage on SQLite (\`npm run bench -- --storage --users ${o.users} --writes ${o.writes}\`, ${new Date().toISOString().slice(0, 10)})`,
      "",
      `The data set: ${o.users.toLocaleString("en-US")} users (Entra-like, ~1.2 KB of SCIM each), ${groups.toLocaleString("en-US")} groups, every user in two groups; no audit history. Bytes from SQLite's dbstat (pages in use, so free space inside pages counts).`,
      "",
      "| table | rows | table MB | its indexes MB | bytes per user (table + indexes) |",
      "|---|---|---|---|---|",
    ];
    const sorted = Object.entries(base.tables).sort((a, b) => b[1].tableBytes + b[1].indexBytes - (a[1].tableBytes + a[1].indexBytes));
    let total = 0;
    for (const [name, t] of sorted) {
      total += t.tableBytes + t.indexBytes;
      if (t.tableBytes + t.indexBytes < 64 * 1024) continue;
      lines.push(`| ${name} | ${t.rows.toLocaleString("en-US")} | ${mb(t.tableBytes)} | ${mb(t.indexBytes)} | ${per(t.tableBytes + t.indexBytes, o.users)} |`);
    }
    lines.push(`| **all** (tables under 64 KB included) | | | | **${per(total, o.users)}** (${mb(total)} MB) |`, "");
    const writesTable = (title: string, d: Usage["tables"]) => {
      lines.push(`${title}, per request:`, "", "| table | rows | bytes (table + indexes) |", "|---|---|---|");
      let sum = 0;
      for (const [name, t] of Object.entries(d).sort((a, b) => b[1].tableBytes + b[1].indexBytes - (a[1].tableBytes + a[1].indexBytes))) {
        sum += t.tableBytes + t.indexBytes;
        lines.push(`| ${name} | ${(t.rows / o.writes).toFixed(2)} | ${per(t.tableBytes + t.indexBytes, o.writes)} |`);
      }
      lines.push(`| **all** | | **${per(sum, o.writes)}** |`, "");
      return sum / o.writes;
    };
    const postBytes = writesTable(`What POST /Users adds (${o.writes.toLocaleString("en-US")} creates over HTTP)`, postDiff);
    const patchBytes = writesTable(`What PATCH active false adds (${o.writes.toLocaleString("en-US")} updates over HTTP)`, patchDiff);
    const text = lines.join("\n");
    mkdirSync(o.out, { recursive: true });
    writeFileSync(join(o.out, "storage.json"), JSON.stringify({ users: o.users, groups, writes: o.writes, dataset: base, postPerRequest: postBytes, patchPerRequest: patchBytes, postDiff, patchDiff }, null, 2));
    writeFileSync(join(o.out, "storage.md"), text + "\n");
    console.log(`\n${text}\n`);
    console.log(`written: ${join(o.out, "storage.json")}, storage.md`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
