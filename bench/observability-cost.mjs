// The server CPU one lookup (GET /scim/v2/Users/:id, 10 connections) costs with metrics off, with
// metrics on, and with metrics and tracing (every request sampled, to a loopback receiver that drops
// the spans): 8,000 lookups per round, rounds alternating, medians. CPU time of the server process
// (utime + stime from /proc) per request, which a loaded machine disturbs less than throughput.
//   npm run build && node bench/observability-cost.mjs [rounds=5]
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "node:http";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const autocannon = require("autocannon");
const TOKEN = `osk_${"ab".repeat(16)}_bench-token-${"z".repeat(24)}`;
const sink = createServer((req, res) => { req.resume(); req.on("end", () => res.end("{}")); }).listen(0, "127.0.0.1");
await new Promise((r) => sink.on("listening", r));
const modes = {
  off: {},
  metrics: { METRICS_TOKEN: "m".repeat(32) },
  "metrics+tracing": { METRICS_TOKEN: "m".repeat(32), OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${sink.address().port}` },
};
const dir = mkdtempSync(join(tmpdir(), "orgscim-obs-cost-"));
const db = join(dir, "bench.db");
const env0 = { PATH: process.env.PATH, DATABASE_URL: `sqlite:${db}`, ORGSCIM_BOOTSTRAP_TOKEN: TOKEN, LOG_LEVEL: "warn", WRITES_SHED_LAG_MS: "0", HOST: "127.0.0.1" };
async function freePort() {
  const s = createServer().listen(0, "127.0.0.1");
  await new Promise((r) => s.on("listening", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}
async function start(extra) {
  const p = await freePort();
  const child = spawn(process.execPath, [ `${ROOT}/dist/main.js`], { cwd: ROOT, env: { ...env0, ...extra, PORT: String(p) }, stdio: "ignore" });
  for (;;) { try { if ((await fetch(`http://127.0.0.1:${p}/healthz`)).ok) break; } catch {} await new Promise((r) => setTimeout(r, 50)); }
  return { child, url: `http://127.0.0.1:${p}` };
}
// a user to look up
const s0 = await start({});
const orgId = JSON.parse(execFileSync(process.execPath, [`${ROOT}/bin/orgscim.js`, "orgs", "list"], { env: env0 }))[0].id;
execFileSync(process.execPath, [`${ROOT}/bin/orgscim.js`, "orgs", "settings", orgId, "--domain-enforcement", "off"], { env: env0 });
const u = await (await fetch(`${s0.url}/scim/v2/Users`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/scim+json" }, body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "bench@x.test" }) })).json();
s0.child.kill(); await new Promise((r) => s0.child.on("exit", r));
const results = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
const rounds = Number(process.argv[2] ?? 5);
for (let round = 0; round < rounds; round++) {
  for (const [name, extra] of Object.entries(modes)) {
    const s = await start(extra);
    await autocannon({ url: `${s.url}/scim/v2/Users/${u.id}`, connections: 10, duration: 2, headers: { authorization: `Bearer ${TOKEN}` } }); // warm-up
    const cpu = () => { const f = readFileSync(`/proc/${s.child.pid}/stat`, "utf8").split(") ")[1].split(" "); return (Number(f[11]) + Number(f[12])) * 10; }; // ms (USER_HZ 100)
    const before = cpu();
    const r = await autocannon({ url: `${s.url}/scim/v2/Users/${u.id}`, connections: 10, amount: 8000, headers: { authorization: `Bearer ${TOKEN}` } });
    const used = cpu() - before;
    results[name].push((used * 1000) / r.requests.total);
    s.child.kill(); await new Promise((x) => s.child.on("exit", x));
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const [name, v] of Object.entries(results)) console.log(`${name.padEnd(16)} median ${median(v).toFixed(0)} µs of server CPU per lookup  rounds: ${v.map((x) => x.toFixed(0)).join(", ")}`);
sink.close();
rmSync(dir, { recursive: true, force: true });
