/**
 * `WORKERS=N`: N server processes on one port and one store (node:cluster). The primary process
 * serves nothing itself; it starts the workers, keeps them running, holds the request-budget
 * counters they share (./cluster-counters.ts) and forwards SIGTERM/SIGINT to every one of them.
 *
 * - **One port.** The workers share the listening socket (cluster.SCHED_NONE: each accepts from the
 *   kernel's queue itself), so a draining worker takes every connection the kernel queued for it
 *   before it stops listening (src/http/drain.ts), as a single process does. The primary's
 *   round-robin scheduling would hold accepted connections in the primary, where a drain cannot
 *   reach them.
 * - **Start.** Worker 1 starts alone: it binds the port (a busy port stops the start with its
 *   message), opens the store, runs the migrations, and on an empty store creates the first
 *   organization and prints its token once. The others start after it is ready, on a migrated,
 *   bootstrapped store: the token is printed exactly once. A worker that fails to start stops the
 *   whole server with its exit code.
 * - **Background work** (the outbox, the domain re-check, SQLite's WAL checkpoints) runs in exactly
 *   one worker at a time, the one started with ORGSCIM_BACKGROUND=1; its replacement inherits that.
 *   Every other worker only serves requests.
 * - **A worker that dies** is replaced (at most MAX_RESTARTS in RESTART_WINDOW_MS, then the server
 *   stops with exit 1); its clients see their connections close, the others are untouched.
 * - **SIGTERM/SIGINT**: every worker is told to drain (an IPC message, so that a Ctrl-C that also
 *   reached the workers from the terminal does not count twice); the primary waits for all of them
 *   and exits 0 when each did. A second signal kills them. A primary killed outright (SIGKILL)
 *   takes its workers with it: a worker exits as soon as its channel to the primary closes.
 */
import cluster, { type Worker } from "node:cluster";
import { availableParallelism } from "node:os";
import type { Config } from "./config/config";
import type { Logger } from "./http/logging";
import { CounterTable } from "./cluster-counters";

/** Environment a worker is started with. */
export const WORKER_INDEX_ENV = "ORGSCIM_WORKER_INDEX";
export const BACKGROUND_ENV = "ORGSCIM_BACKGROUND";

const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
/** How long the primary waits for its workers past their own SHUTDOWN_TIMEOUT_MS before killing them. */
const EXIT_GRACE_MS = 15_000;

/** Messages between the primary and a worker. */
export type ClusterMessage = { orgscim: "ready"; port: number } | { orgscim: "shutdown"; signal: string };

export const isClusterMessage = (m: unknown, kind: ClusterMessage["orgscim"]): boolean =>
  typeof m === "object" && m !== null && (m as { orgscim?: unknown }).orgscim === kind;

/** WORKERS as a number of processes: `auto` is the number of cores this process may use. */
export function workerCount(value: Config["WORKERS"]): number {
  return value === "auto" ? Math.max(1, availableParallelism()) : value;
}

/** Whether this process is a worker of a WORKERS=N server, and which. */
export function workerRole(env: NodeJS.ProcessEnv = process.env): { index: number; background: boolean } | null {
  if (!cluster.isWorker) return null;
  return { index: Number(env[WORKER_INDEX_ENV] ?? "0"), background: env[BACKGROUND_ENV] === "1" };
}

/** Runs the primary process until every worker has exited; answers the exit code. */
export function runPrimary(config: Config, logger: Logger): Promise<number> {
  const n = workerCount(config.WORKERS);
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const counters = new CounterTable();
  const slots = new Map<number, Worker>(); // worker index → the process serving it now
  const ready = new Set<Worker>();
  const restarts: number[] = [];
  let stopping: string | null = null;
  let exitCode = 0;
  let finish: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => { finish = resolve; });

  // PORT=0 works too: the workers' listen(0) share the one socket the primary bound for the first.
  const fork = (index: number): Promise<Worker> => {
    const worker = cluster.fork({ [WORKER_INDEX_ENV]: String(index), [BACKGROUND_ENV]: index === 1 ? "1" : "0" });
    slots.set(index, worker);
    worker.on("message", (m: unknown) => {
      if (counters.answer(worker, m)) return;
      if (isClusterMessage(m, "ready")) {
        ready.add(worker);
        // A worker that was still starting when the signal came is told now.
        if (stopping !== null && worker.isConnected()) worker.send({ orgscim: "shutdown", signal: stopping } satisfies ClusterMessage);
        worker.emit("orgscim-ready");
      }
    });
    worker.on("exit", (code, signal) => {
      const wasReady = ready.delete(worker);
      if (slots.get(index) === worker) slots.delete(index);
      if (stopping !== null) {
        if (code !== 0) exitCode = 1; // a worker that did not drain cleanly makes the shutdown fail
        if (slots.size === 0) finish(exitCode);
        return;
      }
      if (!wasReady) return; // a start that failed: the start-up below stops the server
      logger.error({ worker: index, pid: worker.process.pid, code, signal }, "a worker process exited; starting another in its place");
      const now = Date.now();
      restarts.push(now);
      while (restarts.length > 0 && now - restarts[0]! > RESTART_WINDOW_MS) restarts.shift();
      if (restarts.length > MAX_RESTARTS) {
        logger.error({ restarts: restarts.length, windowMs: RESTART_WINDOW_MS }, "workers keep exiting: stopping the server");
        shutdown("restart-limit");
        return;
      }
      fork(index).catch((e: unknown) => {
        logger.error({ err: e, worker: index }, "a replacement worker failed to start: stopping the server");
        exitCode = 1;
        shutdown("start-failure");
      });
    });
    return new Promise<Worker>((resolve, reject) => {
      const failed = (code: number | null) => reject(Object.assign(new Error(`worker ${index} exited (${code}) before it was ready`), { exitCode: code ?? 1 }));
      worker.once("exit", failed);
      worker.once("orgscim-ready", () => { worker.off("exit", failed); resolve(worker); });
    });
  };

  const shutdown = (signal: string) => {
    if (stopping !== null) return;
    stopping = signal;
    counters.stop();
    if (slots.size === 0) return finish(exitCode);
    for (const w of slots.values()) if (w.isConnected()) w.send({ orgscim: "shutdown", signal } satisfies ClusterMessage);
    const killer = setTimeout(() => {
      logger.error({ workers: slots.size }, "workers did not exit within SHUTDOWN_TIMEOUT_MS and a grace: killing them");
      exitCode = 1;
      for (const w of slots.values()) w.process.kill("SIGKILL");
    }, config.SHUTDOWN_TIMEOUT_MS + EXIT_GRACE_MS);
    killer.unref();
  };
  let signals = 0;
  const onSignal = (signal: string) => {
    signals += 1;
    if (signals > 1) {
      for (const w of slots.values()) w.process.kill("SIGKILL");
      process.exit(1);
    }
    logger.info({ signal, workers: slots.size }, "shutting down: every worker finishes its in-flight requests");
    shutdown(signal);
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));

  void (async () => {
    try {
      await fork(1); // alone: port, store, migrations, first organization and its token
      if (stopping === null) await Promise.all(Array.from({ length: n - 1 }, (_, i) => fork(i + 2)));
      if (stopping === null) logger.info({ workers: n, pids: [...slots.values()].map((w) => w.process.pid) }, `orgscim: ${n} worker processes serving`);
    } catch (e) {
      // A worker that cannot start has said why on its own output; stop the others.
      exitCode = (e as { exitCode?: number }).exitCode || 1;
      shutdown("start-failure");
    }
  })();
  return done;
}
