// @ts-check
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: see below */
/**
 * The WAL checkpoint worker: runs on its own thread (./checkpointer.ts starts it) with its own
 * connection to the store's file, and checkpoints PASSIVE every `intervalMs`. What it cannot do it
 * reports as a message (the store's owner logs each distinct one once); when asked, it reports the
 * WAL's frames after a checkpoint, at most once a second. "stop" closes its connection and ends it.
 *
 * A passive checkpoint never restarts the WAL: the next write starts again from the WAL's first
 * frame only if it finds every frame copied, and under a steady stream of commits one always lands
 * while a checkpoint runs. So the WAL grew until the store's own safety-net checkpoint ran on the
 * event loop. Once a passive pass leaves `restartFrames` or more frames in the WAL, all of them
 * copied up to the pass's start (no reader holds an older snapshot), the worker runs RESTART: it
 * takes the write lock between two commits (waiting for it in this thread), copies what was
 * committed meanwhile and waits for readers of the WAL, so that the next write starts the WAL over.
 * Writers wait for it only that long.
 *
 * Why JavaScript: a worker thread runs a file, and this is the one file that runs everywhere —
 * from the sources under jest, from dist/ (tsc copies it there: allowJs) and in the image. It is
 * still compiled and linted: `// @ts-check` puts it under the strict compiler options of
 * tsconfig.json (test/architecture.test.ts requires that line on every .js file in src/).
 */
const { parentPort, workerData } = require("node:worker_threads");
const Database = require("better-sqlite3");

/**
 * @typedef {object} CheckpointWorkerData
 * @property {string} path the store's file
 * @property {number} intervalMs between two checkpoints
 * @property {boolean} stats whether to report WAL frames after checkpoints (for the metrics)
 * @property {number} restartFrames a complete passive checkpoint of at least this many frames is followed by RESTART (0: never)
 */
/** @typedef {{ error: string } | { stat: [number, number, number] }} CheckpointWorkerMessage [WAL frames, frames in the database file, RESTARTs so far] */

const STAT_EVERY_MS = 1000;

/** @param {unknown} e */
function describe(e) {
  if (e instanceof Error) return e.message || String(("code" in e && e.code) || e);
  return String(e);
}

/**
 * @param {import("node:worker_threads").MessagePort} port
 * @param {CheckpointWorkerData} data
 */
function run(port, data) {
  /** @param {CheckpointWorkerMessage} m */
  const tell = (m) => port.postMessage(m);
  /** @type {import("better-sqlite3").Database} */
  let db;
  try {
    db = new Database(data.path);
    // RESTART waits this long for the write lock (a group commits within one turn of the store's
    // event loop), then for readers while it holds that lock: a reader started after the passive
    // pass holds writers up to this long. A busy RESTART is tried again at a later tick.
    db.pragma("busy_timeout = 100");
    db.pragma("synchronous = NORMAL");
  } catch (e) {
    tell({ error: `cannot open ${data.path} for checkpoints: ${describe(e)}` });
    port.close(); // nothing else keeps the thread alive: it ends
    return;
  }
  /** @type {NodeJS.Timeout | null} */
  let timer = null;
  let reported = 0;
  let restarts = 0;
  /** @param {"PASSIVE" | "RESTART"} mode */
  const checkpoint = (mode) => /** @type {Array<{ busy: number; log: number; checkpointed: number }>} */ (db.pragma(`wal_checkpoint(${mode})`))[0];
  const tick = () => {
    try {
      const r = checkpoint("PASSIVE");
      // log: the WAL's frames when the pass began; checkpointed below it: a reader's older snapshot held
      // the pass back, and RESTART would wait for that reader holding the write lock.
      if (r && data.restartFrames > 0 && r.log >= data.restartFrames && r.checkpointed === r.log) {
        if (checkpoint("RESTART")?.busy === 0) restarts++;
      }
      if (data.stats && r && Date.now() - reported >= STAT_EVERY_MS) {
        reported = Date.now();
        tell({ stat: [r.log, r.checkpointed, restarts] });
      }
    } catch (e) {
      tell({ error: describe(e) });
    }
    timer = setTimeout(tick, data.intervalMs);
  };
  timer = setTimeout(tick, data.intervalMs);
  port.on("message", (m) => {
    if (m !== "stop") return;
    if (timer) clearTimeout(timer);
    try {
      db.close();
    } finally {
      port.close();
    }
  });
}

if (parentPort) run(parentPort, /** @type {CheckpointWorkerData} */ (workerData));

module.exports = {};
