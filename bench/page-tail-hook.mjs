// Loaded into the measured server only, by `node bench/page-tail.mjs` (`node --import <this file>
// dist/main.js`): for every request carrying an `x-tail-id` header, the wall-clock times (ms since
// the epoch, sub-millisecond) at which the server emitted it ('request'), ended its response
// (res.end returned) and finished it ('finish': its last byte handed to the kernel), and the bytes
// the socket still held when res.end returned (a response the kernel did not take whole at once);
// every garbage collection of the main thread (start, pause, kind); the event loop's delay. On
// SIGUSR2 it writes what it recorded since the last SIGUSR2 to the file PAGE_TAIL_OUT names.
import http from "node:http";
import { writeFileSync } from "node:fs";
import { PerformanceObserver, constants, monitorEventLoopDelay, performance } from "node:perf_hooks";
import { isMainThread } from "node:worker_threads";

if (isMainThread && process.env.PAGE_TAIL_OUT) {
  const now = () => performance.timeOrigin + performance.now();
  const KINDS = { [constants.NODE_PERFORMANCE_GC_MINOR]: "scavenge", [constants.NODE_PERFORMANCE_GC_MAJOR]: "markCompact", [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental", [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weakCallbacks" };
  let gcs = [];
  let requests = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push([KINDS[e.detail.kind] ?? String(e.detail.kind), performance.timeOrigin + e.startTime, e.duration]);
  }).observe({ entryTypes: ["gc"] });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (event, req, res) {
    if (event === "request") {
      const id = req.headers["x-tail-id"];
      if (id !== undefined) {
        const r = { id: Number(id), read: now(), ended: 0, finished: 0, held: 0, bytes: 0 };
        const end = res.end;
        res.end = function (...args) {
          const out = end.apply(this, args);
          r.ended = now();
          r.held = res.socket ? res.socket.writableLength : 0;
          return out;
        };
        res.once("finish", () => { r.finished = now(); r.bytes = res.socket ? res.socket.bytesWritten : 0; });
        requests.push(r);
      }
    }
    return emit.apply(this, arguments);
  };
  process.on("SIGUSR2", () => {
    const ms = (p) => delay.percentile(p) / 1e6;
    writeFileSync(process.env.PAGE_TAIL_OUT, JSON.stringify({ gcs, requests, loopDelayMs: { p50: ms(50), p99: ms(99), max: delay.max / 1e6 } }));
    gcs = [];
    requests = [];
    delay.reset();
  });
}
