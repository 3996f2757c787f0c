/**
 * The drain and handshakes still in progress at the signal (issue 25: the drain test reset 46-112
 * of 300 requests on a loaded machine). A client counts itself connected when it gets the SYN-ACK
 * and sends its request at once; the server's kernel completes the connection only when it has
 * processed the client's ACK, which on a loaded machine can come much later. Closing the listener
 * meanwhile makes the kernel reset it: the client sees ECONNRESET for a request it had sent.
 *
 * Here the delay is made certain instead of left to load: in a network namespace of its own, the
 * loopback device is slowed to 20 kbit/s (a token bucket), so the clients' ACKs and requests wait
 * in its queue while the drain starts. The built drain (dist/http/drain.js) runs in that process.
 * Needs root with CAP_SYS_ADMIN and CAP_NET_ADMIN (as in CI) and the tbf queueing discipline;
 * elsewhere the case is SKIPPED, loudly. In CI (CI=true, running as root, as .ci/run does) it
 * never skips: a machine that lost those capabilities or tbf FAILS the case with the reason.
 */
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { ensureBuilt } from "../helpers/built-server";

const SLOW_LOOPBACK = "ip link set lo up && tc qdisc add dev lo root tbf rate 20kbit burst 1600 latency 30s";
const CLIENTS = 20;

/** The server (with the drain) and its clients in one process; prints what each client got. */
const CHILD = `
const http = require("node:http"), net = require("node:net");
const { drainable } = require(process.argv[1]);
const { kernelView } = require(process.argv[1].replace(/drain\\.js$/, "kernel-queue.js"));
const N = Number(process.argv[2]);
const server = http.createServer((req, res) => res.end("ok " + req.url));
server.keepAliveTimeout = 65000;
const drainer = drainable(server);
let drained, atSignal = null, written = 0;
server.listen(0, "127.0.0.1", () => {
  const port = server.address().port;
  const answers = Array.from({ length: N }, (_, i) => new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    let data = "", error = null;
    s.on("connect", () => s.write("GET /r" + i + " HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n", () => {
      if (++written < N) return;
      // Every client has connected and written its request: the signal.
      const v = kernelView(port);
      atSignal = v && { queued: v.queued, handshakes: v.handshakes };
      drained = drainer.drain(60000);
    }));
    s.on("data", (d) => { data += d; });
    s.on("error", (e) => { error = e.code; });
    s.on("close", () => resolve(error ? "r" + i + ": " + error : data.startsWith("HTTP/1.1 200") && data.endsWith("ok /r" + i) ? null : "r" + i + ": " + JSON.stringify(data)));
  }));
  Promise.all(answers).then(async (a) => {
    const result = await drained;
    process.stdout.write(JSON.stringify({ atSignal, drained: result, failures: a.filter((x) => x !== null) }) + "\\n");
    process.exit(0);
  });
});`;

const probe = spawnSync("unshare", ["--net", "sh", "-c", SLOW_LOOPBACK], { encoding: "utf8" });
const whyNot = probe.error ? probe.error.message : probe.status !== 0 ? (probe.stderr || `exit ${probe.status}`).trim() : null;
/** CI runs the tests as root with these capabilities: there the case must run, never skip. */
const mustRun = process.env.CI === "true" && process.getuid?.() === 0;
if (whyNot && !mustRun) console.warn(`SKIPPED: the drain with handshakes in progress at the signal: cannot slow a private loopback here (${whyNot}); it runs where the tests run as root with CAP_SYS_ADMIN and CAP_NET_ADMIN and tbf (CI)`);
const slowIt = whyNot && !mustRun ? it.skip : it;

describe("the drain, with connections whose handshake the server's kernel has not completed at the signal", () => {
  beforeAll(() => ensureBuilt(), 120_000);

  slowIt(`answers every one of ${CLIENTS} requests sent on such connections, none reset`, async () => {
    if (whyNot) {
      throw new Error(`CI=true and running as root, yet a private loopback cannot be slowed here: ${whyNot}. `
        + "This case may not be skipped in CI: run the tests with CAP_SYS_ADMIN and CAP_NET_ADMIN (e.g. docker run --cap-add SYS_ADMIN --cap-add NET_ADMIN) and the tbf queueing discipline (kernel module sch_tbf; iproute2's tc and util-linux's unshare installed).");
    }
    const child = spawn("unshare", ["--net", "sh", "-c", `${SLOW_LOOPBACK} && exec "$0" "$@"`, process.execPath, "-e", CHILD, join(__dirname, "..", "..", "dist", "http", "drain.js"), String(CLIENTS)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
    child.stderr.on("data", (d: Buffer) => { out += d.toString(); });
    const code = await new Promise<number | null>((r) => child.on("exit", r));
    expect({ code, out }).toMatchObject({ code: 0 });
    const got = JSON.parse(out) as { atSignal: { queued: number; handshakes: number }; drained: unknown; failures: string[] };
    // The situation the test is about did occur: handshakes in progress when the drain began.
    expect(got.atSignal.handshakes).toBeGreaterThan(0);
    expect(got.failures).toEqual([]);
    expect(got.drained).toEqual({ cut: 0, destroyed: 0 });
  }, 120_000);
});
