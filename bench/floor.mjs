// What this machine and this stack allow for the writes issue 18 still misses: a floor server
// (bench/floor-server.mjs: node:http, better-sqlite3 on a store the product built, the product's
// statements, group commit and WAL fsync, nothing else) against the product (dist/main.js of
// --tree) on the same requests, from the same load generator as `npm run bench` (bench/load.ts:
// autocannon, 10 connections, a warm-up on the same connections), servers pinned to core 0 and the
// load to core 1, interleaved: each scenario runs on both servers in turn, `--rounds` times, the
// order swapped every round (A B, B A, ...), so the machine's speed swings fall on both.
// Server CPU per request is the server's own, all threads (/proc/<pid>/task/*/schedstat), over the
// measured seconds only. Rows:
//   baseline           hello floor (node:http, constant 1.5 KB user) against the plain-Express baseline (bench/baseline.ts)
//   groups.member.*    PATCH one member (remove, then add back) of the 10-member or the all-user group
//   users.post         POST /Users, bench-shaped user (bench/fixtures.ts)
//   entra.cycle        GET userName eq (a miss), POST, PATCH Add to a 10-member group; users/s, CPU a user
//   npm run build && npx tsc -p bench/tsconfig.json && node bench/floor.mjs [--tree DIR] [--users 100000]
//     [--seconds 3] [--warmup 1] [--rounds 2] [--connections 10] [--scenarios baseline,groups.member.small,...] [--no-split] [--count N]
// The write scenarios also run a third server, the floor without the store (FLOOR_MODE=http: the
// same requests read, parsed, authenticated and answered, without a statement, commit or fsync), so
// the floor splits into HTTP and the store's work; --no-split leaves it out.
// --count N: no timed run; the SQLite statements and WAL pages of one POST and one member PATCH on each
// server, N of each sent one at a time (bench/write-cost-hook.cjs preloaded), to check both write the same.
// BENCH_SERVER_LOG=FILE keeps the servers' output.
// --tree: the built product to compare (its dist/ and node_modules; default this checkout); the data
// set is built by this checkout's bench/dataset.ts (the product's own code), then opened once by the
// tree's store, which migrates it if its schema is newer, and copied for each server.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { threadCpuNs } from "./load-core.mjs";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const SELF = resolve(HERE, "..");
const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
if (process.argv.includes("--help")) {
  console.log(readFileSync(fileURLToPath(import.meta.url), "utf8").split("\nimport ")[0].replace(/^\/\/ ?/gm, ""));
  process.exit(0);
}
const TREE = resolve(String(arg("tree", SELF)));
const USERS = Number(arg("users", 100_000));
const SECONDS = Number(arg("seconds", 3));
const WARMUP = Number(arg("warmup", 1));
const ROUNDS = Number(arg("rounds", 2));
const CONNECTIONS = Number(arg("connections", 10));
const COUNT = Number(arg("count", 0));
const SPLIT = !process.argv.includes("--no-split");
const SCENARIOS = String(arg("scenarios", "baseline,groups.member.small,groups.member.big.entra,users.post,entra.cycle")).split(",");

const DIST_BENCH = join(SELF, "dist-bench", "bench");
for (const f of [join(TREE, "dist", "main.js"), join(SELF, "dist", "main.js"), join(DIST_BENCH, "load.js")]) {
  if (!existsSync(f)) throw new Error(`${f} is missing: run \`npm run build && npx tsc -p bench/tsconfig.json\` (in ${f.startsWith(TREE) ? TREE : SELF})`);
}
const bench = createRequire(join(DIST_BENCH, "run.js"));
const { startServer, startLoadGenerator, hasTaskset } = bench("./servers.js");
const { LoadClient } = bench("./load-client.js");
const { cpuSnapshot, cpuBetween } = bench("./cpu.js");
const { buildDataset } = bench("./dataset.js");
const { BASELINE_USER } = bench("./baseline.js");
const SERVER_CORE = 0;
const LOAD_CORE = 1;

const log = (m) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");


/** Until the server answers /healthz within 20 ms: what a previous run left queued is not charged to the next. */
async function drain(url) {
  const end = performance.now() + 60_000;
  while (performance.now() < end) {
    const t0 = performance.now();
    try { await (await fetch(`${url}/healthz`)).text(); } catch { /* the time check answers */ }
    if (performance.now() - t0 < 20) return;
  }
}

