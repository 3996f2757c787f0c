/**
 * Overload, A/B between built trees: where an accepted write's latency goes at 50 connections.
 *
 *   npm run build && npx tsc -p bench/tsconfig.json
 *   node dist-bench/bench/overload.js --trees <dirA>,<dirB> [--users 20000] [--rounds 3]
 *     [--scenarios users.post,users.patch.active,groups.member.big.entra] [--connections 10,50]
 *     [--seconds 1.5] [--trace] [--fresh] [--warmup 0.3] [--envs "OVERLOAD_QUEUE_DEPTH=32;OVERLOAD_QUEUE_DEPTH=16"]
 *
 * --fresh: the warm-up on connections of its own and the measured run on new ones, as
 * `npm run bench` runs autocannon (the default keeps the warm-up's connections); as autocannon, it
 * destroys each run's connections when its time is up, with whatever they still wait for.
 * --warmup S: its length (0.3 s; `npm run bench` warms up for 1 s).
 *
 * --envs: every tree is also run with each set of server variables (separated by ";", each
 * "NAME=value,NAME=value"), as a server of its own.
 *
 * One data set (bench/dataset.ts, built by this tree's dist/) is copied for every server, so
 * each tree starts from the same store. Rounds alternate the trees (A B A B ...), a fresh server
 * each, pinned to core 0 as `npm run bench` pins it; this process sends the load from core 1.
 * Each scenario runs at every connection count, as the bench runs it (a warm-up of 0.3 s, then
 * --seconds), with the bench's scenarios (bench/scenarios.ts) but a raw HTTP/1.1 client:
 * every connection keeps one request outstanding and sends the next as soon as the answer is in,
 * a 429 included (autocannon does the same: it ignores Retry-After). It prints, per tree and
 * connection count, the medians over the rounds of the 2xx p50/p99, the 429s a second, and the
 * answers a second; and the ratio of the 50- to the 10-connection 2xx p99 (the bench's target: 2x).
 *
 * --trace: the server also records, for each request (bench/overload-trace-hook.mjs), when Node
 * parsed its headers and when its answer was finished; the client sends the moment it wrote the
 * request (CLOCK_MONOTONIC, shared by the processes of one machine). An accepted request's time
 * then splits into: before the server read it (in the socket while the loop was busy), in the
 * server (read to finished: its own work, the work of the requests of its turn, the group commit),
 * and after (the client's delay). Printed as p50/p99 of each part, for 2xx answers only; and the
 * server's CPU time (all its threads, on its one core) from the request's send to its finish: the
 * work it did while the request waited, which other processes on the machine do not inflate the
 * way they inflate wall time (its ratio between 50 and 10 connections is the robust figure on a
 * busy machine).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { BenchContext } from "./context";
import { buildDataset } from "./dataset";
import { scenario, type Step, type StepContext } from "./scenarios";
import { hasTaskset, startServer, type ServerProc } from "./servers";
import { percentile } from "./stats";

const { values: opts } = parseArgs({
  options: {
    trees: { type: "string", default: "." },
    users: { type: "string", default: "20000" },
    rounds: { type: "string", default: "3" },
    scenarios: { type: "string", default: "users.post,users.patch.active,groups.member.big.entra" },
    connections: { type: "string", default: "10,50" },
    seconds: { type: "string", default: "1.5" },
    trace: { type: "boolean", default: false },
    fresh: { type: "boolean", default: false },
    warmup: { type: "string", default: "0.3" },
    envs: { type: "string", default: "" },
  },
});
/** The servers compared: each tree with each set of variables of --envs ("A=1,B=2;A=3": two sets). */
const TREES = (opts.trees as string).split(",").flatMap((t) => (opts.envs as string).split(";").map((e) => (e ? `${resolve(t)} ${e}` : resolve(t))));
const envOf = (variant: string): Record<string, string> =>
  Object.fromEntries((variant.split(" ")[1] ?? "").split(",").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
const USERS = Number(opts.users);
const ROUNDS = Number(opts.rounds);
const NAMES = (opts.scenarios as string).split(",");
const CONNS = (opts.connections as string).split(",").map(Number);
const SECONDS = Number(opts.seconds);
const WARMUP = Number(opts.warmup);
const TRACE = opts.trace === true;
const FRESH = opts.fresh === true;
const HOOK = pathToFileURL(join(__dirname, "..", "..", "bench", "overload-trace-hook.mjs")).href;

interface Answer { status: number; sent: bigint; got: bigint }
interface Run { answers: Answer[]; seconds: number; /** Answers of the whole run, warm-up included, and the server's CPU over it (µs). */ all: number; cpuUs: number }

/** `connections` kept-alive connections, each sending the scenario's steps one request at a time for `seconds`. */
async function load(url: string, ctx: BenchContext, name: string, connections: number, seconds: number, warmup: number, abrupt = false): Promise<Run> {
  const { hostname, port } = new URL(url);
  const steps = scenario(name).steps(ctx);
  const answers: Answer[] = [];
  let all = 0;
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  const one = () => new Promise<void>((done, fail) => {
    const sock = connect(Number(port), hostname);
    sock.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    let s = 0;
    let stepCtx: StepContext = {};
    let sent = 0n;
    let step: Step = steps[0] as Step;
    const sendNext = () => {
      if (performance.now() >= until) { sock.end(); done(); return; }
      if (s === 0) stepCtx = {};
      step = steps[s] as Step;
      const r = step.setup(stepCtx);
      if (!r) { s = 0; sendNext(); return; }
      const body = r.body === undefined ? "" : JSON.stringify(r.body);
      sent = process.hrtime.bigint();
      sock.write(`${step.method} ${r.path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${ctx.token}\r\n` +
        `Content-Type: application/scim+json\r\nAccept: application/scim+json\r\nX-Sent: ${sent}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    };
    sock.on("data", (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = buf.toString("latin1", 0, end);
      const m = /\r\ncontent-length: *(\d+)/i.exec(head);
      let total: number;
      if (m) total = end + 4 + Number(m[1]);
      else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
        const z = buf.indexOf("\r\n0\r\n\r\n", end);
        if (z < 0) return;
        total = z + 7;
      } else total = end + 4;
      if (buf.length < total) return;
      const got = process.hrtime.bigint();
      const status = Number(head.slice(9, 12));
      const body = buf.toString("utf8", end + 4, total);
      buf = buf.subarray(total);
      all++;
      if (performance.now() >= t0 + warmup * 1000) answers.push({ status, sent, got });
      step.onResponse?.(status, body, stepCtx);
      s = (s + 1) % steps.length;
      sendNext();
    });
    sock.on("error", fail);
    sock.on("connect", sendNext);
    // As autocannon ends a run: every connection destroyed when the time is up, requests in flight
    // (admitted, or a paced refusal's answer still to come) included.
    if (abrupt) setTimeout(() => { sock.destroy(); done(); }, Math.max(0, until - performance.now())).unref();
  });
  await Promise.all(Array.from({ length: connections }, one));
  return { answers, seconds: seconds - warmup, all, cpuUs: 0 };
}

const ms = (ns: bigint) => Number(ns) / 1e6;

/** Nanoseconds every thread of `pid` has run (/proc/<pid>/task/<tid>/schedstat). */
function cpuNs(pid: number): number {
  let ns = 0;
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      try { ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[0]); } catch { /* the thread ended */ }
    }
  } catch { /* not Linux */ }
  return ns;
}

interface Traced { read: bigint; readCpu: number; finished: bigint; finishedCpu: number; status: number; sent: bigint; /** When its connection was accepted (a connection's first request; else 0). */ accepted: bigint }
interface Trace {
  bySent: Map<bigint, Traced>;
  /** (time, server CPU µs) at every read and finish, by time. */ clock: Array<[bigint, number]>;
  /** When each 2xx answer, and each other answer (429s), was finished, by time. */ done2xx: bigint[]; doneOther: bigint[];
}
function readTrace(file: string): Trace {
  const bySent = new Map<bigint, Traced>();
  const clock: Array<[bigint, number]> = [];
  const done2xx: bigint[] = [], doneOther: bigint[] = [];
  if (!existsSync(file)) return { bySent, clock, done2xx, doneOther };
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const [read, readCpu, finished, finishedCpu, status, sent, accepted] = line.split(" ");
    if (!finishedCpu) continue;
    const t: Traced = { read: BigInt(read as string), readCpu: Number(readCpu), finished: BigInt(finished as string), finishedCpu: Number(finishedCpu), status: Number(status), sent: sent && sent !== "undefined" ? BigInt(sent) : 0n, accepted: accepted ? BigInt(accepted) : 0n };
    if (t.sent) bySent.set(t.sent, t);
    clock.push([t.read, t.readCpu], [t.finished, t.finishedCpu]);
    (t.status >= 200 && t.status < 300 ? done2xx : doneOther).push(t.finished);
  }
  const byTime = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
  clock.sort((a, b) => byTime(a[0], b[0]));
  done2xx.sort(byTime);
  doneOther.sort(byTime);
  return { bySent, clock, done2xx, doneOther };
}
/** How many of `times` (sorted) are at or before `t`. */
function upTo(times: bigint[], t: bigint): number {
  let lo = 0, hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((times[mid] as bigint) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The server's CPU (µs) at `t`: as of its last traced event before `t`. */
function cpuAt(clock: Array<[bigint, number]>, t: bigint): number {
  let lo = 0, hi = clock.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((clock[mid] as [bigint, number])[0] <= t) lo = mid;
    else hi = mid - 1;
  }
  return (clock[lo] as [bigint, number])[1];
}

async function drain(server: ServerProc): Promise<void> {
  const end = performance.now() + 60_000;
  while (performance.now() < end) {
    const t0 = performance.now();
    try { await fetch(`${server.url}/healthz`); } catch { /* timed below */ }
    if (performance.now() - t0 < 20) return;
  }
}

type Cell = { p50: number; p99: number; r429: number; rps: number; cpuPerAnswer: number; parts?: string; cpuP50?: number; cpuP99?: number; waitedP50?: number; waitedP99?: number; waitedOtherP99?: number };
const results = new Map<string, Cell[]>();
const key = (tree: string, name: string, c: number) => `${tree}\t${name}\t${c}`;

async function main(): Promise<void> {
  if (hasTaskset) spawnSync("taskset", ["-a", "-p", "-c", "1", String(process.pid)], { stdio: "ignore" });
  const dir = mkdtempSync(join(tmpdir(), "orgscim-overload-"));
  try {
    const groups = Math.min(1000, Math.max(10, Math.floor(USERS / 100)));
    const data = await buildDataset(dir, { users: USERS, groups });
    process.stderr.write(`data set: ${USERS} users in ${data.seconds.toFixed(1)} s\n`);
    for (let round = 0; round < ROUNDS; round++) {
      for (const tree of TREES) {
        const db = join(dir, `r${round}.db`);
        copyFileSync(data.dbPath, db);
        const traceFile = join(dir, `trace-${round}.txt`);
        const env: Record<string, string> = { DATABASE_URL: `sqlite:${db}`, LOG_LEVEL: "info" };
        for (const name of ["OVERLOAD_QUEUE_DEPTH", "WRITES_SHED_LAG_MS", "WRITES_IN_PROGRESS"]) if (process.env[name] !== undefined) env[name] = process.env[name] as string;
        if (TRACE) Object.assign(env, { NODE_OPTIONS: `--import=${HOOK}`, BENCH_TRACE_FILE: traceFile });
        const server = await startServer(0, join(tree.split(" ")[0] as string, "dist", "main.js"), { ...env, ...envOf(tree) }, process.env.BENCH_SERVER_LOG);
        const runs: Array<{ name: string; c: number; run: Run }> = [];
        try {
          for (const name of NAMES) {
            for (const c of CONNS) {
              await drain(server);
              const c0 = cpuNs(server.pid);
              // --fresh: as `npm run bench` (autocannon), the warm-up on connections of its own, the run on new ones.
              if (FRESH) await load(server.url, data.ctx, name, c, WARMUP, WARMUP, true);
              const run = FRESH ? await load(server.url, data.ctx, name, c, SECONDS, 0, true) : await load(server.url, data.ctx, name, c, SECONDS + WARMUP, WARMUP);
              run.cpuUs = (cpuNs(server.pid) - c0) / 1000;
              runs.push({ name, c, run });
            }
          }
        } finally {
          await server.stop();
        }
        const trace = TRACE ? readTrace(traceFile) : null;
        for (const { name, c, run } of runs) {
          // OVERLOAD_DUMP=PREFIX: one line per answer: sent (ms from the first), latency (ms), status, and with --trace the server's CPU from send to finish (ms), the time before the server read it (ms) and the 2xx answers finished meanwhile.
          if (process.env.OVERLOAD_DUMP) writeFileSync(`${process.env.OVERLOAD_DUMP}-${round}-${TREES.indexOf(tree)}-${name}-${c}.txt`, run.answers.map((a) => {
            const t = trace?.bySent.get(a.sent);
            return `${ms(a.sent - (run.answers[0]?.sent ?? 0n)).toFixed(1)} ${ms(a.got - a.sent).toFixed(1)} ${a.status}${t && trace ? ` ${((t.finishedCpu - cpuAt(trace.clock, a.sent)) / 1000).toFixed(1)} ${ms(t.read - a.sent).toFixed(1)} ${upTo(trace.done2xx, t.finished) - upTo(trace.done2xx, a.sent)}${t.accepted ? ` accepted ${ms(t.accepted - a.sent).toFixed(1)}` : ""}` : ""}`;
          }).join("\n"));
          const ok = run.answers.filter((a) => a.status >= 200 && a.status < 300);
          const lat = ok.map((a) => ms(a.got - a.sent));
          const cell: Cell = {
            p50: percentile(lat, 50), p99: percentile(lat, 99),
            r429: run.answers.filter((a) => a.status === 429).length / run.seconds, rps: run.answers.length / run.seconds,
            cpuPerAnswer: run.cpuUs / run.all,
          };
          if (trace) {
            const before: number[] = [], inside: number[] = [], after: number[] = [];
            const refused: number[] = [];
            const cpuLat: number[] = [];
            /** Answers the server finished while an accepted request waited (its send, or its connection's accept, to its finish, its own included): the work it waited through, counted, whatever the machine's speed. */
            const waited2xx: number[] = [], waitedOther: number[] = [];
            for (const a of run.answers) {
              const t = trace.bySent.get(a.sent);
              if (!t) continue;
              if (a.status === 429) refused.push(ms(t.finished - t.read));
              if (a.status < 200 || a.status >= 300) continue;
              before.push(ms(t.read - a.sent)); inside.push(ms(t.finished - t.read)); after.push(ms(a.got - t.finished));
              cpuLat.push((t.finishedCpu - cpuAt(trace.clock, a.sent)) / 1000);
              // From its send, or for a connection's first request from when the server accepted the
              // connection (a loaded machine's kernel can hand a new connection over hundreds of
              // ms late, however the server admits).
              const from = t.accepted > a.sent ? t.accepted : a.sent;
              waited2xx.push(upTo(trace.done2xx, t.finished) - upTo(trace.done2xx, from));
              waitedOther.push(upTo(trace.doneOther, t.finished) - upTo(trace.doneOther, from));
            }
            cell.waitedP50 = percentile(waited2xx, 50);
            cell.waitedP99 = percentile(waited2xx, 99);
            cell.waitedOtherP99 = percentile(waitedOther, 99);
            cell.cpuP50 = percentile(cpuLat, 50);
            cell.cpuP99 = percentile(cpuLat, 99);
            const pp = (xs: number[]) => `${percentile(xs, 50).toFixed(1)}/${percentile(xs, 99).toFixed(1)}`;
            cell.parts = `before read ${pp(before)}  read→finished ${pp(inside)}  finished→client ${pp(after)}  (429 read→finished ${refused.length ? pp(refused) : "-"})  server CPU send→finished ${cell.cpuP50.toFixed(1)}/${cell.cpuP99.toFixed(1)}  answers finished meanwhile: 2xx ${cell.waitedP50}/${cell.waitedP99}, others p99 ${cell.waitedOtherP99}`;
          }
          const k = key(tree, name, c);
          results.set(k, [...(results.get(k) ?? []), cell]);
          process.stderr.write(`round ${round + 1} ${tree} ${name} @${c}: 2xx p50 ${cell.p50.toFixed(1)} p99 ${cell.p99.toFixed(1)} ms, 429 ${cell.r429.toFixed(0)}/s, ${cell.rps.toFixed(0)} answers/s, server CPU ${cell.cpuPerAnswer.toFixed(0)} µs an answer${cell.parts ? `\n    ${cell.parts}` : ""}\n`);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const load1 = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  console.log(`\n2xx latency at ${CONNS.join(" and ")} connections, medians of ${ROUNDS} rounds (${USERS} users, ${SECONDS} s a run; load ${load1})`);
  for (const name of NAMES) {
    for (const tree of TREES) {
      const line = CONNS.map((c) => {
        const cells = results.get(key(tree, name, c)) ?? [];
        return `@${c}: p50 ${median(cells.map((x) => x.p50)).toFixed(1)} p99 ${median(cells.map((x) => x.p99)).toFixed(1)} ms, 429 ${median(cells.map((x) => x.r429)).toFixed(0)}/s, ${median(cells.map((x) => x.rps)).toFixed(0)}/s, ${median(cells.map((x) => x.cpuPerAnswer)).toFixed(0)} µs CPU/answer`;
      });
      const hi = results.get(key(tree, name, CONNS[CONNS.length - 1] as number)) ?? [];
      const lo = results.get(key(tree, name, CONNS[0] as number)) ?? [];
      const ratios = hi.map((h, i) => h.p99 / (lo[i]?.p99 ?? NaN));
      const cpuRatios = hi.map((h, i) => (h.cpuP99 ?? NaN) / (lo[i]?.cpuP99 ?? NaN));
      const waitRatios = hi.map((h, i) => (h.waitedP99 ?? NaN) / (lo[i]?.waitedP99 ?? NaN));
      const cells = (c: number) => results.get(key(tree, name, c)) ?? [];
      const cpuLine = TRACE ? `  server-CPU p99 ${CONNS.map((c) => median(cells(c).map((x) => x.cpuP99 ?? NaN)).toFixed(1)).join("/")} ms, ratio ${median(cpuRatios).toFixed(2)} (${cpuRatios.map((r) => r.toFixed(2)).join(" ")})` +
        `  2xx finished while waiting p50/p99 ${CONNS.map((c) => `${median(cells(c).map((x) => x.waitedP50 ?? NaN))}/${median(cells(c).map((x) => x.waitedP99 ?? NaN))}`).join(" vs ")}, p99 ratio ${median(waitRatios).toFixed(2)}; others (429) p99 ${CONNS.map((c) => median(cells(c).map((x) => x.waitedOtherP99 ?? NaN))).join(" vs ")}` : "";
      console.log(`${name.padEnd(24)} ${tree.slice(-40).padStart(40)}  ${line.join("  ")}  p99 ratio ${median(ratios).toFixed(2)} (rounds ${ratios.map((r) => r.toFixed(2)).join(" ")})${cpuLine}`);
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
