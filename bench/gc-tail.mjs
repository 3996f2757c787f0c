// What the tail of one request kind is made of, on the built server as the bench runs it (its own
// core, `taskset -c 0`, the load on core 1): autocannon at --connections kept-alive connections for
// --seconds, --reps times after a warm-up, on a fresh SQLite store (200 users, a 10-member group),
// with bench/gc-tail-hook.mjs preloaded into the server (`node --import`) to record its garbage
// collections and event-loop delay. Per run: throughput and autocannon's p50/p99 (whole ms); server
// CPU µs per request, all threads (/proc/<pid>/task/*/schedstat) and the main thread's share (the
// others: V8's platform threads, GC helpers and compiler, libuv's pool, where pino's writes go, the
// SQLite checkpoint worker); scavenges per 1,000 requests, their mean and largest pause, and the
// share of requests one lands on (scavenges × connections / requests: each pause holds every
// connection's request in flight); mark-compacts; GC pause µs per request; event-loop delay p99;
// the new space's size and RSS. Medians per variant at the end.
//   npm run build && node bench/gc-tail.mjs [--tree DIR] [--kind group|user|/scim/v2/...] [--seconds 2]
//     [--reps 5] [--connections 10] [--variants 'NODE FLAGS;NODE FLAGS;...'] [--env '{"NAME":"value"}']
// --kind PATH: a path of its own, on a store holding users tail0@example.com to tail199@example.com,
// e.g. '/scim/v2/Users?filter=userName%20eq%20%22tail7%40example.com%22'.
// --kind member | member-big: the bench's member PATCH cycle (groups.member.small / .big: remove one
// member, then add it back, each connection its own member) on the 10-member group (its first 10
// users), or on a group of every user (--users of them, default 200; members picked from 1,000 spread
// over all users, as bench/dataset.ts bigMembers). Every user is also in the Standard User role group.
// --variants: node flags per variant, `;`-separated (an empty one is the product as it ships), run in
// turn, each on a fresh server, e.g. --variants ';--max-semi-space-size=32;--max-semi-space-size=64'.
// The word @profiled in a variant runs it as `npm run bench` runs its profiled (unmeasured) runs: the
// bench's CPU profiler hook preloaded (dist-bench/bench/profiler-hook.js, built by `npx tsc -p
// bench/tsconfig.json`) and told to start after the warm-up (sampling every 500 µs), e.g. --variants ';@profiled'.
// GC_TAIL_SERVER_OUT=FILE: the server's stdout goes there (with --variants '--trace-gc-nvp', V8's line per collection).
// Linux only; without taskset nothing is pinned.
import autocannon from "autocannon";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, loadOnCore1, onServerCore, threadCpuNs } from "./load-core.mjs";

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const TREE = resolve(String(arg("tree", ".")));
const KIND = String(arg("kind", "group"));
const SECONDS = Number(arg("seconds", 2));
const REPS = Number(arg("reps", 5));
const CONNECTIONS = Number(arg("connections", 10));
const USERS = Number(arg("users", 200));
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const VARIANTS = String(arg("variants", "")).split(";").map((v) => v.split(" ").filter(Boolean));
const EXTRA_ENV = JSON.parse(String(arg("env", "{}")));
const HOOK = fileURLToPath(new URL("./gc-tail-hook.mjs", import.meta.url));
const TOKEN = `osk_${"cd".repeat(16)}_${"T".repeat(43)}`;
const HEADERS = { authorization: `Bearer ${TOKEN}`, "content-type": "application/scim+json" };

loadOnCore1("GC_TAIL_PINNED"); // the load on core 1, the server on core 0


const PROFILER_HOOK = join(TREE, "dist-bench", "bench", "profiler-hook.js");

