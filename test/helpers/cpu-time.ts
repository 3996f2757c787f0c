/**
 * CPU time, not wall time, for the tests that bound how much work an input costs (a ReDoS, a
 * quadratic parse): a pathological input burns CPU, while a loaded machine only stretches the wall
 * clock (other processes take the core; the test's CPU time stays what the work needs). It is this
 * process's CPU (every thread: a collection's helpers too), so a bound keeps room for that.
 */
const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** The ms of CPU this process spent in `fn` (synchronous), and its result or what it threw. */
export function cpuMs<T>(fn: () => T): { ms: number; result: T | unknown } {
  const c0 = cpuNow();
  let result: T | unknown;
  try {
    result = fn();
  } catch (e) {
    result = e;
  }
  return { ms: cpuNow() - c0, result };
}

/**
 * The ms of CPU this process spent while `fn` ran (an HTTP request to a server in this process:
 * the client's and the server's work together).
 */
export async function cpuMsAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const c0 = cpuNow();
  const result = await fn();
  return { ms: cpuNow() - c0, result };
}

/**
 * The longest this process's event loop was held, in ms of CPU: a timer every `resolutionMs` notes
 * the CPU spent since its last turn, and a request that holds the loop shows as one long turn. A
 * loaded machine taking the core away stretches the wall clock between turns (what
 * perf_hooks.monitorEventLoopDelay reports: 2.4 s for a 1 MB body at load 26), not the CPU in one.
 */
export function cpuLoopMonitor(resolutionMs = 10): { enable(): void; disable(): void; readonly maxMs: number } {
  let last = 0;
  let max = 0;
  let timer: NodeJS.Timeout | undefined;
  const turn = () => {
    const now = cpuNow();
    max = Math.max(max, now - last);
    last = now;
  };
  return {
    enable() {
      last = cpuNow();
      timer = setInterval(turn, resolutionMs);
    },
    disable() {
      clearInterval(timer);
      turn();
    },
    get maxMs() { return max; },
  };
}
