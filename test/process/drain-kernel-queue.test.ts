/**
 * src/http/kernel-queue.ts: what the kernel holds for a listening port, read from /proc/net/tcp —
 * on a real listener whose process is blocked (connections wait in the accept queue), then takes
 * them without reading (bytes wait unread), and on /proc lines with handshakes in progress.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { kernelView, readProcTcp } from "../../src/http/kernel-queue";

const onLinux = existsSync("/proc/net/tcp");
if (!onLinux) console.warn("SKIPPED: the kernel's accept queue on a real listener: /proc/net/tcp is not there (not Linux); the drain falls back on the event loop there");
const linuxIt = onLinux ? it : it.skip;

/** A listener in another process that blocks until told to go on, then takes connections without reading them. */
const LISTENER = `
const net = require("node:net"), fs = require("node:fs");
const taken = [];
const server = net.createServer({ pauseOnConnect: true }, (s) => { taken.push(s); if (taken.length === Number(process.argv[1])) process.stdout.write("taken\\n"); });
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(server.address().port + "\\n");
  fs.readSync(0, Buffer.alloc(1)); // blocked: the kernel queues connections meanwhile
});`;

async function until<T>(what: string, read: () => T | null | undefined | false, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = read();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("the kernel's view of a listening port", () => {
  linuxIt("counts connections waiting in the accept queue, then the bytes nobody has read on them", async () => {
    const N = 3;
    const child = spawn(process.execPath, ["-e", LISTENER, String(N)], { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
    const sockets: Socket[] = [];
    try {
      const port = Number(await until("the listener's port", () => /^(\d+)\n/.exec(out)?.[1]));
      for (let i = 0; i < N; i++) {
        const s = connect(port, "127.0.0.1");
        sockets.push(s);
        await new Promise<void>((r, j) => { s.once("connect", r); s.once("error", j); });
        await new Promise<void>((r) => s.write("hello", () => r()));
      }
      const queued = await until("3 queued", () => { const v = kernelView(port); return v && v.queued === N && v; });
      expect(queued.handshakes).toBe(0);
      child.stdin.write("g");
      await until("taken", () => out.includes("taken"));
      const after = kernelView(port)!;
      expect(after.queued).toBe(0);
      expect(sockets.map((s) => after.unread(s.localPort!))).toEqual([5, 5, 5]);
      expect(after.unread(1)).toBe(0); // a peer it does not know
    } finally {
      for (const s of sockets) s.destroy();
      child.kill();
    }
  });

  it("reads handshakes in progress, IPv6 lines and several peers on one port from /proc's format", () => {
    const head = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    const v4 = head + [
      "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0",
      "   1: 0100007F:1F90 0100007F:C350 03 00000000:00000000 01:00000064 00000000     0        0 0 1 0",
      "   2: 0100007F:1F90 0100007F:C351 01 00000000:0000001D 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1",
      "   3: 0200007F:1F90 0200007F:C351 01 00000000:00000004 00:00000000 00000000     0        0 3 1 0 20 4 30 10 -1",
      "   4: 0100007F:C352 0100007F:1F90 01 00000000:00000063 00:00000000 00000000     0        0 4 1 0 20 4 30 10 -1", // a client's end: local port is not 8080
      "   5: 0100007F:1F91 00000000:0000 0A 00000000:00000007 00:00000000 00000000     0        0 5 1 0 100 0 0 10 0", // another port
    ].join("\n");
    const v6 = head + "   0: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:C360 03 00000000:00000000 01:00000064 00000000     0        0 0 1 0\n";
    const into = { queued: 0, handshakes: 0, unread: new Map<number, number>() };
    readProcTcp(v4, 8080, into);
    readProcTcp(v6, 8080, into);
    expect(into.queued).toBe(2);
    expect(into.handshakes).toBe(2);
    expect(into.unread.get(0xc351)).toBe(0x1d); // the larger of two peers on one port number
    expect(into.unread.has(0xc352)).toBe(false);
  });

  it("answers null where /proc/net/tcp cannot be read", () => {
    expect(kernelView(8080, ["/nonexistent/tcp"])).toBeNull();
  });
});