async function startServer(variant) {
  const profiled = variant.includes("@profiled");
  const flags = variant.filter((f) => f !== "@profiled");
  if (profiled && !existsSync(PROFILER_HOOK)) throw new Error(`@profiled needs ${PROFILER_HOOK}: run \`npx tsc -p bench/tsconfig.json\` in ${TREE}`);
  const dir = mkdtempSync(join(tmpdir(), "orgscim-gctail-"));
  const port = await freePort();
  const out = join(dir, "gc.json");
  const env = { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "info", DATABASE_URL: `sqlite:${join(dir, "t.db")}`, ORGSCIM_BOOTSTRAP_TOKEN: TOKEN, GC_TAIL_OUT: out, ...EXTRA_ENV };
  if (profiled) env.BENCH_PROFILE_DIR = dir;
  const argv = [process.execPath, ...flags, ...(profiled ? ["--require", PROFILER_HOOK] : []), "--import", HOOK, join(TREE, "dist", "main.js")];
  const child = spawn(...onServerCore(argv), { env, stdio: ["ignore", openSync(process.env.GC_TAIL_SERVER_OUT ?? "/dev/null", "a"), "inherit"] });
  const url = `http://127.0.0.1:${port}`;
  for (const end = Date.now() + 60_000; ;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before it answered`);
    try { if ((await fetch(`${url}/healthz`)).status < 500) break; } catch { /* not listening yet */ }
    if (Date.now() > end) throw new Error(`${url}/healthz did not answer within 60 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const cli = (args) => execFileSync(process.execPath, [join(TREE, "bin", "orgscim.js"), ...args], { env, encoding: "utf8" });
  cli(["orgs", "settings", JSON.parse(cli(["orgs", "list"]))[0].sid, "--domain-enforcement", "off"]);
  return { child, url, dir, out, profiled };
}

/** Starts the bench's profiler in the server (bench/profiles.ts's protocol: a command file, then SIGUSR2). */
async function startProfiler(server) {
  writeFileSync(join(server.dir, ".command"), "start gctail");
  server.child.kill("SIGUSR2");
  for (const end = Date.now() + 15_000; !existsSync(join(server.dir, "gctail.started")); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() > end) throw new Error("the profiler hook did not start within 15 s");
  }
  writeFileSync(join(server.dir, ".command"), "running gctail"); // the hook ignores it on the SIGUSR2s that follow (gc-tail-hook.mjs's)
}

async function post(url, path, body, method = "POST") {
  const r = await fetch(`${url}${path}`, { method, headers: HEADERS, body: JSON.stringify(body) });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.status === 204 ? null : r.json();
}

/**
 * The store's users (tail0@example.com ... tail<USERS-1>@example.com) and group(s), made; what autocannon
 * sends for --kind: { path } (a GET) or { requests } (the member cycle).
 */
async function loadOf(url) {
  const ids = [];
  for (let from = 0; from < USERS; from += 1000) {
    const Operations = Array.from({ length: Math.min(1000, USERS - from) }, (_, k) => { const i = from + k; return { method: "POST", path: "/Users", bulkId: `u${i}`, data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: `tail${i}@example.com`, name: { givenName: "Tail", familyName: `User ${i}` }, emails: [{ value: `tail${i}@example.com`, type: "work", primary: true }] } }; });
    ids.push(...(await post(url, "/scim/v2/Bulk", { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations })).Operations.map((o) => o.location.split("/").pop()));
  }
  if (KIND === "user") return { path: `/scim/v2/Users/${ids[7]}` };
  if (KIND.startsWith("/")) return { path: KIND };
  const group = await post(url, "/scim/v2/Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Tail group", members: ids.slice(0, 10).map((value) => ({ value })) });
  if (KIND === "group") return { path: `/scim/v2/Groups/${group.id}?excludedAttributes=members` };
  if (KIND !== "member" && KIND !== "member-big") throw new Error(`--kind ${KIND}: group, user, member, member-big or a path`);
  let target = group.id;
  let pool = ids.slice(0, 10);
  if (KIND === "member-big") {
    target = (await post(url, "/scim/v2/Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Tail all" })).id;
    for (let from = 0; from < ids.length; from += 1000) {
      await post(url, `/scim/v2/Groups/${target}`, { schemas: [PATCH_OP], Operations: [{ op: "add", path: "members", value: ids.slice(from, from + 1000).map((value) => ({ value })) }] }, "PATCH");
    }
    const samples = Math.min(1000, ids.length);
    pool = Array.from({ length: samples }, (_, k) => ids[Math.floor((k * ids.length) / samples)]);
  }
  let serial = 0;
  const patch = (ctx, op) => ({ method: "PATCH", path: `/scim/v2/Groups/${target}`, headers: HEADERS, body: JSON.stringify({ schemas: [PATCH_OP], Operations: [op(ctx.member)] }) });
  return {
    requests: [
      { method: "PATCH", setupRequest: (req, ctx) => { ctx.member = pool[serial++ % pool.length]; return { ...req, ...patch(ctx, (id) => ({ op: "remove", path: `members[value eq "${id}"]` })) }; } },
      { method: "PATCH", setupRequest: (req, ctx) => ({ ...req, ...patch(ctx, (id) => ({ op: "add", path: "members", value: [{ value: id }] })) }) },
    ],
  };
}

