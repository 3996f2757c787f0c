// Loaded into the measured server only, by `node bench/gc-tail.mjs` (`node --import <this file>
// dist/main.js`): records every garbage collection of the main thread (kind, pause) and the event
// loop's delay (perf_hooks.monitorEventLoopDelay, 1 ms resolution); on SIGUSR2 it writes what it
// recorded since the last SIGUSR2 to the file GC_TAIL_OUT names, with the heap's spaces and RSS,
// and starts again. The product serves nothing for it.
import { writeFileSync } from "node:fs";
import { PerformanceObserver, constants, monitorEventLoopDelay } from "node:perf_hooks";
import v8 from "node:v8";
import { isMainThread } from "node:worker_threads";

// Worker threads inherit the preload (the SQLite checkpoint worker): only the main thread's heap serves requests.
if (isMainThread && process.env.GC_TAIL_OUT) {
  const KINDS = { [constants.NODE_PERFORMANCE_GC_MINOR]: "scavenge", [constants.NODE_PERFORMANCE_GC_MAJOR]: "markCompact", [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental", [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weakCallbacks" };
  let pauses = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push([KINDS[e.detail.kind] ?? String(e.detail.kind), e.duration]);
  }).observe({ entryTypes: ["gc"] });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let since = performance.now();
  process.on("SIGUSR2", () => {
    const gc = {};
    for (const [kind, ms] of pauses) {
      const g = (gc[kind] ??= { count: 0, ms: 0, maxMs: 0 });
      g.count += 1;
      g.ms += ms;
      g.maxMs = Math.max(g.maxMs, ms);
    }
    const ms = (p) => delay.percentile(p) / 1e6;
    writeFileSync(process.env.GC_TAIL_OUT, JSON.stringify({
      wallMs: performance.now() - since,
      gc,
      loopDelayMs: { p50: ms(50), p99: ms(99), max: delay.max / 1e6 },
      spacesKB: Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, Math.round(s.space_size / 1024)])),
      rssMB: process.memoryUsage().rss / 2 ** 20,
    }));
    pauses = [];
    delay.reset();
    since = performance.now();
  });
}
