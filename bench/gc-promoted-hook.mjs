// Loaded into the measured server only, by `node bench/gc-promoted.mjs` (`node --import <this file>
// dist/main.js`). On SIGUSR2 it reads a command from the file GC_PROMOTED_OUT.cmd and answers in
// GC_PROMOTED_OUT: "start" runs a full collection (so the old generation holds only live objects),
// then, with --sites, starts the inspector's sampling heap profiler keeping the samples of objects a
// mark-compact later collects and dropping those a scavenge collects; "stop" runs two scavenges (what
// the new space still holds is promoted or freed) and answers with the profile's samples by
// allocation stack: the objects that reached the old generation in the window (promoted, or
// allocated there), whether live at the end or not. The product serves nothing for it.
import { Session } from "node:inspector";
import { readFileSync, writeFileSync } from "node:fs";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { isMainThread } from "node:worker_threads";

// Worker threads inherit the preload (the SQLite checkpoint worker): only the main thread's heap serves requests.
if (isMainThread && process.env.GC_PROMOTED_OUT) {
  v8.setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc");
  const out = process.env.GC_PROMOTED_OUT;
  const interval = Number(process.env.GC_PROMOTED_SAMPLING ?? 0); // bytes between samples; 0: no profiler
  const session = new Session();
  session.connect();
  const post = (method, params = {}) => new Promise((ok, fail) => session.post(method, params, (e, r) => (e ? fail(e) : ok(r))));
  const frame = (f) => `${f.functionName || "(anonymous)"} ${f.url ? `${f.url.replace(/^file:\/\//, "").replace(/^.*?\/(dist|node_modules)\//, "$1/")}:${f.lineNumber + 1}` : "(native)"}`;
  /** Sampled bytes by allocation stack (the allocating function and its callers, at most `depth`). */
  const stacks = (profile, depth) => {
    const bytes = new Map();
    const walk = (node, callers) => {
      const stack = [frame(node.callFrame), ...callers].slice(0, depth);
      if (node.selfSize > 0) {
        const key = stack.join(" < ");
        bytes.set(key, (bytes.get(key) ?? 0) + node.selfSize);
      }
      for (const child of node.children) walk(child, stack);
    };
    walk(profile.head, []);
    return [...bytes];
  };
  process.on("SIGUSR2", () => {
    void (async () => {
      const cmd = readFileSync(`${out}.cmd`, "utf8").trim();
      try {
        if (cmd === "start") {
          gc({ type: "major" });
          if (interval > 0) await post("HeapProfiler.startSampling", { samplingInterval: interval, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false });
          writeFileSync(out, JSON.stringify({ ok: true }));
        } else {
          let sites = [];
          if (interval > 0) {
            gc({ type: "minor" });
            gc({ type: "minor" });
            sites = stacks((await post("HeapProfiler.getSamplingProfile")).profile, 6);
            await post("HeapProfiler.stopSampling");
          }
          writeFileSync(out, JSON.stringify({ ok: true, sites }));
        }
      } catch (e) {
        writeFileSync(out, JSON.stringify({ error: String(e?.stack ?? e) }));
      }
    })();
  });
}
