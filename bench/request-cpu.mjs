// Server CPU per request, A/B between built trees: each tree's dist/main.js serves a SQLite store
// of --users users (made by /Bulk), and for each request kind --requests requests are sent over
// --connections kept-alive connections; the server's CPU is the sum of its threads' time on a CPU
// (/proc/<pid>/task/*/schedstat, nanoseconds: the main thread, libuv's pool, V8's GC helpers), so
// other processes on the machine do not count, only what they make the server wait for. Rounds
// alternate the trees (A B A B ...) with a fresh server each; the median of the rounds is printed.
//   npm run build && node bench/request-cpu.mjs --trees <dirA>,<dirB> [--users 2000] [--requests 2000] [--connections 10] [--rounds 3]
//     [--shape small|bench] [--kinds <regexp>] [--warmup 200] [--warm-all] [--interleave N]
// --shape bench: users shaped as `npm run bench` makes them (bench/fixtures.ts userBody: core, enterprise
// extension, two emails, a phone number, an address; about 1.5 KB rendered), so a page of 100 weighs
// what the bench's does, and POST /Users sends such a body; small (the default): userName, displayName, name and one email.
// --warmup N: requests of each kind sent before it is measured (default 200, at most --requests): the
// first kinds of a fresh server are still being compiled by V8 after 200, which a larger N leaves out.
// Kinds are measured in order on one server, so the first kind measured carries V8's tier-up of the
// request path (its optimising compiles run on V8's worker threads, counted here, for the first
// ~3,000 requests of a server): a lookup measured first cost ~100 µs more than the same lookup
// measured second. --warm-all sends --warmup requests of every GET kind (in order) before the first
// kind is measured, so that each kind is measured on a warm server, whatever its place in the order.
// --kinds: only the request kinds whose name matches, e.g. --kinds page (the cursor and startIndex pages),
// --kinds 'POST|member' (the writes of issue 18: a create, a member removed from and added to a 10-member group).
// A tree is a checkout with dist/ built and node_modules (e.g. `git archive <commit> | tar -x -C /tmp/a`,
// `cp -al node_modules /tmp/a/`, `npm run build` there). Linux only.
//
// --alloc: bytes of JavaScript heap the server allocates per request instead of its CPU (exact, from
// the heap's used size around every collection: bench/request-alloc-hook.mjs says how), with the
// collections and their main-thread pauses per request; --sites N adds the N functions allocating
// most (the sampling heap profiler, last round), --stacks N the same by function and its two
// callers. --baseline adds the plain-Express baseline of `npm run bench` (bench/baseline.ts, built
// into the first tree's dist-bench/ by `npx tsc -p bench/tsconfig.json`) as a first column: it
// answers GET /Users/:id only. Only GET kinds are measured under --alloc.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { benchUser } from "./bench-user.mjs";
import { threadCpuNs } from "./load-core.mjs";

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const TREES = String(arg("trees", ".")).split(",").map((t) => resolve(t));
const USERS = Number(arg("users", 2000));
const REQUESTS = Number(arg("requests", 2000));
const CONNECTIONS = Number(arg("connections", 10));
const ROUNDS = Number(arg("rounds", 3));
const WARMUP = Number(arg("warmup", 200));
const WARM_ALL = process.argv.includes("--warm-all");
const ALLOC = process.argv.includes("--alloc");
const STACKS = Number(arg("stacks", 0));
const SITES = Number(arg("sites", 0)) || STACKS;
const BASELINE = process.argv.includes("--baseline");
const INTERLEAVE = Number(arg("interleave", 0));
const HOOK = new URL("./request-alloc-hook.mjs", import.meta.url).href;
const SHAPE = String(arg("shape", "small"));
const KINDS = new RegExp(String(arg("kinds", "")));
const TOKEN = `osk_${"cd".repeat(16)}_${"R".repeat(43)}`;
const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/** Nanoseconds every thread of `pid` has run. */
const cpuNs = (pid) => threadCpuNs(pid).all;

/** Spawns `args` (with the allocation hook under --alloc) and waits for the URL its stdout names. */
async function spawnServer(args, env, label) {
  const child = spawn(process.execPath, [...(ALLOC ? ["--import", HOOK] : []), ...args], { env, stdio: ["ignore", "pipe", "inherit", ...(ALLOC ? ["pipe"] : [])] });
  let head = "";
  const url = await new Promise((ok, fail) => {
    const onData = (d) => {
      head += d;
      const m = /"url":"(http:[^"]+)"/.exec(head);
      if (m) { child.stdout.off("data", onData); child.stdout.resume(); ok(m[1]); }
    };
    child.stdout.on("data", onData);
    child.once("exit", (code) => fail(new Error(`${label}: server exited ${code}`)));
  });
  return { child, url, control: ALLOC ? lines(child.stdio[3]) : null };
}

