// What the load-side bench tools (gc-tail, gc-promoted, page-tail) share: the load runs pinned to
// core 1 (the script runs itself again there once, marked by `marker` in its environment) and the
// server they start to core 0 (`onServerCore`), as `npm run bench` pins them; a free loopback port;
// the CPU a server's threads have run (`threadCpuNs`).
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

export const hasTaskset = spawnSync("taskset", ["-c", "0", "true"]).status === 0;

/** Runs this script again on core 1 and exits with its status, unless it already runs there (`marker` set). */
export function loadOnCore1(marker) {
  if (!hasTaskset || process.env[marker] === "1") return;
  const r = spawnSync("taskset", ["-c", "1", process.execPath, ...process.argv.slice(1)], { stdio: "inherit", env: { ...process.env, [marker]: "1" } });
  process.exit(r.status ?? 1);
}

/** [command, args] running `argv` (node and its arguments) on core 0 when taskset exists. */
export const onServerCore = (argv) => (hasTaskset ? ["taskset", ["-c", "0", ...argv]] : [argv[0], argv.slice(1)]);

export const freePort = () => new Promise((ok, fail) => {
  const s = createServer();
  s.once("error", fail);
  s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => ok(port)); });
});

/**
 * Nanoseconds of CPU process `pid` has run (/proc/<pid>/task/<tid>/schedstat): every thread (the main
 * thread, libuv's pool, V8's helpers, workers), and its main thread alone. Other processes' load does
 * not count, only what they make it wait for.
 */
export function threadCpuNs(pid) {
  let all = 0;
  let main = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const ns = Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[0]);
      all += ns;
      if (t === String(pid)) main = ns;
    } catch { /* the thread ended */ }
  }
  return { all, main };
}
