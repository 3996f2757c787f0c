/**
 * The baseline of `--scaling`: bench/baseline.ts's plain Express app in N processes on one port
 * with node:cluster, scheduled as orgscim's WORKERS=N is (SCHED_NONE: each process accepts from
 * the kernel's queue itself). PORT and BASELINE_WORKERS from the environment. The primary prints
 * `baseline: N worker processes serving <pids>` once every process listens.
 */
import cluster from "node:cluster";
import { baselineApp } from "./baseline";

const n = Math.max(1, Number(process.env.BASELINE_WORKERS ?? "1"));
const port = Number(process.env.PORT ?? 0);

if (cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const pids: number[] = [];
  let listening = 0;
  for (let i = 0; i < n; i++) {
    const w = cluster.fork();
    pids.push(w.process.pid as number);
    w.on("listening", () => {
      listening += 1;
      if (listening === n) console.log(`baseline: ${n} worker processes serving ${JSON.stringify(pids)}`);
    });
  }
  process.on("SIGTERM", () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGTERM");
    setTimeout(() => process.exit(0), 200).unref();
    cluster.on("exit", () => { if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0); });
  });
} else {
  const server = baselineApp().listen(port, "127.0.0.1");
  server.keepAliveTimeout = 65_000;
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}
