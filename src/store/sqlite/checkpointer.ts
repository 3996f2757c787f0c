/**
 * WAL checkpoints on a worker thread. With SQLite's automatic checkpoints the connection that
 * commits copies the WAL back into the database file, fsyncs included, every 1,000 pages: under a
 * steady stream of POST /Users, one commit in a few dozen stalled the event loop that way, which
 * made most of the p99 (figures: bench/README.md). Here a worker with its own connection runs
 * `wal_checkpoint(PASSIVE)` every `intervalMs`; passive checkpoints never block the writer. The
 * store's connection keeps an automatic checkpoint at SAFETY_NET_PAGES, so the WAL stays bounded
 * if the worker stops or falls behind.
 */
import { Worker } from "node:worker_threads";

/** The store connection's own automatic checkpoint, when the worker runs (SQLite's default is 1,000). */
export const SAFETY_NET_PAGES = 10_000;

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const describe = (e) => String((e && (e.message || e.code)) || e);
let db;
try {
  db = new Database(workerData.path);
  db.pragma("busy_timeout = 1000");
  db.pragma("synchronous = NORMAL");
} catch (e) {
  parentPort.postMessage({ error: "cannot open " + workerData.path + " for checkpoints: " + describe(e) });
  process.exit(1);
}
let timer = null;
let reported = 0;
const tick = () => {
  try {
    const r = db.pragma("wal_checkpoint(PASSIVE)")[0];
    // For the metrics (WAL frames, and how many of them are in the file), at most once a second.
    if (workerData.stats && Date.now() - reported >= 1000 && r) {
      reported = Date.now();
      parentPort.postMessage({ stat: [r.log, r.checkpointed] });
    }
  } catch (e) { parentPort.postMessage({ error: describe(e) }); }
  timer = setTimeout(tick, workerData.intervalMs);
};
timer = setTimeout(tick, workerData.intervalMs);
parentPort.on("message", (m) => {
  if (m !== "stop") return;
  clearTimeout(timer);
  try { db.close(); } finally { parentPort.close(); }
});
`;

export interface Checkpointer {
  /** Stops the worker and closes its connection; resolves once the thread has exited. */
  stop(): Promise<void>;
}

/** A completed background checkpoint: frames in the WAL, and how many of them the file holds. */
export interface CheckpointStat {
  walFrames: number;
  checkpointedFrames: number;
}

export function startCheckpointer(path: string, intervalMs: number, onError: (message: string) => void, onStat?: (stat: CheckpointStat) => void): Checkpointer {
  const worker = new Worker(WORKER, { eval: true, workerData: { path, intervalMs, driver: require.resolve("better-sqlite3"), stats: onStat !== undefined } });
  worker.unref(); // never keeps the process alive
  // A failing checkpoint fails every 50 ms: each distinct message is reported once.
  let last: string | null = null;
  const report = (message: string) => {
    if (message !== last) onError((last = message));
  };
  worker.on("message", (m: { error?: string; stat?: [number, number] }) => {
    if (m.error) report(m.error);
    if (m.stat && onStat) onStat({ walFrames: m.stat[0], checkpointedFrames: m.stat[1] });
  });
  // An error thrown in the worker arrives as a structured clone (a SqliteError keeps only its code).
  worker.on("error", (e: unknown) => {
    const { message, code } = (e ?? {}) as { message?: unknown; code?: unknown };
    report(String(message || code || e));
  });
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  return {
    stop: async () => {
      worker.postMessage("stop");
      const timeout = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(timeout);
    },
  };
}
