// CPU of reading a JSON request body, A/B between two built trees' src/http/body.ts jsonBody, in one
// process: one express app serves POST /a through tree A's jsonBody("1mb") and POST /b through tree B's
// (each answering 204), a member PATCH's body is sent over 10 kept-alive connections, and bursts of A
// and B alternate (A B, B A, ...) so that load from other processes falls on both alike; the figure is
// this process's CPU (client and server: the client's share is the same for both) per request, the
// median of the bursts. A tree against itself gives the noise (a few µs).
//   npm run build && node bench/body-read-cost.mjs <treeA> <treeB> [--requests 400] [--rounds 30]
// (pin it, e.g. taskset -c 1, on a shared machine)
import { createRequire } from "node:module";
import { Agent, request } from "node:http";
import { resolve } from "node:path";
const require = createRequire(import.meta.url);
const [A, B] = process.argv.slice(2, 4).map((t) => resolve(t));
const express = require(`${A}/node_modules/express`);
const a = require(`${A}/dist/http/body.js`).jsonBody("1mb");
const b = require(`${B}/dist/http/body.js`).jsonBody("1mb");
const app = express();
const ok = (req, res) => { res.statusCode = 204; res.end(); };
app.post("/a", a, ok);
app.post("/b", b, ok);
const server = app.listen(0, "127.0.0.1");
await new Promise((r) => server.once("listening", r));
const port = server.address().port;
const agent = new Agent({ keepAlive: true, maxSockets: 10 });
const payload = JSON.stringify({ schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "Add", path: "members", value: [{ value: "US0123456789abcdef0123456789abcdef" }] }] });
const send = (path) => new Promise((ok, ko) => { const r = request({ host: "127.0.0.1", port, path, method: "POST", agent, headers: { "content-type": "application/scim+json", "content-length": Buffer.byteLength(payload), authorization: "Bearer x" } }, (res) => { res.resume(); res.on("end", ok); }); r.on("error", ko); r.end(payload); });
const burst = async (path, n) => { let i = 0; await Promise.all(Array.from({ length: 10 }, async () => { while (i++ < n) await send(path); })); };
const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const N = arg("requests", 400), R = arg("rounds", 30);
await burst("/a", 3000); await burst("/b", 3000);
const res = { a: [], b: [] };
for (let r = 0; r < R; r++) for (const p of r % 2 ? ["b", "a"] : ["a", "b"]) { const c0 = process.cpuUsage(); await burst(`/${p}`, N); const c = process.cpuUsage(c0); res[p].push((c.user + c.system) / N); }
const med = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
console.log(`A ${med(res.a).toFixed(1)} µs  B ${med(res.b).toFixed(1)} µs  diff ${(med(res.a) - med(res.b)).toFixed(1)} µs per request (client+server in one process; ${R} bursts of ${N})`);
agent.destroy(); server.close();