/** One JSON answer per line written to the hook's socket. */
function lines(socket) {
  socket.setEncoding("utf8");
  let pending = "";
  const waiting = [];
  socket.on("data", (d) => {
    pending += d;
    let nl;
    while ((nl = pending.indexOf("\n")) >= 0) { waiting.shift()?.(JSON.parse(pending.slice(0, nl))); pending = pending.slice(nl + 1); }
  });
  return (line) => new Promise((ok) => { waiting.push(ok); socket.write(`${line}\n`); });
}

async function start(tree) {
  const dir = mkdtempSync(join(tmpdir(), "orgscim-reqcpu-"));
  const env = { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info", WRITES_SHED_LAG_MS: "0", OVERLOAD_QUEUE_DEPTH: "0", DATABASE_URL: `sqlite:${join(dir, "c.db")}`, ORGSCIM_BOOTSTRAP_TOKEN: TOKEN };
  const server = await spawnServer([join(tree, "dist", "main.js")], env, tree);
  const cli = (args) => execFileSync(process.execPath, [join(tree, "bin", "orgscim.js"), ...args], { env, encoding: "utf8" });
  cli(["orgs", "settings", JSON.parse(cli(["orgs", "list"]))[0].sid, "--domain-enforcement", "off"]);
  return { ...server, dir };
}

/** The plain-Express baseline of `npm run bench` (bench/baseline.ts as built in `tree`), on port 0. */
async function startBaseline(tree) {
  const built = join(tree, "dist-bench", "bench", "baseline.js");
  if (!existsSync(built)) throw new Error(`--baseline needs ${built}: run \`npx tsc -p bench/tsconfig.json\` in ${tree}`);
  const script = `const s = require(${JSON.stringify(built)}).baselineApp().listen(0, "127.0.0.1", () => console.log(JSON.stringify({ url: "http://127.0.0.1:" + s.address().port })));
s.keepAliveTimeout = 65000; process.on("SIGTERM", () => process.exit(0));`;
  return { ...(await spawnServer(["-e", script], { PATH: process.env.PATH ?? "" }, "baseline")), dir: null };
}

const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
/** Sends one request; fails unless it answers `expected` (a 2xx when not given). */
function send(url, method, path, body, expected) {
  return new Promise((ok, fail) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(`${url}${path}`, { method, agent, headers: { authorization: `Bearer ${TOKEN}`, ...(payload ? { "content-type": "application/scim+json", "content-length": Buffer.byteLength(payload) } : {}) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => ((expected ? res.statusCode !== expected : res.statusCode >= 300) ? fail(new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 200)}`)) : ok(text)));
    });
    req.on("error", fail);
    req.end(payload);
  });
}

async function populate(url) {
  const ids = [];
  for (let from = 0; from < USERS; from += 1000) {
    const Operations = Array.from({ length: Math.min(1000, USERS - from) }, (_, k) => {
      const i = from + k;
      const data = SHAPE === "bench" ? benchUser(i) : { schemas: [USER_SCHEMA], userName: `cpu.user${i}@example.com`, externalId: `cpu-ext-${i}`, displayName: `CPU User ${i}`, name: { givenName: `G${i}`, familyName: `F${i}` }, emails: [{ value: `cpu.mail${i}@example.com`, primary: true, type: "work" }] };
      return { method: "POST", path: "/Users", bulkId: `u${i}`, data };
    });
    const r = JSON.parse(await send(url, "POST", "/scim/v2/Bulk", { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations }));
    for (const o of r.Operations) ids.push(o.location.split("/").pop());
  }
  const group = JSON.parse(await send(url, "POST", "/scim/v2/Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "CPU group" })).id;
  // The 10-member group of the PATCH member kinds (as the bench's bench-small).
  const smallMembers = ids.slice(0, 10);
  const small = JSON.parse(await send(url, "POST", "/scim/v2/Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "CPU small group", members: smallMembers.map((value) => ({ value })) })).id;
  // Every user in a group of their own besides the built-in Standard User group, as in the bench's data set ("bench-big").
  if (SHAPE === "bench") {
    const big = JSON.parse(await send(url, "POST", "/scim/v2/Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "CPU big group" })).id;
    for (let from = 0; from < ids.length; from += 1000) {
      await send(url, "PATCH", `/scim/v2/Groups/${big}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "add", path: "members", value: ids.slice(from, from + 1000).map((value) => ({ value })) }] });
    }
  }
  // A client continues only from a cursor the server gave it (sealed): walk the pages of 100 once.
  const cursors = [];
  for (let cursor = ""; cursor !== undefined;) {
    const page = JSON.parse(await send(url, "GET", `/scim/v2/Users?count=100&excludedAttributes=groups&cursor=${encodeURIComponent(cursor)}`));
    cursor = page.nextCursor;
    if (cursor !== undefined) cursors.push(cursor);
  }
  return { ids, group, cursors, small, smallMembers };
}


