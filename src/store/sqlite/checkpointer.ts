/**
 * WAL checkpoints on a worker thread. With SQLite's automatic checkpoints the connection that
 * commits copies the WAL back into the database file, fsyncs included, every 1,000 pages: under a
 * steady stream of POST /Users, one commit in a few dozen stalled the event loop that way, which
 * made most of the p99 (figures: bench/README.md). Here a worker with its own connection runs
 * `wal_checkpoint(PASSIVE)` every `intervalMs`; passive checkpoints never block the writer (a
 * RESTART once the WAL is long holds it for the frames committed since the passive pass). The
 * store's connection keeps an automatic checkpoint at SAFETY_NET_PAGES, so the WAL stays bounded
 * if the worker stops or falls behind. The worker is a file of its own (./checkpoint-worker.js).
 */
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { CheckpointWorkerData, CheckpointWorkerMessage } from "./checkpoint-worker";

/** The store connection's own automatic checkpoint, when the worker runs (SQLite's default is 1,000). */
export const SAFETY_NET_PAGES = 10_000;

/** The worker's file: beside this module in src/ and in dist/ alike (./checkpoint-worker.js says why it is JavaScript). */
export const WORKER_FILE = join(__dirname, "checkpoint-worker.js");

export interface Checkpointer {
  /** Stops the worker and closes its connection; resolves once the thread has exited. */
  stop(): Promise<void>;
}

/** A completed background checkpoint: frames in the WAL, and how many of them the file holds. */
export interface CheckpointStat {
  walFrames: number;
  checkpointedFrames: number;
  /** RESTART checkpoints completed since the worker started (each lets the next write start the WAL over). */
  restarts: number;
  /** Syncs of the database file the worker ran before its RESTARTs, holding no lock (./checkpoint-worker.js flush). */
  flushes: number;
}

/**
 * A passive checkpoint that copied every frame of a WAL this long is followed by RESTART, which starts
 * the WAL over (./checkpoint-worker.js says why passive ones alone let it grow): well under SAFETY_NET_PAGES.
 */
export const RESTART_FRAMES = 4096;

export function startCheckpointer(path: string, intervalMs: number, onError: (message: string) => void, onStat?: (stat: CheckpointStat) => void, restartFrames = RESTART_FRAMES): Checkpointer {
  const workerData: CheckpointWorkerData = { path, intervalMs, stats: onStat !== undefined, restartFrames };
  const worker = new Worker(WORKER_FILE, { workerData });
  worker.unref(); // never keeps the process alive
  // A failing checkpoint fails every interval: each distinct message is reported once.
  let last: string | null = null;
  const report = (message: string) => {
    if (message !== last) onError((last = message));
  };
  worker.on("message", (m: CheckpointWorkerMessage) => {
    if ("error" in m) report(m.error);
    else if (onStat) onStat({ walFrames: m.stat[0], checkpointedFrames: m.stat[1], restarts: m.stat[2], flushes: m.stat[3] });
  });
  // An error thrown in the worker (or its file failing to load) arrives as a structured clone (a SqliteError keeps only its code).
  worker.on("error", (e: unknown) => {
    const { message, code } = (e ?? {}) as { message?: unknown; code?: unknown };
    report(`checkpoint worker failed: ${String(message || code || e)}`);
  });
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once("exit", (code) => {
    if (!stopping && code !== 0) report(`checkpoint worker stopped (exit code ${code}); no background checkpoints until restart`);
    resolve();
  }));
  return {
    stop: async () => {
      stopping = true;
      worker.postMessage("stop");
      const timeout = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
