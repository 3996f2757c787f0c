// What the tail of the bench's cursor page (GET /Users?count=100&cursor=<deep>) is made of at 10
// connections: the built server as the bench runs it (`taskset -c 0`, the load on core 1), on a store
// of --users bench-shaped users (bench/bench-user.mjs; each in the Standard User group and one group
// holding every user, as the bench's data set), with bench/page-tail-hook.mjs preloaded. The load is
// autocannon as bench/load.ts drives it (setupRequest and onResponse per request: the body handed to
// onResponse), each request tagged with an `x-tail-id` header, so that each is split into:
//   wait    from the client's setupRequest to the server's 'request' (queued in the socket and the loop);
//   handle  from 'request' to res.end (the page read and written);
//   flush   from res.end to 'finish' (bytes the kernel did not take at once, written later by the loop);
//   deliver from 'finish' to the client's onResponse (the client reading and parsing the body).
// Per run: p50/p99/p99.9/max of the client's latency (ms, not rounded), the mean of each part over
// all requests and over the slowest 1%, the share of requests whose response the kernel did not
// take whole (held) among all and among the slowest 1%, the GC pauses the slowest 1% overlapped,
// scavenges and mark-compacts per 1,000 requests, event-loop delay p99, server CPU µs a request.
//   npm run build && node bench/page-tail.mjs [--trees DIR,DIR] [--users 10000] [--seconds 5] [--reps 3]
//     [--connections 10] [--variants 'NODE FLAGS;...'] [--env '{"NAME":"value"}'] [--path PATH]
// PAGE_TAIL_SERVER_OUT=FILE: the server's stdout goes there (with --variants '--trace-gc', V8's line per collection).
// --path: another path to load instead of the deep cursor pages (e.g. a startIndex page); {big} in it is
// the id of the group of every user, e.g. --path '/scim/v2/Groups/{big}?excludedAttributes=members'
// (the bench's GET group, big).
// Linux only; without taskset nothing is pinned.
import autocannon from "autocannon";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { benchUser } from "./bench-user.mjs";
import { freePort, loadOnCore1, onServerCore, threadCpuNs } from "./load-core.mjs";

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const TREES = String(arg("trees", ".")).split(",").map((t) => resolve(t));
const USERS = Number(arg("users", 10000));
const SECONDS = Number(arg("seconds", 5));
const REPS = Number(arg("reps", 3));
const CONNECTIONS = Number(arg("connections", 10));
const VARIANTS = String(arg("variants", "")).split(";").map((v) => v.split(" ").filter(Boolean));
const EXTRA_ENV = JSON.parse(String(arg("env", "{}")));
const PATH = arg("path", undefined);
const HOOK = fileURLToPath(new URL("./page-tail-hook.mjs", import.meta.url));
const TOKEN = `osk_${"cd".repeat(16)}_${"P".repeat(43)}`;

loadOnCore1("PAGE_TAIL_PINNED"); // the load on core 1, the server on core 0

const cpuNs = (pid) => threadCpuNs(pid).all;

const agent = new Agent({ keepAlive: true, maxSockets: 4 });
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

