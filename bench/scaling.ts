/**
 * `npm run bench -- --scaling [--users N (20000)] [--seconds S (3)] [--connections C (16)] [--out DIR]`
 * (issue 23 item 4): what a second server process buys on this machine.
 *
 * The same data set is served by `node dist/main.js` with WORKERS=1 and with WORKERS=2, and the
 * plain-Express baseline (bench/baseline.ts) by one and by two processes on one port
 * (bench/scaling-baseline.ts, scheduled as orgscim's workers are). The main lookup and write
 * scenarios run against each at C connections from one load generator; each configuration is
 * measured twice in the order 1, 2, 2, 1 (so a drift of the machine's speed during the run favours
 * neither) and the better of the two kept. It prints, per scenario, req/s and p99 with one and
 * two processes, their ratio, and that ratio over the baseline's (1.0 = orgscim scales as well as
 * an Express app that does nothing); CPU used by the server's processes and by everything else;
 * and each process's memory. Results go to DIR/scaling.json and DIR/scaling.md.
 *
 * Nothing is pinned: two server processes need both cores, so the load generator shares them with
 * the server (on a 2-core machine a ratio of 2 is out of reach for anyone; the baseline's ratio
 * says what this machine allows).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import type { BenchContext } from "./context";
import { cpuBetween, cpuSnapshot, memoryOf } from "./cpu";
import { buildDataset } from "./dataset";
import type { LoadResult } from "./load";
import { LoadClient } from "./load-client";
import { ROOT } from "./product";
import { scenario } from "./scenarios";
import { freePort } from "./servers";

export interface ScalingOptions {
  users: number;
  seconds: number;
  connections: number;
  out: string;
  log: (s: string) => void;
}

/** The scenarios measured: the baseline's one request, then orgscim's main lookups and writes. */
const SCENARIOS = ["users.get", "users.filter.userName", "users.post", "users.patch.active"] as const;

interface Procs {
  url: string;
  /** The processes serving (the workers, or the single process). */
  pids: number[];
  /** Every process of the server, the primary included. */
  all: number[];
  stop(): Promise<void>;
}

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** Answers other than 2xx by status ("error" and "timeout" for failed requests). */
  refused: Record<string, number>;
  serverCores: number;
  loadCores: number;
  otherCores: number;
}

/** Starts `node script` with env, output to logFile, until a line of the log matches `ready`; pids from that line (or the child's). */
async function start(script: string, env: Record<string, string>, logFile: string, ready: RegExp): Promise<Procs> {
  const port = await freePort();
  const out = openSync(logFile, "w");
  const child: ChildProcess = spawn(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: String(port), ...env },
    stdio: ["ignore", out, out],
  });
  closeSync(out);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const end = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited (${child.exitCode}) before it was ready:\n${readFileSync(logFile, "utf8").slice(-2000)}`);
    if (Date.now() > end) throw new Error(`${script} not ready within 60 s:\n${readFileSync(logFile, "utf8").slice(-2000)}`);
    const m = ready.exec(readFileSync(logFile, "utf8"));
    if (m) {
      const pids = m[1] ? (JSON.parse(m[1]) as number[]) : [child.pid as number];
      return {
        url: `http://127.0.0.1:${port}`,
        pids,
        all: [...new Set([child.pid as number, ...pids])],
        stop: async () => {
          if (child.exitCode === null) child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
          await exited;
          clearTimeout(timer);
        },
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const orgscim = (workers: number, databaseUrl: string, logFile: string) =>
  start(join(ROOT, "dist", "main.js"), { DATABASE_URL: databaseUrl, WORKERS: String(workers), LOG_LEVEL: process.env.LOG_LEVEL ?? "info" }, logFile,
    workers === 1 ? /"msg":"orgscim listening"/ : /"pids":(\[[\d,]+\])[^\n]*worker processes serving/);

/** One process is bench/baseline.ts itself (as WORKERS=1 is orgscim without a primary); more are a cluster. */
const baseline = (workers: number, logFile: string) => workers === 1
  ? start(join(__dirname, "baseline.js"), {}, logFile, /baseline listening on/)
  : start(join(__dirname, "scaling-baseline.js"), { BASELINE_WORKERS: String(workers) }, logFile, /baseline: \d+ worker processes serving (\[[\d,]+\])/);

/** Waits until the server answers /healthz promptly (what a previous scenario queued is done). */
async function drain(url: string): Promise<void> {
  const end = performance.now() + 60_000;
  while (performance.now() < end) {
    const t0 = performance.now();
    try { await (await fetch(`${url}/healthz`)).arrayBuffer(); } catch { /* timed below */ }
    if (performance.now() - t0 < 20) return;
  }
}

async function measure(load: LoadClient, procs: Procs, ctx: BenchContext, name: string, o: ScalingOptions): Promise<Measured> {
  await drain(procs.url);
  const pids = [...procs.all, load.child.pid as number];
  const a = cpuSnapshot(pids);
  const r: LoadResult = await load.run({ scenario: name, url: procs.url, ctx, connections: o.connections, duration: o.seconds, warmup: 0.5, sequential: 0, sequentialSeconds: 0 });
  const cpu = cpuBetween(a, cpuSnapshot(pids));
  const serverCores = cpu.procs.slice(0, procs.all.length).reduce((s, x) => s + x, 0);
  const refused: Record<string, number> = Object.fromEntries(Object.entries(r.statuses).filter(([c]) => !c.startsWith("2")));
  if (r.errors) refused.error = r.errors;
  if (r.timeouts) refused.timeout = r.timeouts;
  const non2xx = Object.values(refused).reduce((s, k) => s + k, 0);
  return { rps: r.rps, p50: r.p50, p99: r.p99, non2xx, refused, serverCores, loadCores: cpu.procs[procs.all.length] ?? NaN, otherCores: cpu.others };
}