const median = (xs) => {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length === 0 ? Number.NaN : v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

/**
 * --count N: the SQLite work of one write, counted on each server (bench/write-cost-hook.cjs preloaded, as
 * bench/write-cost.mjs counts the product's): statements by SQL text and WAL pages per request, N
 * requests of each kind sent one at a time (one request a commit), after 20 of warm-up.
 */
async function countWork(ctx, targets) {
  const { userBody } = bench("./fixtures.js");
  const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
  const hook = join(HERE, "write-cost-hook.cjs");
  const { freePort } = bench("./servers.js");
  for (const [label, script, env] of targets) {
    const port = await freePort();
    const child = spawn(process.execPath, ["--require", hook, script], {
      env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: String(port), WRITE_COST_TREE: TREE, ...env }, stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try { if ((await fetch(`${url}/healthz`)).status < 500) break; } catch { /* not yet */ }
      if (i > 600) throw new Error(`${label} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const snap = () => new Promise((ok) => { child.once("message", ok); child.send("snap"); });
    const send = async (method, path, body) => {
      const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${ctx.token}`, "content-type": "application/scim+json" }, body: JSON.stringify(body) });
      await res.text();
      if (res.status >= 300) throw new Error(`${label}: ${method} ${path} answered ${res.status}`);
    };
    const member = (i) => {
      // Even: remove a member; odd: add the same one back.
      const id = ctx.smallMembers[Math.floor(i / 2) % ctx.smallMembers.length];
      return i % 2 === 0
        ? ["PATCH", `/scim/v2/Groups/${ctx.smallGroupId}`, { schemas: [PATCH], Operations: [{ op: "remove", path: `members[value eq "${id}"]` }] }]
        : ["PATCH", `/scim/v2/Groups/${ctx.smallGroupId}`, { schemas: [PATCH], Operations: [{ op: "add", path: "members", value: [{ value: id }] }] }];
    };
    const kinds = [
      ["POST /Users", (i) => ["POST", "/scim/v2/Users", userBody(`count${label.length}x${i}`, i)]],
      ["PATCH member, 10-member group", (i) => member(i)],
    ];
    console.log(`\n${label}: SQLite work per request, one request a commit (${COUNT} requests a kind)`);
    for (const [name, make] of kinds) {
      for (let i = 0; i < 20; i++) await send(...make(1_000_000 + i));
      await snap();
      for (let i = 0; i < COUNT; i++) await send(...make(i));
      const c = await snap();
      const total = c.statements.reduce((a, [, n]) => a + n, 0);
      console.log(`  ${name}: ${(total / COUNT).toFixed(1)} statements, ${(c.frames / COUNT).toFixed(1)} WAL pages a request (${c.commits} commits)`);
      for (const [sql, n] of c.statements.sort((a, b) => b[1] - a[1])) console.log(`    ${(n / COUNT).toFixed(2).padStart(6)}  ${sql.replace(/\s+/g, " ").slice(0, 140)}`);
    }
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
}

