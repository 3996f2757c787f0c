// Loaded into the server by bench/overload.ts --trace (NODE_OPTIONS=--import): for every request,
// when Node parsed its headers ('request' event) and when its answer was finished, on
// CLOCK_MONOTONIC (process.hrtime, ns), each with the CPU the server process had used by then
// (process.cpuUsage, µs: every thread, all on the server's one core), and the client's X-Sent;
// written to BENCH_TRACE_FILE at exit.
import http from "node:http";
import { writeFileSync } from "node:fs";

const rows = [];
const accepted = new WeakMap();
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, ...args) {
  if (event === "connection") accepted.set(args[0], process.hrtime.bigint());
  if (event === "request") {
    const [req, res] = args;
    const read = process.hrtime.bigint();
    const readCpu = cpu();
    const sent = req.headers["x-sent"];
    // When the connection was accepted, for its first request only (0 for the later ones).
    const at = accepted.get(req.socket) ?? 0n;
    accepted.delete(req.socket);
    res.once("finish", () => rows.push(`${read} ${readCpu} ${process.hrtime.bigint()} ${cpu()} ${res.statusCode} ${sent} ${at}`));
  }
  return emit.call(this, event, ...args);
};
process.on("exit", () => {
  if (process.env.BENCH_TRACE_FILE) writeFileSync(process.env.BENCH_TRACE_FILE, rows.join("\n"));
});
