// What durable acknowledgements cost: POST /scim/v2/Users throughput and latency of the built
// server on SQLite with DURABILITY=full (the default: the WAL fsynced after every commit, before
// the answer) with group commit (SQLITE_GROUP_COMMIT=on, the default: the fsync runs in libuv's
// thread pool while the next groups commit), the same with SQLITE_GROUP_COMMIT=off
// (synchronous=FULL: every commit pays its own fsync, on the event loop), and DURABILITY=normal
// (synchronous=NORMAL, group commit on), at 1 and 10 connections, in rotating rounds on the same
// disk; medians of the rounds.
//   npm run build && node bench/durability.mjs [--rounds 3] [--seconds 5] [--dir DIR]
// DIR must be on the disk to measure (a tmpfs makes fsync free): default the OS temp folder.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createUsers, startServer } from "./built-server.mjs";

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const ROUNDS = Number(arg("rounds", 3));
const SECONDS = Number(arg("seconds", 5));
const base = mkdtempSync(join(arg("dir", tmpdir()), "orgscim-durability-"));
const token = `osk_${"be".repeat(16)}_${"N".repeat(43)}`;

const MODES = {
  "full": { DURABILITY: "full", SQLITE_GROUP_COMMIT: "on" },
  "full-alone": { DURABILITY: "full", SQLITE_GROUP_COMMIT: "off" },
  "normal": { DURABILITY: "normal", SQLITE_GROUP_COMMIT: "on" },
};

async function server(mode, n) {
  return startServer({ PATH: process.env.PATH, HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "warn", WRITES_SHED_LAG_MS: "0", DATABASE_URL: `sqlite:${join(base, `${mode}-${n}`, "orgscim.db")}`, ORGSCIM_BOOTSTRAP_TOKEN: token, ...MODES[mode] });
}

async function run(url, connections) {
  const r = await createUsers(url, token, connections, SECONDS);
  const bad = r.non2xx + r.errors + r.timeouts;
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, bad };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
for (let round = 0; round < ROUNDS; round++) {
  const modes = Object.keys(MODES);
  for (const durability of modes.map((_, i) => modes[(i + round) % modes.length])) {
    const s = await server(durability, round);
    for (const c of [1, 10]) {
      const m = await run(s.url, c);
      (results[`${durability} ${c}`] ??= []).push(m);
      console.log(`round ${round + 1} ${durability.padEnd(10)} ${String(c).padStart(2)} conn: ${m.rps.toFixed(0)} creates/s, p50 ${m.p50} ms, p99 ${m.p99} ms${m.bad ? `, ${m.bad} not 2xx/errors` : ""}`);
    }
    await s.stop();
  }
}
console.log(`\nPOST /scim/v2/Users on ${arg("dir", tmpdir())}, ${ROUNDS} rounds of ${SECONDS} s, medians:`);
for (const [k, ms] of Object.entries(results)) {
  console.log(`  ${Object.entries(MODES[k.split(" ")[0]]).map(([a, b]) => `${a}=${b}`).join(" ").padEnd(42)} ${k.split(" ")[1].padStart(2)} connections: ${median(ms.map((m) => m.rps)).toFixed(0).padStart(5)} creates/s, p50 ${median(ms.map((m) => m.p50))} ms, p99 ${median(ms.map((m) => m.p99))} ms`);
}
rmSync(base, { recursive: true, force: true });
