// The CPU the metrics add to one request, in isolation: the request middleware (latency histogram,
// per-organization counter) and 4 store calls observed (a lookup's tokens.get, orgs.get, users.get,
// and one more), with prom-client's real registry; a fake request and response. Median of 7 runs of
// 100,000 iterations, CPU time of this process (process.cpuUsage).
//   npm run build && node bench/metrics-overhead.mjs
import { createRequire } from "node:module";
import { EventEmitter } from "node:events";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
const require = createRequire(import.meta.url);
const { createMetrics } = require(join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "observability", "metrics.js"));
const m = createMetrics({ orgLimit: 50, sqlitePath: null });
const N = 100_000;
const ops = ["tokens.get", "orgs.get", "users.get", "groups.listForUser"];
const once = () => {
  const res = new EventEmitter();
  res.statusCode = 200;
  const req = { method: "GET", baseUrl: "/scim/v2", routeTemplate: "/scim/v2/Users/:id", actor: { org: { id: "OR0123456789abcdef0123456789abcdef" } } };
  m.middleware(req, res, () => undefined);
  for (const op of ops) m.storeObserver.begin(op)();
  res.emit("finish");
};
const run = () => { const c = process.cpuUsage(); for (let i = 0; i < N; i++) once(); const d = process.cpuUsage(c); return (d.user + d.system) / N; };
const base = () => { const c = process.cpuUsage(); for (let i = 0; i < N; i++) { const res = new EventEmitter(); res.once("finish", () => undefined); res.emit("finish"); } const d = process.cpuUsage(c); return (d.user + d.system) / N; };
run(); base(); // warm-up
const a = [], b = [];
for (let k = 0; k < 7; k++) { a.push(run()); b.push(base()); }
const med = (x) => [...x].sort((p, q) => p - q)[3];
console.log(`metrics per request (middleware + 4 store calls): ${(med(a) - med(b)).toFixed(2)} µs CPU (with the fake request ${med(a).toFixed(2)}, the fake request alone ${med(b).toFixed(2)}); runs: ${a.map((x) => x.toFixed(2)).join(", ")}`);
m.stop();
