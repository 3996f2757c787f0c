/**
 * Child processes of the benchmark: the server under test (`node dist/main.js`), the baseline,
 * and the load generator, each pinned to a core with `taskset -c` when taskset exists.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { createServer } from "node:net";

export const hasTaskset = spawnSync("taskset", ["-c", "0", "true"]).status === 0;

/** argv prefixed with `taskset -c <core>` when possible. */
function pinned(core: number, argv: string[]): [string, string[]] {
  return hasTaskset ? ["taskset", ["-c", String(core), ...argv]] : [argv[0] as string, argv.slice(1)];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface ServerProc {
  pid: number;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function waitReady(url: string, child: ChildProcess, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`process exited with code ${child.exitCode} before answering ${url}`);
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}

/** Starts `node <script>` on `core` with `env`, output to `logFile` (or nowhere); waits for /healthz. */
export async function startServer(core: number, script: string, env: Record<string, string>, logFile?: string): Promise<ServerProc> {
  const port = await freePort();
  const out = openSync(logFile ?? "/dev/null", "a");
  const [cmd, args] = pinned(core, [process.execPath, script]);
  const child = spawn(cmd, args, {
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: String(port), ...env },
    stdio: ["ignore", out, out],
  });
  closeSync(out);
  const url = `http://127.0.0.1:${port}`;
  await waitReady(`${url}/healthz`, child);
  const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", () => resolve())));
  return {
    pid: child.pid as number,
    url,
    child,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The load generator: `node load.js` on `core`, driven over IPC. */
export function startLoadGenerator(core: number, script: string): ChildProcess {
  const [cmd, args] = pinned(core, [process.execPath, script]);
  return spawn(cmd, args, { stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "advanced" });
}
