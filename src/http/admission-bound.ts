/**
 * How many requests the server admits writes beyond (./write-shedding.ts, the queue depth rule),
 * derived from what it measures. One event loop past its capacity only queues: a request admitted
 * beyond what keeps the loop busy adds its work to the wait of every request behind it and nothing
 * to throughput. How many keep it busy depends on the machine: while a request waits for its group
 * commit's fsync (in libuv's thread pool) the loop serves the others, so a server whose disk is slow
 * needs more requests in flight than one whose fsync is short. Little's law gives the number: the
 * time an admitted write spends in the server when nothing is ahead of it (its own work and its
 * commit) divided by the loop's time per write (the loop's busy time over the writes it finished).
 *
 * So every WINDOW_MS the bound is that number, measured over the window: the shortest time an
 * admitted write took from admission to its answer (the least queueing seen; under saturation it
 * still includes some, which errs towards admitting more) over the loop's busy time per write
 * answered. Never below `floor` (OVERLOAD_QUEUE_DEPTH): that many requests held never shed a write
 * whatever is measured (ten connections of writes, the load an identity provider is served at, with
 * room for a probe and a read). On a CPU-bound machine the measure stays under the floor (a write's
 * fsync is worth two or three writes of the loop's time here), so the bound is the floor: fifty
 * connections are served as about twelve, not sixteen (issue 18: the accepted p99 at fifty
 * connections within 2x of ten's). On a slow disk it rises until the loop is busy, so admission does
 * not cap throughput at `floor` writes per fsync. Under saturation the busy time per write is the
 * loop's whole time over the writes answered, and the shortest time in the server is at most the
 * mean, so the measure cannot exceed what is held: it never raises itself by its own queueing.
 *
 * The measure is trusted only so far: the bound is at most twice the most requests held during the
 * window measured, so it grows by doubling, window after window, towards what a slow disk needs, and
 * writes that took long in the server for another reason (a client sending its body slowly: the
 * clock starts at admission, before the body is read) raise it by one doubling at most, for one
 * window.
 *
 * A window with fewer than MIN_WRITES answered measures nothing (the bound falls back to the
 * floor), nor one that ended more than a window ago (a burst after a quiet spell meets the floor):
 * requests held open cost the loop nothing and finish nothing, so they never raise it, and a test
 * holding a few requests sees the floor exactly.
 */
import { performance, type EventLoopUtilization } from "node:perf_hooks";

/** How often the bound is measured again. */
export const WINDOW_MS = 250;
/** Fewer writes answered in a window than this measure nothing. */
export const MIN_WRITES = 16;

export interface AdmissionBound {
  /** Requests held beyond which writes are refused now (0: no bound), told how many are held now. */
  current(held: number): number;
  /** An admitted write's clock: call the function returned when its answer is finished. */
  admitted(): () => void;
}

export interface AdmissionBoundOptions {
  /** ms (performance.now by default). */
  now?: () => number;
  /** The loop's busy time (ms) since the last call (performance.eventLoopUtilization by default). */
  busySince?: () => number;
}

function loopBusy(): () => number {
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  return () => {
    const next = performance.eventLoopUtilization();
    const busy = next.active - last.active;
    last = next;
    return busy;
  };
}

/** `floor` 0: no bound at all (the rule is off). */
export function admissionBound(floor: number, options: AdmissionBoundOptions = {}): AdmissionBound {
  const now = options.now ?? (() => performance.now());
  const busySince = options.busySince ?? (floor > 0 ? loopBusy() : () => 0);
  let bound = floor;
  let windowEnds = now() + WINDOW_MS;
  let answered = 0;
  let shortest = Infinity;
  let mostHeld = 0;
  const measure = (t: number): void => {
    const busy = busySince();
    // Only a window that has just ended measures: after a quiet spell its writes are old news.
    const fresh = t < windowEnds + WINDOW_MS;
    bound = floor;
    if (fresh && answered >= MIN_WRITES && busy > 0) bound = Math.max(floor, Math.min(2 * mostHeld, Math.ceil((shortest * answered) / busy)));
    answered = 0;
    shortest = Infinity;
    mostHeld = 0;
    windowEnds = t + WINDOW_MS;
  };
  return {
    current: (held: number) => {
      if (floor === 0) return 0;
      const t = now();
      if (t >= windowEnds) measure(t);
      if (held > mostHeld) mostHeld = held;
      return bound;
    },
    admitted: () => {
      const from = now();
      return () => {
        const ms = now() - from;
        answered++;
        if (ms < shortest) shortest = ms;
      };
    },
  };
}
