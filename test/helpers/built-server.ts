/**
 * The production server as a separate process (node dist/main.js), for tests of what only a
 * real process shows: start-up output, SIGKILL durability, SIGTERM draining. Builds dist/ first
 * when it is missing or older than the sources; likewise the scripts (dist-scripts/) for tests
 * that run one as a command.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");
const MAIN = join(ROOT, "dist", "main.js");

function newestMtime(dir: string): number {
  return readdirSync(dir).reduce((max, f) => {
    const p = join(dir, f);
    const st = statSync(p);
    return Math.max(max, st.isDirectory() ? newestMtime(p) : st.mtimeMs);
  }, 0);
}

export function ensureBuilt(): void {
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= newestMtime(join(ROOT, "src"))) return;
  execFileSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(ROOT, "tsconfig.build.json")], { stdio: "inherit" });
}

/**
 * The command a script runs as (dist-scripts/<name>.js, compiled from scripts/<name>.ts by
 * npm run build); compiles scripts/ first when that is missing or older than the sources.
 */
export function builtScript(name: string): string {
  const out = join(ROOT, "dist-scripts", `${name}.js`);
  if (!existsSync(out) || statSync(out).mtimeMs < newestMtime(join(ROOT, "scripts"))) {
    execFileSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(ROOT, "scripts", "tsconfig.json")], { stdio: "inherit" });
  }
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
 */
export function freePort(): number {
  return 10000 + Math.floor(Math.random() * 22000);
}

/** Runs the orgscim CLI (bin/orgscim.js) against the same environment; answers stdout. */
export function runCli(env: Record<string, string>, args: string[]): string {
  return execFileSync(process.execPath, [join(ROOT, "bin", "orgscim.js"), ...args], {
    cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"],
  });
}
