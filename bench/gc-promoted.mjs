// What reaches V8's old generation while the server answers one request kind, A/B between built
// trees: the bytes each scavenge promotes, scavenges and mark-compacts per 10,000 requests (every
// promoted byte that dies is garbage only a mark-compact frees: the mark-compacts are the writes'
// p99s), exact, from V8's own line per collection (`node --trace-gc-nvp`, the main thread's heap).
// Each tree's dist/main.js runs pinned to core 0 (this script on core 1), on a fresh SQLite store of
// --users bench-shaped users (bench/bench-user.mjs), a 10-member group and a group of every user; for
// each kind --warmup requests, then --requests measured, over 10 kept-alive connections (a 429 is
// counted, not failed). Rounds alternate the trees (a fresh server each); medians are printed.
//   npm run build && node bench/gc-promoted.mjs [--trees DIR,DIR] [--kinds member,post,group] [--users 2000]
//     [--requests 10000] [--warmup 3000] [--rounds 3] [--sites N] [--pre-bulk N] [--env '{"NAME":"value"}']
// Kinds: member (PATCH /Groups: one member of the 10-member group removed, then added back, as the
// bench's groups.member.small.entra), post (POST /Users, a bench-shaped user), active (PATCH /Users:
// active false), group (GET /Groups/{every user's group}?excludedAttributes=members).
// --sites N: also the N allocation stacks whose objects reached the old generation most (the
// inspector's sampling heap profiler, every 8 KB, in the last round's measured window, through
// bench/gc-promoted-hook.mjs; it slows the server, so that round's counts are not used).
// --pre-bulk N: then N more /Bulk requests of 1,000 creates each (users of their own, in no group),
// before the first kind: a server that has served an import (V8's allocation-site pretenuring learns
// from what survives; src/v8-heap.ts).
// Linux only (taskset; without it nothing is pinned).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { benchUser } from "./bench-user.mjs";
import { freePort, loadOnCore1, onServerCore } from "./load-core.mjs";

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const TREES = String(arg("trees", ".")).split(",").map((t) => resolve(t));
const KINDS = String(arg("kinds", "member,post,group")).split(",");
const USERS = Number(arg("users", 2000));
const REQUESTS = Number(arg("requests", 10_000));
const WARMUP = Number(arg("warmup", 3000));
const ROUNDS = Number(arg("rounds", 3));
const SITES = Number(arg("sites", 0));
const PRE_BULK = Number(arg("pre-bulk", 0));
const EXTRA_ENV = JSON.parse(String(arg("env", "{}")));
const CONNECTIONS = 10;
const HOOK = fileURLToPath(new URL("./gc-promoted-hook.mjs", import.meta.url));
const TOKEN = `osk_${"cd".repeat(16)}_${"P".repeat(43)}`;
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

loadOnCore1("GC_PROMOTED_PINNED"); // the load on core 1, the server on core 0