async function startServer(tree, flags) {
  const dir = mkdtempSync(join(tmpdir(), "orgscim-pagetail-"));
  const port = await freePort();
  const out = join(dir, "tail.json");
  const env = { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "info", DATABASE_URL: `sqlite:${join(dir, "t.db")}`, ORGSCIM_BOOTSTRAP_TOKEN: TOKEN, PAGE_TAIL_OUT: out, ...EXTRA_ENV };
  const argv = [process.execPath, ...flags, "--import", HOOK, join(tree, "dist", "main.js")];
  const child = spawn(...onServerCore(argv), { env, stdio: ["ignore", openSync(process.env.PAGE_TAIL_SERVER_OUT ?? "/dev/null", "a"), "inherit"] });
  const url = `http://127.0.0.1:${port}`;
  for (const end = Date.now() + 60_000; ;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before it answered`);
    try { if ((await fetch(`${url}/healthz`)).status < 500) break; } catch { /* not listening yet */ }
    if (Date.now() > end) throw new Error(`${url}/healthz did not answer within 60 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const cli = (args) => execFileSync(process.execPath, [join(tree, "bin", "orgscim.js"), ...args], { env, encoding: "utf8" });
  cli(["orgs", "settings", JSON.parse(cli(["orgs", "list"]))[0].sid, "--domain-enforcement", "off"]);
  return { child, url, dir, out };
}

/** The users, every one in a group of its own besides Standard User; the deep cursors (second half). */
async function populate(url) {
  const ids = [];
  for (let from = 0; from < USERS; from += 1000) {
    const Operations = Array.from({ length: Math.min(1000, USERS - from) }, (_, k) => ({ method: "POST", path: "/Users", bulkId: `u${from + k}`, data: benchUser(from + k) }));
    const r = JSON.parse(await send(url, "POST", "/scim/v2/Bulk", { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations }));
    for (const o of r.Operations) ids.push(o.location.split("/").pop());
  }
  const big = JSON.parse(await send(url, "POST", "/scim/v2/Groups", { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "tail big group" })).id;
  for (let from = 0; from < ids.length; from += 1000) {
    await send(url, "PATCH", `/scim/v2/Groups/${big}`, { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "add", path: "members", value: ids.slice(from, from + 1000).map((value) => ({ value })) }] });
  }
  const cursors = [];
  for (let cursor = ""; cursor !== undefined;) {
    const page = JSON.parse(await send(url, "GET", `/scim/v2/Users?count=100&excludedAttributes=groups&cursor=${encodeURIComponent(cursor)}`));
    cursor = page.nextCursor;
    if (cursor !== undefined) cursors.push(cursor);
  }
  return { cursors: cursors.slice(Math.floor(cursors.length / 2), -1), big };
}

