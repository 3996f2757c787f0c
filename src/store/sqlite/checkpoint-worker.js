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
const { fdatasyncSync, readdirSync, readlinkSync, realpathSync } = require("node:fs");
const Database = require("better-sqlite3");

/**
 * @typedef {object} CheckpointWorkerData
 * @property {string} path the store's file
 * @property {number} intervalMs between two checkpoints
 * @property {boolean} stats whether to report WAL frames after checkpoints (for the metrics)
 * @property {number} restartFrames a complete passive checkpoint of at least this many frames is followed by RESTART (0: never)
 */
/** @typedef {{ error: string } | { stat: [number, number, number, number] }} CheckpointWorkerMessage [WAL frames, frames in the database file, RESTARTs so far, syncs of the file before them] */

const STAT_EVERY_MS = 1000;
/** Passive passes run between a pass that calls for RESTART and the RESTART, at most (see tick). */
const CLOSING_PASSES = 4;
/** A pass that found at most this many frames committed since the one before it leaves RESTART little to copy. */
const CLOSE_FRAMES = 64;

/**
 * The descriptors this process has open on `file` (Linux's /proc/self/fd; elsewhere, none).
 * @param {string} file
 * @returns {Set<number>}
 */
function descriptorsOn(file) {
  /** @type {Set<number>} */
  const out = new Set();
  try {
    const target = realpathSync(file);
    for (const name of readdirSync("/proc/self/fd")) {
      try {
        if (readlinkSync(`/proc/self/fd/${name}`) === target) out.add(Number(name));
      } catch { /* closed meanwhile */ }
    }
  } catch { /* no /proc: no descriptor known */ }
  return out;
}

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
  /**
   * This connection's own descriptor of the database file, to sync it with (never opened or closed
   * here: closing any descriptor of a file drops every POSIX lock the process holds on it, SQLite's
   * included). Told apart as the one its open added; undefined when that cannot be told.
   * @type {number | undefined}
   */
  let own;
  try {
    const before = descriptorsOn(data.path);
    db = new Database(data.path);
    const added = [...descriptorsOn(data.path)].filter((fd) => !before.has(fd));
    own = added.length === 1 ? added[0] : undefined;
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
  let flushes = 0;
  /**
   * Writes the pages passive passes copied into the file back to disk, holding no lock. Passive
   * passes copy without syncing the file (SQLite syncs it only after a pass that reached the WAL's
   * end, which a steady stream of commits never lets happen), so without this the RESTART's sync,
   * holding the write lock, wrote back every page copied since the last RESTART: for pages
   * scattered over the file (a large group's memberships) 20-30 ms during which every write waited.
   * A sync of another file's descriptor (had ours been closed and its number reused) would be harmless.
   */
  const flush = () => {
    if (own === undefined) return;
    try {
      fdatasyncSync(own);
      flushes++;
    } catch { /* RESTART syncs the file itself */ }
  };
  /** @param {"PASSIVE" | "RESTART"} mode */
  const checkpoint = (mode) => /** @type {Array<{ busy: number; log: number; checkpointed: number }>} */ (db.pragma(`wal_checkpoint(${mode})`))[0];
  const tick = () => {
    try {
      let r = checkpoint("PASSIVE");
      // log: the WAL's frames when the pass began; checkpointed below it: a reader's older snapshot held
      // the pass back, and RESTART would wait for that reader holding the write lock.
      if (r && data.restartFrames > 0 && r.log >= data.restartFrames && r.checkpointed === r.log) {
        // RESTART holds the write lock while it copies what was committed since the last pass and
        // syncs the WAL and the file: every write waits that long, and pages scattered over the file
        // (a large group's memberships) make that copy and sync long. So that work is done first,
        // holding no lock: the file synced (flush), then a passive pass copies what was committed
        // meanwhile, each pass shorter than the one before, until one finds few new frames (or the
        // WAL was started over meanwhile); RESTART is left those few.
        let last = r;
        for (let i = 0; i < CLOSING_PASSES; i++) {
          flush();
          const next = checkpoint("PASSIVE");
          if (!next) break;
          const fresh = next.log - last.log;
          last = next;
          if (fresh <= CLOSE_FRAMES) break;
        }
        r = last;
        if (last.log >= data.restartFrames && last.checkpointed === last.log) {
          flush();
          if (checkpoint("RESTART")?.busy === 0) restarts++;
        }
      }
      if (data.stats && r && Date.now() - reported >= STAT_EVERY_MS) {
        reported = Date.now();
        tell({ stat: [r.log, r.checkpointed, restarts, flushes] });
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
