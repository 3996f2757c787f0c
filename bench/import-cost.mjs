// What `orgscim import` costs a user: the bench's import (bench/cli-import.ts: an NDJSON export of
// bench-shaped users, bench/fixtures.ts userBody, imported into an empty organization of a fresh
// SQLite store, the command pinned to one core) run for each tree in turn, alternately, reading the
// command's wall time and its CPU (user + sys, /usr/bin/time) a user.
//   node bench/import-cost.mjs --trees A,B [--users 100000] [--runs 3] [--core 0] [--keep FILE]
// Each tree must be built (npm run build). The file is written once (to --keep when given, else a
// temporary folder) and read by every run.
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, rmSync } from "node:fs";
import { once } from "node:events";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { benchUser } from "./bench-user.mjs";

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const TREES = String(arg("trees", ".")).split(",").map((t) => resolve(t));
const USERS = Number(arg("users", 100000));
const RUNS = Number(arg("runs", 3));
const CORE = String(arg("core", "0"));
const KEEP = arg("keep", undefined);

/** bench/fixtures.ts userBody(key, n), with bench/cli-import.ts's keys. */
const userBody = (n) => benchUser(n, "cli");

async function writeExport(file) {
  const out = createWriteStream(file);
  out.write(`${JSON.stringify({ type: "export", format: "orgscim-ndjson", version: 1, orgId: "OR00000000000000000000000000000000", exported: new Date().toISOString(), store: "sqlite" })}\n`);
  for (let i = 0; i < USERS; i++) if (!out.write(`${JSON.stringify({ type: "user", resource: userBody(i) })}\n`)) await once(out, "drain");
  out.end();
  await once(out, "finish");
}

/** A fresh store with one empty organization (bench/dataset.ts emptyOrg), made by the tree's own code. */
async function emptyOrg(tree, url) {
  const load = createRequire(join(tree, "dist", "main.js"));
  const { openStore } = load("./store/open");
  const { createOrganization } = load("./domain/orgs");
  const { systemClock } = load("./domain/clock");
  const store = await openStore(url);
  try {
    return (await createOrganization(store, systemClock, { name: "Import Org", settings: { domainEnforcement: false } })).id;
  } finally {
    await store.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), "orgscim-import-cost-"));
const file = KEEP ? resolve(KEEP) : join(dir, "users.ndjson");
try {
  if (!existsSync(file)) await writeExport(file);
  const results = new Map(TREES.map((t) => [t, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const tree of TREES) {
      const url = `sqlite:${join(dir, `run${run}-${TREES.indexOf(tree)}.db`)}`;
      const org = await emptyOrg(tree, url);
      const load = loadavg()[0].toFixed(2);
      const r = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", "taskset", "-c", CORE, process.execPath, join(tree, "bin", "orgscim.js"), "import", "--org", org, "--quiet", file], {
        env: { PATH: process.env.PATH ?? "", DATABASE_URL: url, LOG_LEVEL: "warn" }, encoding: "utf8",
      });
      const [wall, user, sys, rssKb] = r.stderr.trim().split("\n").pop().split(" ").map(Number);
      if (r.status !== 0) throw new Error(`${tree}: exit ${r.status}: ${r.stdout}${r.stderr}`);
      const cpu = user + sys;
      results.get(tree).push({ wall, cpu });
      console.log(`run ${run + 1} ${tree}: ${wall.toFixed(2)} s wall, ${user.toFixed(2)} user + ${sys.toFixed(2)} sys = ${cpu.toFixed(2)} s CPU, ${((cpu * 1e6) / USERS).toFixed(1)} µs CPU a user, max RSS ${(rssKb / 1024).toFixed(0)} MB (load ${load})`);
      rmSync(url.slice("sqlite:".length), { force: true });
      for (const ext of ["-wal", "-shm"]) rmSync(url.slice("sqlite:".length) + ext, { force: true });
    }
  }
  const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
  for (const [tree, rs] of results) {
    console.log(`${tree}: mean ${mean(rs.map((r) => r.wall)).toFixed(2)} s wall, ${((mean(rs.map((r) => r.cpu)) * 1e6) / USERS).toFixed(1)} µs CPU a user (${rs.length} runs, min ${((Math.min(...rs.map((r) => r.cpu)) * 1e6) / USERS).toFixed(1)})`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