async function recorded(server) {
  rmSync(server.out, { force: true });
  server.child.kill("SIGUSR2");
  for (let text = ""; ; await new Promise((r) => setTimeout(r, 5))) {
    if (!existsSync(server.out)) continue;
    text = readFileSync(server.out, "utf8");
    try { return JSON.parse(text); } catch { /* still being written */ }
  }
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

async function load(url, paths, seconds, sent) {
  let next = 0;
  const at = Symbol("at");
  const result = await autocannon({
    url, connections: CONNECTIONS, duration: seconds, timeout: 10,
    requests: [{
      method: "GET",
      setupRequest: (req, ctx) => {
        const id = next++;
        ctx[at] = id;
        sent.set(id, { c0: performance.timeOrigin + performance.now(), c1: 0 });
        return { ...req, path: paths[id % paths.length], headers: { authorization: `Bearer ${TOKEN}`, accept: "application/scim+json", "x-tail-id": String(id) } };
      },
      onResponse: (status, body, ctx) => {
        const s = sent.get(ctx[at]);
        if (s && status === 200) s.c1 = performance.timeOrigin + performance.now();
      },
    }],
  });
  if (result.non2xx > 0) throw new Error(`${result.non2xx} answers were not 2xx`);
  return result;
}

function analyse(sent, h, cpuUs) {
  const byId = new Map(h.requests.map((r) => [r.id, r]));
  const rows = [];
  for (const [id, s] of sent) {
    const r = byId.get(id);
    if (!r || !s.c1 || !r.finished) continue;
    rows.push({ total: s.c1 - s.c0, wait: r.read - s.c0, handle: r.ended - r.read, flush: r.finished - r.ended, deliver: s.c1 - r.finished, held: r.held > 0, c0: s.c0, c1: s.c1 });
  }
  const sorted = rows.map((r) => r.total).sort((a, b) => a - b);
  const p99 = pct(sorted, 99);
  const tail = rows.filter((r) => r.total >= p99);
  const scav = h.gcs.filter((g) => g[0] === "scavenge");
  const marks = h.gcs.filter((g) => g[0] === "markCompact");
  const overlapped = (r) => h.gcs.filter((g) => g[1] < r.c1 && g[1] + g[2] > r.c0).reduce((t, g) => t + g[2], 0);
  const parts = (xs) => ["wait", "handle", "flush", "deliver"].map((k) => mean(xs.map((r) => r[k])).toFixed(2)).join("/");
  return {
    n: rows.length, p50: pct(sorted, 50), p99, p999: pct(sorted, 99.9), max: sorted[sorted.length - 1],
    allParts: parts(rows), tailParts: parts(tail),
    heldAll: rows.filter((r) => r.held).length / rows.length, heldTail: tail.filter((r) => r.held).length / tail.length,
    tailGcMs: mean(tail.map(overlapped)), allGcMs: mean(rows.map(overlapped)),
    scavPerK: (scav.length * 1000) / rows.length, scavMs: mean(scav.map((g) => g[2])), markCompacts: marks.length, markMaxMs: Math.max(0, ...marks.map((g) => g[2])),
    loopP99: h.loopDelayMs.p99, loopMax: h.loopDelayMs.max, cpuUs,
  };
}

async function measure(tree, flags) {
  const server = await startServer(tree, flags);
  const out = [];
  try {
    const { cursors, big } = await populate(server.url);
    const paths = PATH ? [PATH.replace("{big}", big)] : cursors.map((c) => `/scim/v2/Users?count=100&cursor=${encodeURIComponent(c)}`);
    await load(server.url, paths, 3, new Map());
    for (let rep = 0; rep < REPS; rep++) {
      await recorded(server);
      const sent = new Map();
      const c0 = cpuNs(server.child.pid);
      await load(server.url, paths, SECONDS, sent);
      const c1 = cpuNs(server.child.pid);
      const h = await recorded(server);
      out.push(analyse(sent, h, (c1 - c0) / 1000 / h.requests.length));
    }
  } finally {
    server.child.kill("SIGTERM");
    await new Promise((r) => (server.child.exitCode !== null ? r() : server.child.once("exit", r)));
    rmSync(server.dir, { recursive: true, force: true });
  }
  return out;
}

const fmt = (row) => [
  row.n.toFixed(0).padStart(6), row.p50.toFixed(1).padStart(6), row.p99.toFixed(1).padStart(6), row.p999.toFixed(1).padStart(6), row.max.toFixed(1).padStart(6),
  row.allParts.padStart(24), row.tailParts.padStart(24), (row.heldAll * 100).toFixed(0).padStart(5), (row.heldTail * 100).toFixed(0).padStart(5),
  row.allGcMs.toFixed(2).padStart(6), row.tailGcMs.toFixed(2).padStart(6), row.scavPerK.toFixed(1).padStart(6), row.scavMs.toFixed(2).padStart(6),
  String(row.markCompacts).padStart(3), row.markMaxMs.toFixed(1).padStart(6), row.loopP99.toFixed(1).padStart(6), row.loopMax.toFixed(1).padStart(6), row.cpuUs.toFixed(0).padStart(6),
].join(" ");
console.log(`${PATH ?? "cursor page of 100"} at ${CONNECTIONS} connections, ${USERS} users, ${REPS} × ${SECONDS} s (load ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")})`);
console.log("parts: wait/handle/flush/deliver mean ms; held %: responses the kernel did not take whole; GC ms: pauses overlapping a request, mean");
console.log(`${"variant".padEnd(28)}      n    p50    p99  p99.9    max          parts (all)        parts (slowest 1%) held% tail%  GCall GCtail scav/k scavms  MC MCmaxms loop99 loopmx CPUµs`);
for (const tree of TREES) {
  for (const flags of VARIANTS) {
    const label = `${TREES.length > 1 ? `${tree.split("/").pop()} ` : ""}${flags.join(" ") || "(as shipped)"}`.slice(0, 28);
    for (const row of await measure(tree, flags)) console.log(`${label.padEnd(28)} ${fmt(row)}`);
  }
}
