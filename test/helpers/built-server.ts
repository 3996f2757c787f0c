/**
 * The production server as a separate process (node dist/main.js), for tests of what only a
 * real process shows: start-up output, SIGKILL durability, SIGTERM draining. Builds dist/ first
 * when it is missing or older than the sources; likewise the scripts (dist-scripts/) for tests
 * that run one as a command.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const MAIN = join(ROOT, "dist", "main.js");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

function newestMtime(dir: string): number {
  return readdirSync(dir).reduce((max, f) => {
    const p = join(dir, f);
    const st = statSync(p);
    return Math.max(max, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }, 0);
}

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Moves every file of `from` into `to` (folders made as needed), each by one rename: a reader sees the old file or the new one, never a part. */
function moveInto(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) moveInto(join(from, entry.name), join(to, entry.name));
    else renameSync(join(from, entry.name), join(to, entry.name));
  }
}

/**
 * Compiles `tsconfig` into `outDir` unless `fresh()`, safe to call from several Jest workers at
 * once: one compiles, under a lock (a folder holding its pid; a lock whose process is gone is
 * taken over), into a folder of its own that is then moved into place file by file, while the
 * others wait and find it fresh. Without this, two workers compiled into dist/ at once while a
 * third spawned dist/main.js from files tsc had just truncated (the server then exits at start),
 * and each compile took a core: under load, a worker's compile outlasted its beforeAll's timeout.
 * Synchronous, so that a hook calling it never times out while it compiles or waits.
 */
function compileOnce(name: string, tsconfig: string, outDir: string, fresh: () => boolean): void {
  if (fresh()) return;
  const lock = join(ROOT, `.build-${name}.lock`);
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let owner = NaN;
      try { owner = Number(readFileSync(join(lock, "pid"), "utf8")); } catch { /* being made or removed */ }
      if (Number.isInteger(owner) && owner > 0 && !alive(owner)) {
        rmSync(lock, { recursive: true, force: true }); // its builder died (a killed worker)
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${lock} has been held for 15 minutes (pid ${owner}); remove it if no build is running`);
      pause(200);
    }
  }
  const tmp = join(ROOT, `.build-${name}-${process.pid}`);
  try {
    if (fresh()) return;
    rmSync(tmp, { recursive: true, force: true });
    execFileSync(process.execPath, [TSC, "-p", tsconfig, "--outDir", tmp], { stdio: "inherit" });
    moveInto(tmp, outDir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Builds dist/ (the server, as npm run build's first step) when it is missing or older than the
 * sources. Call it from a synchronous hook of its own (`beforeAll(() => ensureBuilt())`), not in
 * an async one or a test: a compile on a loaded machine takes minutes, and a timeout counts it.
 */
export function ensureBuilt(): void {
  compileOnce("dist", join(ROOT, "tsconfig.build.json"), join(ROOT, "dist"),
    () => existsSync(MAIN) && statSync(MAIN).mtimeMs >= newestMtime(join(ROOT, "src")));
}

/**
 * The command a script runs as (dist-scripts/<name>.js, compiled from scripts/<name>.ts by
 * npm run build); compiles scripts/ first when that is missing or older than the sources.
 */
export function builtScript(name: string): string {
  const out = join(ROOT, "dist-scripts", `${name}.js`);
  compileOnce("dist-scripts", join(ROOT, "scripts", "tsconfig.json"), join(ROOT, "dist-scripts"),
    () => existsSync(out) && statSync(out).mtimeMs >= newestMtime(join(ROOT, "scripts")));
  return out;
}

export interface ServerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Servers spawned here by the port they were told, so waitFor can tell "exited" from "slow". */
const byPort = new Map<string, ServerProcess>();

export function spawnServer(env: Record<string, string>, args: string[] = []): ServerProcess {
  let out = "";
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", LOG_LEVEL: "info", WRITES_SHED_LAG_MS: "0", OVERLOAD_QUEUE_DEPTH: "0", ANONYMOUS_PER_MINUTE: "0", AUTH_FAILURES_PER_MINUTE: "0", ...env }, // shedding and per-address budgets: see ./server.ts
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })));
  const server = { child, output: () => out, exited };
  if (env.PORT && env.PORT !== "0") {
    byPort.set(env.PORT, server);
    void exited.then(() => { if (byPort.get(env.PORT!) === server) byPort.delete(env.PORT!); });
  }
  return server;
}

/**
 * Waits until url answers below 500. When a server spawned here was told that url's port and exits
 * first, fails at once with its output (a port taken, a start-up error) instead of waiting out ms;
 * a timeout carries the output too. 60 s: a start on a loaded CI machine is slow, not broken.
 */
export async function waitFor(url: string, ms = 60_000): Promise<void> {
  const server = byPort.get(new URL(url).port);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void server?.exited.then((e) => (exit = e));
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.status < 500) return;
    } catch { /* not listening yet, or listening but not answering (someone else's port) */ }
    if (exit) throw new Error(`the server for ${url} exited (code ${exit.code}, signal ${exit.signal}) before answering; its output:\n${server!.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not answer within ${ms} ms${server ? `; the server's output so far:\n${server.output()}` : ""}`);
}

/**
 * A port for a server that must know it before it starts (a restart on the same port, say), drawn
 * below Linux's ephemeral range (net.ipv4.ip_local_port_range, 32768-60999 by default): a port in
 * that range may be the local end of any outgoing connection on the machine (a keep-alive socket of
 * an earlier test), and listening there fails with EADDRINUSE. That happened in CI (port 45004).
 * A port someone already listens on (another worker's server, another process on a shared machine)
 * is skipped: each draw is tried by listening on it first.
 */
export async function freePort(): Promise<number> {
  const tried: number[] = [];
  for (let i = 0; i < 50; i++) {
    const port = 10000 + Math.floor(Math.random() * 22000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once("error", () => resolve(false));
      probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
    });
    if (free) return port;
    tried.push(port);
  }
  throw new Error(`no free port below the ephemeral range in 50 draws (tried ${tried.join(", ")})`);
}

/** Runs the orgscim CLI (bin/orgscim.js) against the same environment; answers stdout. */
export function runCli(env: Record<string, string>, args: string[]): string {
  return execFileSync(process.execPath, [join(ROOT, "bin", "orgscim.js"), ...args], {
    cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"],
  });
}
