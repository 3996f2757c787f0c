// Where a create's CPU goes below HTTP (issue 18: POST /Users), in one process: the body of
// `npm run bench`'s POST (bench/bench-user.mjs) through what the POST route calls (userInputOf,
// createUser on the product's own store as the server opens it: events capture, group commit; the
// answer rendered as the route renders it), 10 callers at once (group commits shared) by default.
// Prints the CPU of the whole process per create (process.cpuUsage: all its threads, so the WAL
// fsync in libuv's pool, the checkpoint worker and GC count), the median of --rounds rounds, each
// round on a fresh copy of one store. Trees (--trees A,B: checkouts with dist/ built) run in
// separate processes, alternated round by round (A B, B A, ...), so the machine's other load falls on
// each alike.
// CPU is also printed by thread (main; `node`: libuv's pool, V8's workers, the checkpoint worker).
// --alloc: bytes of JavaScript heap allocated per create instead (exact), the collections, and the
// functions allocating most (bench/README.md).
//   npm run build && node bench/create-cost.mjs [--trees A,B] [--users 2000] [--calls 4000] [--rounds 5]
//     [--callers 10] [--durability full|normal] [--alloc [--no-sites]] [--node-args '--cpu-prof --cpu-prof-dir DIR'] [--keep]
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Session } from "node:inspector";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { benchUser } from "./bench-user.mjs";

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const here = resolve(fileURLToPath(import.meta.url), "..", "..");
const TREES = String(arg("trees", here)).split(",").map((t) => resolve(t));
const USERS = Number(arg("users", 2000));
const CALLS = Number(arg("calls", 4000));
const ROUNDS = Number(arg("rounds", 5));
const CALLERS = Number(arg("callers", 10));
const DURABILITY = String(arg("durability", "full"));
// --node-args '--cpu-prof --cpu-prof-dir DIR': given to node for each round's process (profile a round).
const NODE_ARGS = String(arg("node-args", "")).split(" ").filter(Boolean);
// --alloc: bytes of JavaScript heap allocated per create (exact) and the functions allocating most, instead of CPU.
const ALLOC = process.argv.includes("--alloc");
// --no-sites: --alloc without the sampling heap profiler (it slows the collections whose pauses --alloc also prints).
const NO_SITES = process.argv.includes("--no-sites");
const ONE = arg("one-round", null); // internal: `tree,template,round` (a child measuring one round)

/** ns of CPU by thread kind (its name, digits dropped; the first thread is "main"), from /proc/self/task/<id>/schedstat. */
function threadCpu() {
  const out = new Map();
  for (const t of readdirSync("/proc/self/task")) {
    try {
      const name = t === String(process.pid) ? "main" : readFileSync(`/proc/self/task/${t}/comm`, "utf8").trim();
      out.set(name, (out.get(name) ?? 0) + Number(readFileSync(`/proc/self/task/${t}/schedstat`, "utf8").split(" ")[0]));
    } catch { /* the thread ended */ }
  }
  return out;
}

