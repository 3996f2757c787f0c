// What SCIM events (RFC 9967) cost on the write path: POST /scim/v2/Users throughput and latency
// of the built server on SQLite (defaults: DURABILITY=full, group commit on) with no event stream,
// with one poll stream (SETs written in the transaction, nobody collects them), and with one push
// stream whose receiver is an HTTP server on loopback answering 202 (SETs written, signed and POSTed
// while the load runs); at 1 and 10 connections, in rotating rounds; medians of the rounds. Each
// create writes two SETs per stream (the user, and the Standard User group it joins).
//   npm run build && node bench/events.mjs [--rounds 3] [--seconds 5] [--modes none,poll,push]
//     [--main dist/main.js,/path/to/other/dist/main.js]   (A/B: each build in every round, rotating)
// For push it also reports how long after the load ended the receiver had every SET (drain), and the
// delivery rate over the whole run (SETs received ÷ seconds from the start of the load to the last).
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createUsers, ROOT, startServer } from "./built-server.mjs";

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const ROUNDS = Number(arg("rounds", 3));
const SECONDS = Number(arg("seconds", 5));
const base = mkdtempSync(join(arg("dir", tmpdir()), "orgscim-events-"));
const token = `osk_${"be".repeat(16)}_${"N".repeat(43)}`;
const MODES = arg("modes", "none,poll,push").split(",");
const MAINS = arg("main", join(ROOT, "dist", "main.js")).split(",");
const variants = MODES.flatMap((mode) => MAINS.map((main, i) => ({ mode, main, label: MAINS.length > 1 ? `${mode}/${String.fromCharCode(65 + i)}` : mode })));
if (MAINS.length > 1) MAINS.forEach((m, i) => console.log(`${String.fromCharCode(65 + i)} = ${m}`));

let received = 0;
let lastAt = 0;
const sockets = new Set();
const receiver = createServer((req, res) => { sockets.add(req.socket); req.resume(); req.on("end", () => { received++; lastAt = Date.now(); res.writeHead(202); res.end(); }); });
await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}/events`;

async function server(mode, n, main) {
  const { url, stop } = await startServer({
    PATH: process.env.PATH, HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "warn", WRITES_SHED_LAG_MS: "0",
    DATABASE_URL: `sqlite:${join(base, `${mode}-${n}-${MAINS.indexOf(main)}`, "orgscim.db")}`, ORGSCIM_BOOTSTRAP_TOKEN: token, EVENTS_ALLOW_PRIVATE_RECEIVERS: "true",
  }, main);
  if (mode !== "none") {
    const r = await fetch(`${url}/v1/EventStreams`, {
      method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ friendly_name: "bench", delivery: mode, ...(mode === "push" ? { endpoint_url: receiverUrl } : {}) }),
    });
    if (r.status !== 201) throw new Error(`stream: ${r.status} ${await r.text()}`);
  }
  return { url, stop };
}

async function run(url, connections) {
  const r = await createUsers(url, token, connections, SECONDS);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok: r["2xx"], bad: r.non2xx + r.errors + r.timeouts };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const v of variants.map((_, i) => variants[(i + round) % variants.length])) {
    const s = await server(v.mode, round, v.main);
    for (const c of [1, 10]) {
      const before = received;
      sockets.clear();
      const started = Date.now();
      const m = await run(s.url, c);
      const ended = Date.now();
      const atEnd = received - before;
      if (v.mode === "push") {
        // Push: every SET of the run (two per create) reached the receiver when? At most 60 s.
        while (received - before < 2 * m.ok && Date.now() - ended < 60_000) await new Promise((r) => setTimeout(r, 20));
        m.drainMs = received - before >= 2 * m.ok ? Math.max(0, lastAt - ended) : null;
        m.deliveredPerSec = (received - before) / ((Math.max(lastAt, ended) - started) / 1000);
        m.connections = sockets.size;
      } else await new Promise((r) => setTimeout(r, 1000));
      (results[`${v.label} ${c}`] ??= []).push(m);
      console.log(`round ${round + 1} ${v.label.padEnd(6)} ${String(c).padStart(2)} conn: ${m.rps.toFixed(0)} creates/s, p50 ${m.p50} ms, p99 ${m.p99} ms${m.bad ? `, ${m.bad} not 2xx/errors` : ""}${v.mode === "push" ? `; SETs: ${atEnd} of ${2 * m.ok} received when the load ended, all ${m.drainMs === null ? "NOT within 60 s" : `${m.drainMs} ms later`}; ${m.deliveredPerSec.toFixed(0)} SETs/s; ${m.connections} receiver connection(s)` : ""}`);
    }
    await s.stop();
  }
}
console.log("\nmedians:");
for (const [k, ms] of Object.entries(results)) {
  const push = ms[0].drainMs !== undefined ? `  drain ${median(ms.map((m) => m.drainMs ?? Infinity))} ms  ${median(ms.map((m) => m.deliveredPerSec)).toFixed(0)} SETs/s` : "";
  console.log(`${k.padEnd(10)} ${median(ms.map((m) => m.rps)).toFixed(0).padStart(6)} creates/s  p50 ${median(ms.map((m) => m.p50))} ms  p99 ${median(ms.map((m) => m.p99))} ms${push}`);
}
receiver.close();
rmSync(base, { recursive: true, force: true });
