// Loaded into a measured server only, by `node bench/request-cpu.mjs --alloc` (`node --import
// <this file> dist/main.js`): counts the bytes the server's JavaScript heap allocates between a
// "start" and a "stop" line that the bench writes on file descriptor 3 (a socket pair it opened),
// and answers each with one JSON line on the same descriptor. The product serves nothing for it.
//
// The count is exact for the V8 heap, not sampled: a full collection before "start" leaves only
// live objects, so every byte freed afterwards was allocated in the window; v8.GCProfiler reports
// the heap's used size before and after every collection, and
//   allocated = (used at stop − used at start) + Σ over collections (used before − used after).
// Off-heap memory (Buffers' backing stores, socket reads) is not counted. With "start sites" the
// inspector's sampling heap profiler also runs (objects later collected included): its total is an
// independent estimate of the same figure, and its samples say which functions allocate.
import { Socket } from "node:net";
import { Session } from "node:inspector";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { isMainThread } from "node:worker_threads";

// Worker threads inherit the preload (the SQLite checkpoint worker): only the main thread, whose heap
// serves the requests, answers on the descriptor.
if (isMainThread) main();

function main() {
v8.setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc");
const session = new Session();
session.connect();
const post = (method, params = {}) => new Promise((ok, fail) => session.post(method, params, (e, r) => (e ? fail(e) : ok(r))));

let window = null;

/** Sampled bytes by function (self size) and by the function with its two callers, biggest first. */
function sites(profile) {
  const bytes = new Map();
  const stacks = new Map();
  let total = 0;
  const name = (f) => `${f.functionName || "(anonymous)"} ${f.url ? `${f.url.replace(/^file:\/\//, "").replace(/^.*?\/(dist|node_modules)\//, "$1/")}:${f.lineNumber + 1}` : "(native)"}`;
  const walk = (node, callers) => {
    const key = name(node.callFrame);
    bytes.set(key, (bytes.get(key) ?? 0) + node.selfSize);
    const stack = [key, ...callers.slice(0, 2)].join(" ← ");
    stacks.set(stack, (stacks.get(stack) ?? 0) + node.selfSize);
    total += node.selfSize;
    for (const c of node.children) walk(c, [key, ...callers]);
  };
  walk(profile.head, []);
  const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, 60);
  return { total, top: top(bytes), stacks: top(stacks) };
}

async function command(line) {
  const [verb, option] = line.trim().split(" ");
  if (verb === "start") {
    gc();
    gc();
    const profiler = new v8.GCProfiler();
    if (option === "sites") await post("HeapProfiler.startSampling", { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    window = { sampled: option === "sites", profiler, used: v8.getHeapStatistics().used_heap_size };
    profiler.start();
    return { started: true };
  }
  if (verb === "stop" && window) {
    const used = v8.getHeapStatistics().used_heap_size;
    const { statistics } = window.profiler.stop();
    let freed = 0;
    let pauseUs = 0;
    const kinds = {};
    for (const s of statistics) {
      freed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
      pauseUs += s.cost;
      kinds[s.gcType] = (kinds[s.gcType] ?? 0) + 1;
    }
    const out = { allocated: used - window.used + freed, collections: kinds, pauseUs };
    if (window.sampled) out.sampled = sites((await post("HeapProfiler.stopSampling")).profile);
    window = null;
    return out;
  }
  return { error: `unknown command: ${line}` };
}

const channel = new Socket({ fd: 3, readable: true, writable: true });
channel.unref();
let pending = "";
channel.setEncoding("utf8");
channel.on("data", (chunk) => {
  pending += chunk;
  let nl;
  while ((nl = pending.indexOf("\n")) >= 0) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    command(line).then((r) => channel.write(`${JSON.stringify(r)}\n`), (e) => channel.write(`${JSON.stringify({ error: String(e) })}\n`));
  }
});
channel.on("error", () => undefined);
}