async function startServer(tree, sampling) {
  const dir = mkdtempSync(join(tmpdir(), "orgscim-gcpromoted-"));
  const port = await freePort();
  const out = join(dir, "hook.json");
  const stdout = join(dir, "stdout");
  const env = { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "info", DATABASE_URL: `sqlite:${join(dir, "t.db")}`, ORGSCIM_BOOTSTRAP_TOKEN: TOKEN, GC_PROMOTED_OUT: out, GC_PROMOTED_SAMPLING: String(sampling), ...EXTRA_ENV };
  const argv = [process.execPath, "--trace-gc-nvp", "--import", HOOK, join(tree, "dist", "main.js")];
  const child = spawn(...onServerCore(argv), { env, stdio: ["ignore", openSync(stdout, "a"), "inherit"] });
  const url = `http://127.0.0.1:${port}`;
  for (const end = Date.now() + 60_000; ;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before it answered`);
    try { if ((await fetch(`${url}/healthz`)).status < 500) break; } catch { /* not listening yet */ }
    if (Date.now() > end) throw new Error(`${url}/healthz did not answer within 60 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const cli = (args) => execFileSync(process.execPath, [join(tree, "bin", "orgscim.js"), ...args], { env, encoding: "utf8" });
  cli(["orgs", "settings", JSON.parse(cli(["orgs", "list"]))[0].sid, "--domain-enforcement", "off"]);
  const control = async (cmd) => {
    rmSync(out, { force: true });
    writeFileSync(`${out}.cmd`, cmd);
    child.kill("SIGUSR2");
    for (const end = Date.now() + 60_000; ; await new Promise((r) => setTimeout(r, 20))) {
      if (existsSync(out)) { try { const a = JSON.parse(readFileSync(out, "utf8")); if (a.error) throw new Error(a.error); return a; } catch (e) { if (!(e instanceof SyntaxError)) throw e; } }
      if (Date.now() > end) throw new Error(`the hook did not answer "${cmd}" within 60 s`);
    }
  };
  return { child, url, dir, stdout, control };
}

function client(url) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  let refused = 0;
  const send = (method, path, body) => new Promise((ok, fail) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(`${url}${path}`, { method, agent, headers: { authorization: `Bearer ${TOKEN}`, ...(payload ? { "content-type": "application/scim+json", "content-length": Buffer.byteLength(payload) } : {}) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => {
        if (res.statusCode === 429) refused++;
        if (res.statusCode >= 300 && res.statusCode !== 429) fail(new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 200)}`));
        else ok(text);
      });
    });
    req.on("error", fail);
    req.end(payload);
  });
  return { send, refused: () => refused, close: () => agent.destroy() };
}

async function populate(send) {
  const ids = [];
  for (let from = 0; from < USERS; from += 1000) {
    const Operations = Array.from({ length: Math.min(1000, USERS - from) }, (_, k) => ({ method: "POST", path: "/Users", bulkId: `u${from + k}`, data: benchUser(from + k) }));
    const r = JSON.parse(await send("POST", "/scim/v2/Bulk", { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations }));
    for (const o of r.Operations) ids.push(o.location.split("/").pop());
  }
  const small = JSON.parse(await send("POST", "/scim/v2/Groups", { schemas: [GROUP], displayName: "GC small group", members: ids.slice(0, 10).map((value) => ({ value })) })).id;
  const big = JSON.parse(await send("POST", "/scim/v2/Groups", { schemas: [GROUP], displayName: "GC big group" })).id;
  for (let from = 0; from < ids.length; from += 1000) {
    await send("PATCH", `/scim/v2/Groups/${big}`, { schemas: [PATCH_OP], Operations: [{ op: "add", path: "members", value: ids.slice(from, from + 1000).map((value) => ({ value })) }] });
  }
  for (let b = 0; b < PRE_BULK; b++) {
    const Operations = Array.from({ length: 1000 }, (_, k) => ({ method: "POST", path: "/Users", bulkId: `i${k}`, data: benchUser(20_000_000 + b * 1000 + k) }));
    await send("POST", "/scim/v2/Bulk", { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations });
  }
  return { ids, small, big };
}

function kindsOf({ ids, small, big }) {
  let created = 0;
  return {
    member: (i) => ["PATCH", `/scim/v2/Groups/${small}`, { schemas: [PATCH_OP], Operations: [{ op: i % 2 === 0 ? "Remove" : "Add", path: "members", value: [{ value: ids[Math.floor(i / 2) % 10] }] }] }],
    post: () => ["POST", "/scim/v2/Users", benchUser(10_000_000 + created++)],
    active: (i) => ["PATCH", `/scim/v2/Users/${ids[(i * 7919) % ids.length]}`, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "active", value: i % 2 === 1 }] }],
    group: () => ["GET", `/scim/v2/Groups/${big}?excludedAttributes=members`],
  };
}

/** The main thread's collections in V8's --trace-gc-nvp lines (the isolate with the most lines: worker threads have their own). */
function collections(text) {
  const lines = text.split("\n").filter((l) => l.includes(" gc="));
  const isolate = (l) => /^\[\d+:(0x[0-9a-f]+)\]/.exec(l)?.[1] ?? "";
  const per = new Map();
  for (const l of lines) per.set(isolate(l), (per.get(isolate(l)) ?? 0) + 1);
  const main = [...per].sort((a, b) => b[1] - a[1])[0]?.[0];
  const r = { scavenges: 0, markCompacts: 0, reducing: 0, promoted: 0, survived: 0, scavengeMs: 0, markCompactMs: 0 };
  for (const l of lines) {
    if (isolate(l) !== main) continue;
    const field = (name) => Number(new RegExp(` ${name}=([\\d.]+)`).exec(l)?.[1] ?? 0);
    const kind = /gc=(\w+)/.exec(l)[1];
    if (kind === "s") {
      r.scavenges++;
      r.promoted += field("promoted");
      r.survived += field("new_space_survived");
      r.scavengeMs += field("pause");
    } else if (kind === "mc" || kind === "ms") {
      r.markCompacts++;
      if (field("reduce_memory") > 0) r.reducing++; // V8's memory reducer (the heap at rest), not the old generation's limit
      r.markCompactMs += field("pause");
    }
  }
  return r;
}

async function measure(tree, sampling) {
  const server = await startServer(tree, sampling);
  const c = client(server.url);
  const out = {};
  try {
    const all = kindsOf(await populate(c.send));
    for (const kind of KINDS) {
      const make = all[kind];
      if (!make) throw new Error(`unknown kind ${kind}: member, post, active or group`);
      const run = async (n, offset) => {
        let next = 0;
        await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
          while (next < n) { const i = offset + next++; const [m, p, b] = make(i); await c.send(m, p, b); }
        }));
      };
      await run(WARMUP, 1_000_000);
      await server.control("start");
      const from = readFileSync(server.stdout, "utf8").length;
      const refused0 = c.refused();
      await run(REQUESTS, 0);
      const text = readFileSync(server.stdout, "utf8").slice(from);
      const answer = await server.control("stop");
      out[kind] = { ...collections(text), refused: c.refused() - refused0, sites: answer.sites };
    }
  } finally {
    c.close();
    server.child.kill("SIGTERM");
    await new Promise((r) => (server.child.exitCode !== null ? r() : server.child.once("exit", r)));
    rmSync(server.dir, { recursive: true, force: true });
  }
  return out;
}

const perTenK = (n) => (n * 10_000) / REQUESTS;
const COLUMNS = [
  ["scavenges / 10k", (r) => perTenK(r.scavenges), 1],
  ["mark-compacts / 10k", (r) => perTenK(r.markCompacts), 1],
  ["of them reducing", (r) => perTenK(r.reducing), 1],
  ["promoted KB / scavenge", (r) => (r.scavenges ? r.promoted / r.scavenges / 1024 : 0), 1],
  ["promoted B / request", (r) => r.promoted / REQUESTS, 0],
  ["survived KB / scavenge", (r) => (r.scavenges ? r.survived / r.scavenges / 1024 : 0), 1],
  ["scavenge ms / 10k", (r) => perTenK(r.scavengeMs), 1],
  ["mark-compact ms / 10k", (r) => perTenK(r.markCompactMs), 1],
  ["429s", (r) => r.refused, 0],
];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`${REQUESTS} requests a kind after ${WARMUP} warm-up, 10 connections, ${USERS} users${PRE_BULK ? ` and ${PRE_BULK} /Bulk of 1,000 creates` : ""}, ${ROUNDS} round(s); load ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
const results = TREES.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  for (const [t, tree] of TREES.entries()) {
    const r = await measure(tree, 0);
    results[t].push(r);
    for (const kind of KINDS) console.log(`round ${round + 1} ${tree} ${kind}: ${r[kind].scavenges} scavenges, ${r[kind].markCompacts} mark-compacts (${r[kind].reducing} by the memory reducer), ${r[kind].promoted} B promoted, ${r[kind].refused} 429s`);
  }
}
console.log("medians:");
console.log(["kind / tree".padEnd(40), ...COLUMNS.map(([h]) => h.padStart(24))].join(""));
for (const kind of KINDS) {
  for (const [t, tree] of TREES.entries()) {
    console.log([`${kind} ${tree}`.slice(-40).padEnd(40), ...COLUMNS.map(([, f, d]) => median(results[t].map((r) => f(r[kind]))).toFixed(d).padStart(24))].join(""));
  }
}
if (SITES > 0) {
  for (const tree of TREES) {
    const r = await measure(tree, 8192);
    for (const kind of KINDS) {
      const sites = r[kind].sites.sort((a, b) => b[1] - a[1]);
      const total = sites.reduce((t, [, b]) => t + b, 0);
      console.log(`\n${tree} ${kind}: sampled bytes that reached the old generation: ${total} (${Math.round(total / REQUESTS)} B a request); top ${SITES} allocation stacks:`);
      for (const [stack, bytes] of sites.slice(0, SITES)) console.log(`${String(bytes).padStart(10)}  ${stack}`);
    }
  }
}