const refusedText = (m: Measured) => (m.non2xx === 0 ? "0" : Object.entries(m.refused).map(([c, k]) => `${k}×${c}`).join(" "));
const better = (a: Measured | undefined, b: Measured): Measured => (a && a.rps >= b.rps ? a : b);
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "–");

export async function runScaling(o: ScalingOptions): Promise<void> {
  const started = new Date().toISOString();
  const load0 = loadavg()[0] ?? NaN;
  const dir = mkdtempSync(join(process.env.TMPDIR ?? "/tmp", "orgscim-scaling-"));
  const loadChild = spawn(process.execPath, [join(__dirname, "load.js")], { stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "advanced" });
  const load = new LoadClient(loadChild);
  // results[config][scenario]: the better of two measurements
  const results: Record<string, Record<string, Measured>> = {};
  const memory: Record<string, number[]> = {};
  try {
    const groups = Math.min(1000, Math.max(10, Math.floor(o.users / 100)));
    o.log(`building the data set: ${o.users} users, ${groups} groups`);
    const data = await buildDataset(dir, { users: o.users, groups });
    o.log(`  built in ${data.seconds.toFixed(1)} s`);
    const configs: { key: string; workers: number; kind: "baseline" | "orgscim" }[] = [];
    for (const w of [1, 2, 2, 1]) configs.push({ key: `baseline-${w}`, workers: w, kind: "baseline" });
    for (const w of [1, 2, 2, 1]) configs.push({ key: `orgscim-${w}`, workers: w, kind: "orgscim" });
    for (const c of configs) {
      const logFile = join(dir, `${c.key}.log`);
      const procs = c.kind === "baseline" ? await baseline(c.workers, logFile) : await orgscim(c.workers, data.url, logFile);
      o.log(`${c.kind} with ${c.workers} process${c.workers > 1 ? "es" : ""} (pids ${procs.pids.join(", ")})`);
      const names = c.kind === "baseline" ? ["baseline"] : [...SCENARIOS];
      const row = (results[c.key] ??= {});
      for (const name of names) {
        const m = await measure(load, procs, data.ctx, name, o);
        row[name] = better(row[name], m);
        o.log(`  ${name.padEnd(24)} ${fmt(m.rps).padStart(7)}/s  p50 ${m.p50} p99 ${m.p99} ms  server ${m.serverCores.toFixed(2)} cores, load ${m.loadCores.toFixed(2)}, others ${m.otherCores.toFixed(2)}${m.non2xx ? `  NOT 2xx: ${Object.entries(m.refused).map(([c, k]) => `${k}×${c}`).join(" ")}` : ""}`);
      }
      memory[c.key] = procs.all.map((pid) => Math.round(memoryOf(pid).rssMb));
      await procs.stop();
    }
    const b1 = results["baseline-1"]?.baseline as Measured;
    const b2 = results["baseline-2"]?.baseline as Measured;
    const bRatio = b2.rps / b1.rps;
    const lines = [
      `### One process against two (\`npm run bench -- --scaling --users ${o.users} --seconds ${o.seconds} --connections ${o.connections}\`)`,
      "",
      `${started.slice(0, 16).replace("T", " ")} UTC, ${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, Node ${process.versions.node}; load average ${load0.toFixed(2)} at the start, ${(loadavg()[0] ?? NaN).toFixed(2)} at the end.`,
      `${o.users.toLocaleString("en-US")} users, SQLite (WAL), ${o.connections} connections, ${o.seconds} s a measurement, the better of two (order 1, 2, 2, 1). Nothing pinned: the load generator shares the two cores with the server, so no configuration can reach a ratio of 2 here; the baseline's ratio is what this machine allows.`,
      "",
      "| scenario | 1 process req/s | p99 ms | 2 processes req/s | p99 ms | 2 ÷ 1 | ÷ baseline's 2 ÷ 1 | server cores (1 / 2) | load generator cores (1 / 2) | not 2xx (1 / 2) |",
      "|---|---|---|---|---|---|---|---|---|---|",
    ];
    const line = (title: string, one: Measured, two: Measured) => {
      const r = two.rps / one.rps;
      lines.push(`| ${title} | ${fmt(one.rps)} | ${one.p99} | ${fmt(two.rps)} | ${two.p99} | ${fmt(r, 2)} | ${fmt(r / bRatio, 2)} | ${fmt(one.serverCores, 2)} / ${fmt(two.serverCores, 2)} | ${fmt(one.loadCores, 2)} / ${fmt(two.loadCores, 2)} | ${refusedText(one)} / ${refusedText(two)} |`);
    };
    line("baseline: plain Express, fixed 1.5 KB user", b1, b2);
    for (const name of SCENARIOS) line(scenario(name).title, results["orgscim-1"]?.[name] as Measured, results["orgscim-2"]?.[name] as Measured);
    lines.push("", `Resident memory per process at the end of the last run of each (MB; a WORKERS=2 server lists its primary first): ` +
      Object.entries(memory).map(([k, v]) => `${k} ${v.join(" + ")}`).join("; ") + ".");
    const text = lines.join("\n");
    mkdirSync(o.out, { recursive: true });
    writeFileSync(join(o.out, "scaling.json"), JSON.stringify({ started, options: { users: o.users, seconds: o.seconds, connections: o.connections }, loadAverage: { start: load0, end: loadavg()[0] }, results, memory, baselineRatio: bRatio }, null, 2));
    writeFileSync(join(o.out, "scaling.md"), text + "\n");
    console.log(`\n${text}\n`);
    console.log(`written: ${join(o.out, "scaling.json")}, scaling.md`);
  } finally {
    loadChild.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}
