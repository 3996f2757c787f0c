/**
 * Loaded into the benchmarked server only (`node --require dist-bench/bench/profiler-hook.js
 * dist/main.js`, with BENCH_PROFILE_DIR set): lets the bench take a CPU profile of one scenario.
 * The product serves nothing new for it. The bench writes `<dir>/.command` ("start NAME" or "stop
 * NAME") and sends SIGUSR2; the hook answers by writing `<dir>/NAME.started`, or the profile
 * `<dir>/NAME.cpuprofile` then `<dir>/NAME.stopped`. Sampling every 500 µs costs the server ~10% of a lookup's CPU on its core (bench/gc-tail.mjs @profiled), so the bench profiles a run of its own, not the measured one.
 */
import { Session } from "node:inspector";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))));
  const fail = (name: string, e: unknown) => writeFileSync(join(dir, `${name}.failed`), String(e));
  process.on("SIGUSR2", () => {
    const [verb, name] = readFileSync(join(dir, ".command"), "utf8").trim().split(" ");
    if (!name || !/^[\w.@-]+$/.test(name)) return;
    if (verb === "start") {
      post("Profiler.enable")
        .then(() => post("Profiler.setSamplingInterval", { interval: 500 }))
        .then(() => post("Profiler.start"))
        .then(() => writeFileSync(join(dir, `${name}.started`), ""), (e: unknown) => fail(name, e));
    } else if (verb === "stop") {
      post("Profiler.stop")
        .then((r) => {
          writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify((r as { profile: unknown }).profile));
          writeFileSync(join(dir, `${name}.stopped`), "");
        }, (e: unknown) => fail(name, e));
    }
  });
}