if (hasTaskset) spawnSync("taskset", ["-a", "-p", "-c", String(LOAD_CORE), String(process.pid)], { stdio: "ignore" });
else log("taskset not found: servers and load generator are NOT pinned to separate cores");
const dir = mkdtempSync(join(tmpdir(), "orgscim-floor-"));
const loadChild = startLoadGenerator(LOAD_CORE, join(DIST_BENCH, "load.js"));
const load = new LoadClient(loadChild);
const servers = [];
const loadStart = loadavg();
try {
  const groups = Math.min(1000, Math.max(10, Math.floor(USERS / 100)));
  log(`building the data set: ${USERS} users, ${groups} groups, with the product's own code (bench/dataset.ts)`);
  const data = await buildDataset(dir, { users: USERS, groups });
  log(`  built in ${data.seconds.toFixed(1)} s`);
  // Opened once by the tree's store: its migrations, if its schema is newer than this checkout's.
  const treeStore = createRequire(join(TREE, "dist", "main.js"))("./store/open");
  await (await treeStore.openStore(`sqlite:${data.dbPath}`)).close();
  const copy = (name) => {
    mkdirSync(join(dir, name));
    const to = join(dir, name, "store.db");
    copyFileSync(data.dbPath, to);
    if (existsSync(`${data.dbPath}-wal`)) copyFileSync(`${data.dbPath}-wal`, `${to}-wal`);
    return to;
  };
  const productDb = copy("product");
  const floorDb = copy("floor");
  const httpDb = SPLIT ? copy("http") : null;
  const Database = createRequire(join(TREE, "dist", "main.js"))("better-sqlite3");
  const TABLES = ["users", "user_emails", "group_members", "audit_events"];
  const counts = (file) => {
    const db = new Database(file, { readonly: true });
    const c = Object.fromEntries(TABLES.map((t) => [t, db.prepare(`SELECT count(*) FROM ${t}`).pluck().get()]));
    db.close();
    return c;
  };
  const before = counts(floorDb);
  rmSync(data.dbPath, { force: true });

  const floorScript = join(HERE, "floor-server.mjs");
  const productEnv = { DATABASE_URL: `sqlite:${productDb}`, LOG_LEVEL: process.env.LOG_LEVEL ?? "info" };
  const floorEnv = { FLOOR_MODE: "writes", FLOOR_TREE: TREE, FLOOR_DB: floorDb, FLOOR_TOKEN: data.ctx.token };
  if (COUNT > 0) {
    await countWork(data.ctx, [["floor", floorScript, floorEnv], [`orgscim (${TREE})`, join(TREE, "dist", "main.js"), productEnv]]);
    loadChild.kill();
    rmSync(dir, { recursive: true, force: true }); // process.exit skips the finally below
    process.exit(0);
  }
  const serve = async (label, script, env) => {
    const s = await startServer(SERVER_CORE, script, env, process.env.BENCH_SERVER_LOG);
    servers.push(s);
    return { label, answered: { 201: 0, 204: 0 }, ...s };
  };
  const express = await serve("plain Express (bench/baseline.ts)", join(DIST_BENCH, "baseline.js"), {});
  const hello = await serve("floor: node:http hello", floorScript, { FLOOR_MODE: "hello", FLOOR_TREE: TREE, FLOOR_BODY: JSON.stringify(BASELINE_USER) });
  const product = await serve(`orgscim (${TREE})`, join(TREE, "dist", "main.js"), productEnv);
  const floor = await serve("floor", floorScript, floorEnv);
  const bare = SPLIT ? await serve("floor without the store", floorScript, { ...floorEnv, FLOOR_MODE: "http", FLOOR_DB: httpDb }) : null;
  log(`servers on core ${SERVER_CORE}, load on core ${LOAD_CORE}; ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${SECONDS} s a run, ${ROUNDS} rounds; load average ${loadStart}`);

  const rows = [];
  for (const scenario of SCENARIOS) {
    const pair = scenario === "baseline" ? [hello, express] : [floor, product, ...(bare ? [bare] : [])];
    const runs = new Map(pair.map((s) => [s, []]));
    const tally = (s, r) => { for (const code of ["201", "204"]) s.answered[code] += r.statuses[code] ?? 0; };
    for (let round = 0; round < ROUNDS; round++) {
      // A B, B A, ... (with the floor without the store: A B C, B C A, C A B, ...)
      const order = pair.length === 2 ? (round % 2 === 0 ? pair : [...pair].reverse()) : pair.map((_, i) => pair[(i + round) % pair.length]);
      for (const s of order) {
        await drain(s.url);
        const job = { scenario, url: s.url, ctx: data.ctx, connections: CONNECTIONS, duration: WARMUP, warmup: 0, sequential: 0, sequentialSeconds: 0 };
        if (WARMUP > 0) tally(s, await load.run(job));
        const ns0 = threadCpuNs(s.pid);
        const c0 = cpuSnapshot([s.pid, loadChild.pid]);
        const r = await load.run({ ...job, duration: SECONDS });
        tally(s, r);
        const ns1 = threadCpuNs(s.pid);
        const ns = ns1.all - ns0.all;
        const cpu = cpuBetween(c0, cpuSnapshot([s.pid, loadChild.pid]));
        const ok = Object.entries(r.statuses).filter(([code]) => code.startsWith("2")).reduce((a, [, n]) => a + n, 0);
        const units = scenario === "entra.cycle" ? r.unitsPerSec * r.seconds : r.requests;
        const run = {
          rps: r.rps, units: r.unitsPerSec, p50: r.p50, p99: r.p99, notOk: r.requests - ok,
          usPerUnit: units > 0 ? ns / 1000 / units : Number.NaN, mainShare: (ns1.main - ns0.main) / ns, serverCores: cpu.procs[0], others: cpu.others,
        };
        runs.get(s).push(run);
        log(`  ${scenario} round ${round + 1} ${s.label}: ${r.rps.toFixed(0)} req/s${scenario === "entra.cycle" ? ` (${r.unitsPerSec.toFixed(0)} users/s)` : ""}, p99 ${r.p99} ms, ${run.usPerUnit.toFixed(0)} µs CPU a ${scenario === "entra.cycle" ? "user" : "request"} (${(100 * run.mainShare).toFixed(0)}% on the main thread), server ${run.serverCores.toFixed(2)} cores, others ${run.others.toFixed(2)}${run.notOk ? `, not 2xx: ${Object.entries(r.statuses).filter(([c]) => !c.startsWith("2")).map(([c, n]) => `${n}×${c}`).join(" ")}` : ""}`);
      }
    }
    const sum = (s) => {
      const rs = runs.get(s);
      return {
        label: s.label, rounds: rs,
        rps: median(rs.map((x) => x.rps)), units: median(rs.map((x) => x.units)), p99: median(rs.map((x) => x.p99)),
        us: median(rs.map((x) => x.usPerUnit)), best: Math.min(...rs.map((x) => x.usPerUnit)), main: median(rs.map((x) => x.usPerUnit * x.mainShare)), others: median(rs.map((x) => x.others)), notOk: rs.reduce((a, x) => a + x.notOk, 0),
      };
    };
    rows.push({ scenario, floor: sum(pair[0]), product: sum(pair[1]), bare: pair[2] ? sum(pair[2]) : null });
  }

  const loadEnd = loadavg();
  const f0 = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "–");
  const unitOf = (sc) => (sc === "entra.cycle" ? "users/s" : "req/s");
  console.log(`\nWhat this machine allows (bench/floor.mjs; ${USERS.toLocaleString("en-US")} users, ${CONNECTIONS} connections, ${SECONDS} s runs after ${WARMUP} s warm-up, medians of ${ROUNDS} rounds; ${TREE}; load average ${loadStart} at the start, ${loadEnd} at the end)`);
  console.log("(µs CPU: the server's, all threads, a request (a user for the Entra cycle), median of the rounds (the best round); the main thread's share of it, median; one core at it: 1,000,000 / the best round's µs, the most one core (the server's, core 0) can serve at that cost)");
  console.log("| scenario | floor | product | product / floor | floor µs CPU | of it, main thread | product µs CPU | of it, main thread | product − floor µs | beyond the floor | one core at the floor's best | at the product's best | p99 ms floor / product | others' CPU, cores |");
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const { scenario, floor: f, product: p } of rows) {
    const what = scenario === "baseline" ? "hello: node:http vs plain Express" : scenario;
    console.log(`| ${what} | ${f0(f.units)} ${unitOf(scenario)} | ${f0(p.units)} | ${(p.units / f.units).toFixed(2)} | ${f0(f.us)} (${f0(f.best)}) | ${f0(f.main)} | ${f0(p.us)} (${f0(p.best)}) | ${f0(p.main)} | ` +
      `${f0(p.us - f.us)} | ${((100 * (p.us - f.us)) / p.us).toFixed(0)}% | ${f0(1e6 / f.best)} ${unitOf(scenario)} | ${f0(1e6 / p.best)} | ${f.p99} / ${p.p99} | ${f.others.toFixed(2)} / ${p.others.toFixed(2)} |`);
  }
  if (rows.some((r) => r.bare)) {
    console.log("\nThe floor split: without the store (FLOOR_MODE=http: the same requests read, parsed, authenticated and answered, no statement, commit or fsync) and the store's part (floor - that), µs CPU a request, medians");
    console.log("| scenario | floor | without the store | of it, main thread | the store's part | its share of the floor |");
    console.log("|---|---|---|---|---|---|");
    for (const { scenario, floor: f, bare: b } of rows) {
      if (b) console.log(`| ${scenario} | ${f0(f.us)} | ${f0(b.us)} (${f0(b.best)}) | ${f0(b.main)} | ${f0(f.us - b.us)} | ${((100 * (f.us - b.us)) / f.us).toFixed(0)}% |`);
    }
  }
  const bad = rows.flatMap((r) => [r.floor, r.product, ...(r.bare ? [r.bare] : [])]).filter((x) => x.notOk > 0);
  for (const x of bad) console.log(`note: ${x.label} answered ${x.notOk} requests not 2xx`);

  // The same data written: the rows each server added, against its 201 (created) and 204 (members changed) answers.
  for (const s of servers) await s.stop();
  servers.length = 0;
  for (const [s, file] of [[floor, floorDb], [product, productDb]]) {
    const c = counts(file);
    const d = Object.fromEntries(TABLES.map((t) => [t, c[t] - before[t]]));
    const writes = s.answered[201] + s.answered[204];
    console.log(`${s.label}: ${s.answered[201]} answered 201, ${s.answered[204]} answered 204; rows added: users ${d.users} (${(d.users / s.answered[201]).toFixed(3)} a 201), ` +
      `user_emails ${d.user_emails} (${(d.user_emails / d.users).toFixed(2)} a user), group_members ${d.group_members}, audit_events ${d.audit_events} (${(d.audit_events / writes).toFixed(3)} a 201 or 204)`);
  }
} finally {
  for (const s of servers) await s.stop().catch(() => undefined);
  loadChild.kill();
  rmSync(dir, { recursive: true, force: true });
}
