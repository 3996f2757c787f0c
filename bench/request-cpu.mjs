// Server CPU per request, A/B between built trees: each tree's dist/main.js serves a SQLite store
// of --users users (made by /Bulk), and for each request kind --requests requests are sent over
// --connections kept-alive connections; the server's CPU is the sum of its threads' time on a CPU
// (/proc/<pid>/task/*/schedstat, nanoseconds: the main thread, libuv's pool, V8's GC helpers), so
// other processes on the machine do not count, only what they make the server wait for. Rounds
// alternate the trees (A B A B ...) with a fresh server each; the median of the rounds is printed.
//   npm run build && node bench/request-cpu.mjs --trees <dirA>,<dirB> [--users 2000] [--requests 2000] [--connections 10] [--rounds 3]
// A tree is a checkout with dist/ built and node_modules (e.g. `git archive <commit> | tar -x -C /tmp/a`,
// `cp -al node_modules /tmp/a/`, `npm run build` there). Linux only.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const TREES = String(arg("trees", ".")).split(",").map((t) => resolve(t));
const USERS = Number(arg("users", 2000));
const REQUESTS = Number(arg("requests", 2000));
const CONNECTIONS = Number(arg("connections", 10));
const ROUNDS = Number(arg("rounds", 3));
const TOKEN = `osk_${"cd".repeat(16)}_${"R".repeat(43)}`;
const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";

/** Nanoseconds every thread of `pid` has run. */
function cpuNs(pid) {
  let ns = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try { ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[0]); } catch { /* the thread ended */ }
  }
  return ns;
}

async function start(tree) {
  const dir = mkdtempSync(join(tmpdir(), "orgscim-reqcpu-"));
  const env = { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info", WRITES_SHED_LAG_MS: "0", OVERLOAD_QUEUE_DEPTH: "0", DATABASE_URL: `sqlite:${join(dir, "c.db")}`, ORGSCIM_BOOTSTRAP_TOKEN: TOKEN };
  const child = spawn(process.execPath, [join(tree, "dist", "main.js")], { env, stdio: ["ignore", "pipe", "inherit"] });
  let head = "";
  const url = await new Promise((ok, fail) => {
    const onData = (d) => {
      head += d;
      const m = /"url":"(http:[^"]+)"/.exec(head);
      if (m) { child.stdout.off("data", onData); child.stdout.resume(); ok(m[1]); }
    };
    child.stdout.on("data", onData);
    child.once("exit", (code) => fail(new Error(`${tree}: server exited ${code}`)));
  });
  const cli = (args) => execFileSync(process.execPath, [join(tree, "bin", "orgscim.js"), ...args], { env, encoding: "utf8" });
  cli(["orgs", "settings", JSON.parse(cli(["orgs", "list"]))[0].sid, "--domain-enforcement", "off"]);
  return { child, url, dir };
}

const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
function send(url, method, path, body) {
  return new Promise((ok, fail) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(`${url}${path}`, { method, agent, headers: { authorization: `Bearer ${TOKEN}`, ...(payload ? { "content-type": "application/scim+json", "content-length": Buffer.byteLength(payload) } : {}) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => (res.statusCode >= 300 ? fail(new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 200)}`)) : ok(text)));
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
      return { method: "POST", path: "/Users", bulkId: `u${i}`, data: { schemas: [USER_SCHEMA], userName: `cpu.user${i}@example.com`, displayName: `CPU User ${i}`, name: { givenName: `G${i}`, familyName: `F${i}` }, emails: [{ value: `cpu.user${i}@example.com`, primary: true, type: "work" }] } };
    });
    const r = JSON.parse(await send(url, "POST", "/scim/v2/Bulk", { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations }));
    for (const o of r.Operations) ids.push(o.location.split("/").pop());
  }
  const group = JSON.parse(await send(url, "POST", "/scim/v2/Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "CPU group" })).id;
  return { ids, group };
}

/** The request kinds: [name, (i) => [method, path, body]]. */
function kinds({ ids, group }) {
  const pick = (i) => ids[(i * 7919) % ids.length];
  let created = 0;
  return [
    ["GET /Users/:id", (i) => ["GET", `/scim/v2/Users/${pick(i)}`]],
    ["GET /Users?filter userName", (i) => ["GET", `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "cpu.user${(i * 7919) % ids.length}@example.com"`)}`]],
    ["GET /Groups/:id (no members)", () => ["GET", `/scim/v2/Groups/${group}?excludedAttributes=members`]],
    ["PATCH /Users/:id", (i) => ["PATCH", `/scim/v2/Users/${pick(i)}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "displayName", value: `Patched ${i}` }] }]],
    ["POST /Users", () => { const n = created++; return ["POST", "/scim/v2/Users", { schemas: [USER_SCHEMA], userName: `cpu.new${process.pid}.${Date.now()}.${n}@example.com`, emails: [{ value: `cpu.new${n}.${Date.now()}@example.com`, primary: true }] }]; }],
  ];
}

async function measure(server, data) {
  const out = {};
  for (const [name, make] of kinds(data)) {
    const run = async (n, offset) => {
      let next = 0;
      await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
        while (next < n) { const i = offset + next++; const [m, p, b] = make(i); await send(server.url, m, p, b); }
      }));
    };
    await run(Math.min(200, REQUESTS), 1_000_000); // warm-up: JIT, statements, the principal cache
    const c0 = cpuNs(server.child.pid);
    const t0 = performance.now();
    await run(REQUESTS, 0);
    const wall = performance.now() - t0;
    out[name] = { cpuUs: (cpuNs(server.child.pid) - c0) / REQUESTS / 1000, perSecond: REQUESTS / (wall / 1000) };
  }
  return out;
}

const results = TREES.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  for (const [t, tree] of TREES.entries()) {
    const server = await start(tree);
    try {
      const data = await populate(server.url);
      results[t].push(await measure(server, data));
    } finally {
      server.child.kill("SIGTERM");
      await new Promise((r) => server.child.once("exit", r));
      rmSync(server.dir, { recursive: true, force: true });
    }
    process.stderr.write(`round ${round + 1}/${ROUNDS} ${tree} done (load ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")})\n`);
  }
}
agent.destroy();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`server CPU µs per request (median of ${ROUNDS} rounds; ${USERS} users, ${REQUESTS} requests, ${CONNECTIONS} connections; load ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")})`);
console.log(["request".padEnd(30), ...TREES.map((t) => t.slice(-24).padStart(26))].join(""));
for (const name of Object.keys(results[0][0])) {
  console.log([name.padEnd(30), ...results.map((rs) => `${median(rs.map((r) => r[name].cpuUs)).toFixed(0).padStart(6)} µs ${median(rs.map((r) => r[name].perSecond)).toFixed(0).padStart(6)}/s`.padStart(26))].join(""));
}
