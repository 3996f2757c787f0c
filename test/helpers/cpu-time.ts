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