/** What the hook recorded since it was last asked. */
async function recorded(server) {
  rmSync(server.out, { force: true });
  server.child.kill("SIGUSR2");
  for (let text = ""; ; await new Promise((r) => setTimeout(r, 5))) {
    if (!existsSync(server.out)) continue;
    text = readFileSync(server.out, "utf8");
    try { return JSON.parse(text); } catch { /* still being written */ }
  }
}

async function measure(flags) {
  const server = await startServer(flags);
  const rows = [];
  try {
    const what = await loadOf(server.url);
    const load = (seconds) => autocannon({ url: `${server.url}${what.path ?? ""}`, connections: CONNECTIONS, duration: seconds, headers: HEADERS, ...(what.requests ? { requests: what.requests } : {}) });
    await load(3); // warm-up: JIT, statements, the principal cache, the new space grown
    if (server.profiled) await startProfiler(server);
    for (let rep = 0; rep < REPS; rep++) {
      await recorded(server);
      const c0 = threadCpuNs(server.child.pid);
      const r = await load(SECONDS);
      const c1 = threadCpuNs(server.child.pid);
      const h = await recorded(server);
      const n = r.requests.total;
      const none = { count: 0, ms: 0, maxMs: 0 };
      const scavenge = h.gc.scavenge ?? none;
      const gcMs = Object.values(h.gc).reduce((t, g) => t + g.ms, 0);
      if (r.non2xx > 0) throw new Error(`${r.non2xx} answers were not 2xx`);
      rows.push({
        perSecond: Math.round(n / SECONDS), p50: r.latency.p50, p99: r.latency.p99,
        cpuUs: (c1.all - c0.all) / n / 1000, mainUs: (c1.main - c0.main) / n / 1000, othersUs: (c1.all - c1.main - (c0.all - c0.main)) / n / 1000,
        scavengesPerK: (scavenge.count * 1000) / n, scavengeMs: scavenge.count ? scavenge.ms / scavenge.count : 0, scavengeMaxMs: scavenge.maxMs,
        scavengedShare: (scavenge.count * CONNECTIONS) / n, markCompacts: (h.gc.markCompact ?? none).count, gcUs: (gcMs * 1000) / n,
        loopDelayP99: h.loopDelayMs.p99, newSpaceKB: h.spacesKB.new_space, rssMB: h.rssMB,
      });
    }
  } finally {
    server.child.kill("SIGTERM");
    await new Promise((r) => (server.child.exitCode !== null ? r() : server.child.once("exit", r)));
    rmSync(server.dir, { recursive: true, force: true });
  }
  return rows;
}

const COLUMNS = [
  ["perSecond", "req/s", 0], ["p50", "p50 ms", 0], ["p99", "p99 ms", 0], ["cpuUs", "CPU µs", 1], ["mainUs", "main µs", 1], ["othersUs", "others µs", 1],
  ["scavengesPerK", "scav/1k", 2], ["scavengeMs", "scav ms", 2], ["scavengeMaxMs", "max ms", 2], ["scavengedShare", "req hit", 3],
  ["markCompacts", "MC", 0], ["gcUs", "GC µs", 1], ["loopDelayP99", "loop p99", 1], ["newSpaceKB", "new KB", 0], ["rssMB", "RSS MB", 0],
];
const line = (label, row) => [label.padEnd(34), ...COLUMNS.map(([k, , d]) => row[k].toFixed(d).padStart(10))].join("");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`${KIND} at ${CONNECTIONS} connections, ${USERS} users, ${REPS} × ${SECONDS} s a variant (${TREE}; load ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")})`);
console.log(["variant".padEnd(34), ...COLUMNS.map(([, h]) => h.padStart(10))].join(""));
const medians = [];
for (const flags of VARIANTS) {
  const label = flags.join(" ") || "(as shipped)";
  const rows = await measure(flags);
  for (const row of rows) console.log(line(label, row));
  medians.push([label, Object.fromEntries(COLUMNS.map(([k]) => [k, median(rows.map((r) => r[k]))]))]);
}
console.log("medians:");
for (const [label, row] of medians) console.log(line(label, row));