/** The user populate() made as `k`, as a PUT sends it back (its title changed by `i`). */
const putBody = (k, i) => ({ ...(SHAPE === "bench" ? benchUser(k) : { schemas: [USER_SCHEMA], userName: `cpu.user${k}@example.com`, externalId: `cpu-ext-${k}`, displayName: `CPU User ${k}`, name: { givenName: `G${k}`, familyName: `F${k}` }, emails: [{ value: `cpu.mail${k}@example.com`, primary: true, type: "work" }] }), title: `Engineer ${i}` });

const filter = (f) => `/scim/v2/Users?filter=${encodeURIComponent(f)}`;

/** The request kinds: [name, (i) => [method, path, body, expected status (a 2xx when absent)]]. */
function kinds({ ids, group, cursors, small, smallMembers }) {
  const pick = (i) => ids[(i * 7919) % ids.length];
  const n = (i) => (i * 7919) % ids.length;
  // Deep pages, as bench/scenarios.ts asks them: a position in the second half of the users.
  const deep = (i) => Math.floor(ids.length * (0.5 + 0.49 * ((i % 100) / 100)));
  const deepCursor = (i) => cursors[Math.min(cursors.length - 1, Math.floor(deep(i) / 100))];
  let created = 0;
  // The values populate() gave user n: the lookups find a user (and the refused POST takes a userName in use) in either shape.
  const key = (i) => `u${String(n(i)).padStart(7, "0")}`;
  const userName = (i) => (SHAPE === "bench" ? `${key(i)}@bench.example.com` : `cpu.user${n(i)}@example.com`);
  const externalId = (i) => (SHAPE === "bench" ? `ext-${key(i)}` : `cpu-ext-${n(i)}`);
  const workEmail = (i) => (SHAPE === "bench" ? `${key(i)}.work@mail.bench.example.com` : `cpu.mail${n(i)}@example.com`);
  return [
    ["GET /Users/:id", (i) => ["GET", `/scim/v2/Users/${pick(i)}`]],
    ["GET /Users?filter userName", (i) => ["GET", filter(`userName eq "${userName(i)}"`)]],
    ["GET /Users?filter externalId", (i) => ["GET", filter(`externalId eq "${externalId(i)}"`)]],
    ["GET /Users?filter work email", (i) => ["GET", filter(`emails[type eq "work"].value eq "${workEmail(i)}"`)]],
    ["GET /Groups/:id (no members)", () => ["GET", `/scim/v2/Groups/${group}?excludedAttributes=members`]],
    ["PATCH /Users/:id", (i) => ["PATCH", `/scim/v2/Users/${pick(i)}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "displayName", value: `Patched ${i}` }] }]],
    ["PUT /Users/:id", (i) => ["PUT", `/scim/v2/Users/${pick(i)}`, putBody(n(i), i)]],
    // As bench/scenarios.ts users.patch.active: each user deactivated once, then the same PATCH again
    // (the scenario's pool wraps around), which finds the user inactive already. (+ 500: not the users
    // of the warm-up, requests 1,000,000 on: with 2,000 users, those of requests 0 to 199.)
    ["PATCH /Users/:id active false", (i) => ["PATCH", `/scim/v2/Users/${pick(i + 500)}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "active", value: false }] }]],
    ["PATCH /Users/:id active false again", (i) => ["PATCH", `/scim/v2/Users/${pick(i + 500)}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "active", value: false }] }]],
    ["GET /Users cursor page of 100", (i) => ["GET", `/scim/v2/Users?count=100&cursor=${encodeURIComponent(deepCursor(i))}`]],
    ["GET /Users startIndex page 100", (i) => ["GET", `/scim/v2/Users?startIndex=${deep(i)}&count=100`]],
    // Remove then add back one member of the 10-member group, as bench/scenarios.ts groups.member.small.entra:
    // even requests remove a member, odd ones add it back (the Entra form: a remove that finds the member
    // already gone, or an add that finds it there, its pair overtaken on another connection, changes nothing).
    ["PATCH /Groups member -/+", (i) => ["PATCH", `/scim/v2/Groups/${small}`, { schemas: [PATCH_OP], Operations: [{ op: i % 2 === 0 ? "Remove" : "Add", path: "members", value: [{ value: smallMembers[Math.floor(i / 2) % 10] }] }] }]],
    ["POST /Users refused 409 (userName taken)", (i) => ["POST", "/scim/v2/Users", { schemas: [USER_SCHEMA], userName: userName(i), emails: [{ value: `cpu.taken${i}@example.com`, primary: true }] }, 409]],
    ["POST /Users", () => { const k = created++; return ["POST", "/scim/v2/Users", SHAPE === "bench" ? benchUser(10_000_000 + k) : { schemas: [USER_SCHEMA], userName: `cpu.new${process.pid}.${Date.now()}.${k}@example.com`, emails: [{ value: `cpu.new${k}.${Date.now()}@example.com`, primary: true }] }]; }],
  ].filter(([name]) => (!ALLOC || name.startsWith("GET")) && KINDS.test(name));
}

async function measure(server, list, last) {
  const out = {};
  const runner = (make) => async (n, offset) => {
    let next = 0;
    await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
      while (next < n) { const i = offset + next++; const [m, p, b, expected] = make(i); await send(server.url, m, p, b, expected); }
    }));
  };
  // --warm-all: every GET kind warmed before any is measured (reads only: a write kind's warm-up would change what it then measures).
  if (WARM_ALL) for (const [name, make] of list) if (name.startsWith("GET")) await runner(make)(Math.min(WARMUP, REQUESTS), 2_000_000);
  for (const [name, make] of list) {
    const run = runner(make);
    await run(Math.min(WARMUP, REQUESTS), 1_000_000); // warm-up: JIT, statements, the principal cache
    if (server.control) {
      const a = await server.control(SITES > 0 && last ? "start sites" : "start");
      if (a.error) throw new Error(a.error);
    }
    const c0 = cpuNs(server.child.pid);
    const t0 = performance.now();
    await run(REQUESTS, 0);
    const wall = performance.now() - t0;
    out[name] = { cpuUs: (cpuNs(server.child.pid) - c0) / REQUESTS / 1000, perSecond: REQUESTS / (wall / 1000) };
    if (server.control) {
      const a = await server.control("stop");
      if (a.error) throw new Error(a.error);
      Object.assign(out[name], { bytes: a.allocated / REQUESTS, gcPerK: (Object.values(a.collections).reduce((x, y) => x + y, 0) * 1000) / REQUESTS, pauseUs: a.pauseUs / REQUESTS, sampled: a.sampled });
    }
  }
  return out;
}

/**
 * --interleave N: every tree's server up at once, and for each kind bursts of N requests alternated
 * between them (A B, B A, ...), each server's CPU read around its own bursts; the median of --rounds
 * bursts. Load from other processes then falls on every tree alike, where rounds of fresh servers one
 * after another (the default) spread by 100 µs and more on a loaded machine.
 */
async function interleaved() {
  const servers = [];
  for (const tree of TREES) servers.push(await start(tree));
  try {
    const lists = [];
    for (const s of servers) lists.push(kinds(await populate(s.url)));
    const runner = (s, make) => async (n, offset) => {
      let next = 0;
      await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
        while (next < n) { const i = offset + next++; const [m, p, b, expected] = make(i); await send(s.url, m, p, b, expected); }
      }));
    };
    if (WARM_ALL) for (const [k, s] of servers.entries()) for (const [name, make] of lists[k]) if (name.startsWith("GET")) await runner(s, make)(WARMUP, 2_000_000);
    for (let j = 0; j < lists[0].length; j++) {
      const name = lists[0][j][0];
      for (const [k, s] of servers.entries()) await runner(s, lists[k][j][1])(WARMUP, 1_000_000);
      const per = servers.map(() => []);
      let offset = 0;
      for (let r = 0; r < ROUNDS; r++) {
        const order = r % 2 ? [...servers.keys()].reverse() : [...servers.keys()];
        for (const k of order) {
          const c0 = cpuNs(servers[k].child.pid);
          await runner(servers[k], lists[k][j][1])(INTERLEAVE, offset);
          per[k].push((cpuNs(servers[k].child.pid) - c0) / INTERLEAVE / 1000);
        }
        offset += INTERLEAVE;
      }
      const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
      console.log(`${name.padEnd(32)} ${per.map((xs, k) => `${TREES[k].slice(-20)}: ${med(xs).toFixed(0)} µs`).join("   ")}   (${per.length > 1 ? `B-A ${(med(per[1]) - med(per[0])).toFixed(0)} µs; ` : ""}median of ${ROUNDS} alternated bursts of ${INTERLEAVE}; load ${load})`);
    }
  } finally {
    for (const s of servers) { s.child.kill("SIGTERM"); await new Promise((r) => s.child.once("exit", r)); rmSync(s.dir, { recursive: true, force: true }); }
    agent.destroy();
  }
}

if (INTERLEAVE > 0) {
  await interleaved();
  process.exit(0);
}
const COLUMNS = [...(BASELINE ? [{ label: "express baseline", start: () => startBaseline(TREES[0]), baseline: true }] : []), ...TREES.map((tree) => ({ label: tree, start: () => start(tree) }))];
const results = COLUMNS.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  for (const [c, column] of COLUMNS.entries()) {
    const server = await column.start();
    try {
      const all = column.baseline ? kinds({ ids: ["US0123456789abcdef0123456789abcdef"], group: null }).filter(([name]) => name === "GET /Users/:id") : kinds(await populate(server.url));
      results[c].push(await measure(server, all, round === ROUNDS - 1));
    } finally {
      server.child.kill("SIGTERM");
      await new Promise((r) => server.child.once("exit", r));
      if (server.dir) rmSync(server.dir, { recursive: true, force: true });
    }
    process.stderr.write(`round ${round + 1}/${ROUNDS} ${column.label} done (load ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")})\n`);
  }
}
agent.destroy();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const names = Object.keys(results[BASELINE ? 1 : 0][0] ?? results[0][0]);
const cell = (rs, name, show) => (rs[0][name] === undefined ? "–".padStart(26) : show((f) => median(rs.map((r) => r[name][f]))).padStart(26));
const header = () => console.log(["request".padEnd(30), ...COLUMNS.map((c) => c.label.slice(-24).padStart(26))].join(""));
if (ALLOC) {
  console.log(`server JavaScript heap allocated per request, bytes (median of ${ROUNDS} rounds; collections per 1,000 requests; their pauses in µs of wall clock per request; ${USERS} users, ${REQUESTS} requests, ${CONNECTIONS} connections; load ${load})`);
  header();
  for (const name of names) {
    console.log([name.padEnd(30), ...results.map((rs) => cell(rs, name, (m) => `${m("bytes").toFixed(0).padStart(7)} B ${m("gcPerK").toFixed(1).padStart(5)} ${m("pauseUs").toFixed(1).padStart(5)}µs`))].join(""));
  }
  if (BASELINE) {
    const base = median(results[0].map((r) => r["GET /Users/:id"].bytes));
    console.log(`\nagainst the baseline's GET /Users/:id (${base.toFixed(0)} B):`);
    for (const [c, column] of COLUMNS.entries()) {
      if (column.baseline) continue;
      console.log(`  ${column.label}: ${names.map((name) => `${name} ${(median(results[c].map((r) => r[name].bytes)) / base).toFixed(2)}×`).join(", ")}`);
    }
  }
  for (const [c, column] of COLUMNS.entries()) {
    for (const [name, r] of Object.entries(results[c][ROUNDS - 1])) {
      if (!r.sampled) continue;
      console.log(`\n${column.label} ${name}: sampled ${(r.sampled.total / REQUESTS).toFixed(0)} B a request (exact count ${r.bytes.toFixed(0)}); the ${SITES} functions allocating most, bytes a request:`);
      for (const [where, bytes] of r.sampled.top.slice(0, SITES)) console.log(`  ${(bytes / REQUESTS).toFixed(0).padStart(7)}  ${where}`);
      if (STACKS > 0) console.log("  by function and its two callers:");
      for (const [where, bytes] of r.sampled.stacks.slice(0, STACKS)) console.log(`  ${(bytes / REQUESTS).toFixed(0).padStart(7)}  ${where}`);
    }
  }
} else {
  console.log(`server CPU µs per request (median of ${ROUNDS} rounds; ${USERS} users, ${REQUESTS} requests, ${CONNECTIONS} connections; load ${load})`);
  header();
  for (const name of names) console.log([name.padEnd(30), ...results.map((rs) => cell(rs, name, (m) => `${m("cpuUs").toFixed(0).padStart(6)} µs ${m("perSecond").toFixed(0).padStart(6)}/s`))].join(""));
}