if (ONE) {
  const [tree, template, round] = ONE.split(",");
  const require = createRequire(join(tree, "package.json"));
  const dist = (p) => require(join(tree, "dist", p));
  const { openStore } = dist("store/open.js");
  const { createUser } = dist("domain/users.js");
  const { operatorActor } = dist("domain/actor.js");
  const { systemClock } = dist("domain/clock.js");
  const { userInputOf } = dist("scim/resource-inputs.js");
  const { renderUser } = dist("scim/user-resource.js");
  const path = `${template}.r${round}.db`;
  copyFileSync(template, path);
  const store = await openStore(`sqlite:${path}`, { durability: DURABILITY });
  try {
    const org = (await store.orgs.list())[0];
    const actor = operatorActor(org, "create-cost");
    const deps = { store, clock: systemClock };
    const base = "http://127.0.0.1/scim/v2";
    let next = 0;
    let sink = 0;
    const run = (n, from) => Promise.all(Array.from({ length: CALLERS }, async () => {
      while (next < n) {
        const body = JSON.parse(JSON.stringify(benchUser(from + next++)));
        const input = userInputOf(body, "compatible");
        const { user, groups } = await createUser(deps, actor, input);
        sink += JSON.stringify(renderUser(user, base, groups ?? [], false)).length;
      }
    }));
    await run(500, 10_000_000);
    next = 0;
    if (ALLOC) {
      // Exact bytes of JavaScript heap allocated (bench/request-alloc-hook.mjs's method): a full
      // collection first, then what is used at the end plus what each collection freed; sites from
      // the sampling heap profiler.
      v8.setFlagsFromString("--expose-gc");
      const gc = runInNewContext("gc");
      const session = new Session();
      session.connect();
      const post = (method, params = {}) => new Promise((ok, fail) => session.post(method, params, (e, r) => (e ? fail(e) : ok(r))));
      gc();
      gc();
      if (!NO_SITES) await post("HeapProfiler.startSampling", { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
      const profiler = new v8.GCProfiler();
      const used0 = v8.getHeapStatistics().used_heap_size;
      profiler.start();
      await run(CALLS, 20_000_000);
      const used = v8.getHeapStatistics().used_heap_size;
      let freed = 0;
      const collections = {};
      let pauseUs = 0;
      for (const g of profiler.stop().statistics) {
        freed += g.beforeGC.heapStatistics.usedHeapSize - g.afterGC.heapStatistics.usedHeapSize;
        collections[g.gcType] = (collections[g.gcType] ?? 0) + 1;
        pauseUs += g.cost;
      }
      const { profile } = NO_SITES ? { profile: { head: { callFrame: {}, selfSize: 0, children: [] } } } : await post("HeapProfiler.stopSampling");
      const bytes = new Map();
      let total = 0;
      const name = (f) => `${f.functionName || "(anonymous)"} ${f.url ? `${f.url.replace(/^.*?\/(dist|node_modules)\//, "$1/")}:${f.lineNumber + 1}` : "(native)"}`;
      // A function's bytes, with its caller when it is a builtin (Object.entries, a Map: who called it says more).
      const walk = (node, caller) => {
        const own = name(node.callFrame);
        const key = node.callFrame.url ? own : `${own} ← ${caller}`;
        bytes.set(key, (bytes.get(key) ?? 0) + node.selfSize);
        total += node.selfSize;
        for (const c of node.children) walk(c, own);
      };
      walk(profile.head, "");
      const sites = [...bytes].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, b]) => [k, b / total]);
      process.stdout.write(JSON.stringify({ bytes: (used - used0 + freed) / next, collections, pauseUs: pauseUs / next, sites, sink }));
    } else {
    const threads0 = threadCpu();
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    await run(CALLS, 20_000_000);
    const used = process.cpuUsage(cpu);
    const threads = threadCpu();
    const byThread = {};
    for (const [name, ns] of threads) byThread[name] = (ns - (threads0.get(name) ?? 0)) / 1000 / next;
    process.stdout.write(JSON.stringify({ us: (used.user + used.system) / next, user: used.user / next, system: used.system / next, perSecond: next / ((performance.now() - t0) / 1000), byThread, sink }));
    }
  } finally {
    await store.close();
    for (const f of ["", "-wal", "-shm"]) rmSync(`${path}${f}`, { force: true });
  }
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), "orgscim-create-cost-"));
try {
  // The template store, made by the first tree: an organization (domain enforcement off), USERS users.
  const template = join(dir, "template.db");
  {
    const require = createRequire(join(TREES[0], "package.json"));
    const dist = (p) => require(join(TREES[0], "dist", p));
    const { openStore } = dist("store/open.js");
    const { createOrganization } = dist("domain/orgs.js");
    const { createUser } = dist("domain/users.js");
    const { operatorActor } = dist("domain/actor.js");
    const { systemClock } = dist("domain/clock.js");
    const { userInputOf } = dist("scim/resource-inputs.js");
    const setup = await openStore(`sqlite:${template}`, { durability: "normal" });
    const org = await createOrganization(setup, systemClock, { name: "Cost", settings: { domainEnforcement: false } });
    const actor = operatorActor(org, "create-cost");
    for (let i = 0; i < USERS; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, USERS - i) }, (_, k) => createUser({ store: setup, clock: systemClock }, actor, userInputOf(benchUser(i + k), "compatible"))));
    }
    await setup.close();
  }
  const results = TREES.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? TREES.map((_, i) => i) : TREES.map((_, i) => TREES.length - 1 - i);
    for (const i of order) {
      const out = execFileSync(process.execPath, [...NODE_ARGS, fileURLToPath(import.meta.url), "--one-round", `${TREES[i]},${template},${r}`,
        "--calls", String(CALLS), "--callers", String(CALLERS), "--durability", DURABILITY, ...(ALLOC ? ["--alloc"] : []), ...(NO_SITES ? ["--no-sites"] : [])], { encoding: "utf8" });
      results[i].push(JSON.parse(out));
    }
    process.stderr.write(`round ${r + 1}/${ROUNDS} done\n`);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`createUser of the bench's user (${USERS} users, ${CALLERS} callers, DURABILITY=${DURABILITY}), CPU of the process per create, median of ${ROUNDS} rounds of ${CALLS}:`);
  if (ALLOC) {
    for (const [i, t] of TREES.entries()) {
      console.log(`  ${t}: ${median(results[i].map((x) => x.bytes)).toFixed(0)} bytes allocated per create (rounds: ${results[i].map((x) => x.bytes.toFixed(0)).join(" ")}); collections ${JSON.stringify(results[i].at(-1).collections)}, main-thread pause ${results[i].at(-1).pauseUs.toFixed(1)} µs a create; sampled sites, last round:`);
      for (const [k, share] of results[i].at(-1).sites) console.log(`    ${(100 * share).toFixed(1).padStart(5)}%  ${k}`);
    }
    process.exit(0);
  }
  for (const [i, t] of TREES.entries()) {
    const us = results[i].map((x) => x.us);
    console.log(`  ${t.padEnd(30)} ${median(us).toFixed(1).padStart(7)} µs  ${median(results[i].map((x) => x.perSecond)).toFixed(0).padStart(6)}/s   (rounds: ${us.map((x) => x.toFixed(0)).join(" ")})`);
    const names = [...new Set(results[i].flatMap((x) => Object.keys(x.byThread)))];
    console.log(`    user ${median(results[i].map((x) => x.user)).toFixed(1)}, system ${median(results[i].map((x) => x.system)).toFixed(1)}`);
    console.log(`    by thread: ${names.map((n) => `${n} ${median(results[i].map((x) => x.byThread[n] ?? 0)).toFixed(1)}`).join(", ")}`);
  }
} finally {
  if (process.argv.includes("--keep")) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
