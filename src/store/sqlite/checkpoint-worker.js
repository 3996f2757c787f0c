// @ts-check
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: see below */
/**
 * The WAL checkpoint worker: runs on its own thread (./checkpointer.ts starts it) with its own
 * connection to the store's file, and checkpoints PASSIVE every `intervalMs`. What it cannot do it
 * reports as a message (the store's owner logs each distinct one once); when asked, it reports the
 * WAL's frames after a checkpoint, at most once a second. "stop" closes its connection and ends it.
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
 */
/** @typedef {{ error: string } | { stat: [number, number] }} CheckpointWorkerMessage [WAL frames, frames in the database file] */

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
    db.pragma("busy_timeout = 1000");
    db.pragma("synchronous = NORMAL");
  } catch (e) {
    tell({ error: `cannot open ${data.path} for checkpoints: ${describe(e)}` });
    port.close(); // nothing else keeps the thread alive: it ends
    return;
  }
  /** @type {NodeJS.Timeout | null} */
  let timer = null;
  let reported = 0;
  const tick = () => {
    try {
      const rows = /** @type {Array<{ log: number; checkpointed: number }>} */ (db.pragma("wal_checkpoint(PASSIVE)"));
      const r = rows[0];
      if (data.stats && r && Date.now() - reported >= STAT_EVERY_MS) {
        reported = Date.now();
        tell({ stat: [r.log, r.checkpointed] });
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
