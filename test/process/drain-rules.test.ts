/**
 * The drain's rules one by one (src/http/drain.ts), on a real HTTP server in this process whose
 * handler the test holds, so each state a connection can be in at the signal is set up exactly.
 * test/process/drain.test.ts drives the built server under load.
 */
import http from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { drainable, type Drainer } from "../../src/http/drain";
import type { KernelView } from "../../src/http/kernel-queue";
import { readPipelined } from "./drain-helpers";

interface Harness { server: http.Server; drainer: Drainer; port: number; release: () => void; handled: Promise<void> }

/** A server whose GET /held waits until release(); GET /big answers `bigBytes` bytes; anything else "ok". */
async function harness(bigBytes = 0): Promise<Harness> {
  let release = () => undefined as void;
  const held = new Promise<void>((r) => { release = r; });
  let onHandled = () => undefined as void;
  const handled = new Promise<void>((r) => { onHandled = r; });
  const server = http.createServer((req, res) => {
    if (req.url === "/held") {
      onHandled();
      void held.then(() => res.end("held answer"));
    } else if (req.url === "/big") {
      res.setHeader("content-length", bigBytes);
      res.end(Buffer.alloc(bigBytes, 0x61));
      onHandled();
    } else res.end("ok");
  });
  server.keepAliveTimeout = 65_000;
  const drainer = drainable(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, drainer, port: (server.address() as AddressInfo).port, release, handled };
}

async function open(port: number): Promise<Socket> {
  const s = connect(port, "127.0.0.1");
  await new Promise<void>((r, j) => { s.once("connect", r); s.once("error", j); });
  return s;
}

const request = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

describe("the drain", () => {
  it("answers a request being handled with Connection: close, then closes its connection in order", async () => {
    const h = await harness();
    const s = await open(h.port);
    const answers = readPipelined(s);
    s.write(request("/held"));
    await h.handled;
    const drained = h.drainer.drain(60_000);
    h.release();
    const got = await answers;
    expect(got).toEqual({ answers: [{ status: 200, connection: "close", body: "held answer" }], ended: true, error: undefined });
    expect(await drained).toEqual({ cut: 0, destroyed: 0 });
  });

  it("answers every request pipelined on a connection, and closes it after the last", async () => {
    const h = await harness();
    const s = await open(h.port);
    const answers = readPipelined(s);
    s.write(request("/held") + request("/held") + request("/held"));
    await h.handled;
    const drained = h.drainer.drain(60_000);
    h.release();
    const got = await answers;
    expect(got.error).toBeUndefined();
    expect(got.answers.map((a) => [a.body, a.connection])).toEqual([["held answer", "keep-alive"], ["held answer", "keep-alive"], ["held answer", "close"]]);
    expect(got.ended).toBe(true);
    expect(await drained).toEqual({ cut: 0, destroyed: 0 });
  });

  it("closes an idle keep-alive connection at once, in order, without waiting for its keep-alive timeout", async () => {
    const h = await harness();
    const s = await open(h.port);
    const answers = readPipelined(s);
    s.write(request("/a"));
    await new Promise<void>((r) => { const check = () => (s.bytesRead > 0 ? r() : setTimeout(check, 5)); check(); });
    await h.drainer.drain(60_000); // resolves only once every connection is closed
    const got = await answers;
    expect(got).toEqual({ answers: [{ status: 200, connection: "keep-alive", body: "ok" }], ended: true, error: undefined });
  });

  it("answers a request written on an idle keep-alive connection just before the drain", async () => {
    const h = await harness();
    const s = await open(h.port);
    const answers = readPipelined(s);
    s.write(request("/a"));
    await new Promise<void>((r) => { const check = () => (s.bytesRead > 0 ? r() : setTimeout(check, 5)); check(); });
    await new Promise<void>((r) => s.write(request("/b"), () => r()));
    // The second request is in the server's receive buffer, not yet read, when the drain starts.
    const drained = h.drainer.drain(60_000);
    const got = await answers;
    expect(got.error).toBeUndefined();
    expect(got.answers.map((a) => [a.body, a.connection])).toEqual([["ok", "keep-alive"], ["ok", "close"]]);
    expect(await drained).toEqual({ cut: 0, destroyed: 0 });
  });

  it("delivers whole a large answer still being flushed to a slow reader when the drain starts", async () => {
    const big = 32 * 1024 * 1024; // far more than the socket buffers hold: most of it waits in the process
    const h = await harness(big);
    const s = await open(h.port);
    s.pause();
    s.write(request("/big"));
    await h.handled;
    const drained = h.drainer.drain(60_000);
    await new Promise((r) => setTimeout(r, 50)); // the drain has started its sweeps; the reader has read nothing
    const got = readPipelined(s);
    s.resume();
    const result = await got;
    expect(result.error).toBeUndefined();
    expect(result.answers).toHaveLength(1);
    expect(result.answers[0]!.body.length).toBe(big);
    expect(result.ended).toBe(true);
    expect(await drained).toEqual({ cut: 0, destroyed: 0 });
  });

  it("closes a connection that sent nothing, after a grace period", async () => {
    const h = await harness();
    const s = await open(h.port);
    const got = readPipelined(s);
    await h.drainer.drain(60_000);
    expect(await got).toEqual({ answers: [], ended: true, error: undefined });
  });

  it("keeps listening while it still answers: a connection made after the signal is answered with Connection: close, then closed in order", async () => {
    const h = await harness();
    const first = await open(h.port);
    const held = readPipelined(first);
    first.write(request("/held"));
    await h.handled;
    const drained = h.drainer.drain(60_000);
    await new Promise((r) => setTimeout(r, 50)); // the drain is under way, /held still unanswered
    const late = await open(h.port);
    const got = readPipelined(late);
    late.write(request("/late"));
    expect(await got).toEqual({ answers: [{ status: 200, connection: "close", body: "ok" }], ended: true, error: undefined });
    h.release();
    expect((await held).answers.map((a) => [a.body, a.connection])).toEqual([["held answer", "close"]]);
    expect(await drained).toEqual({ cut: 0, destroyed: 0 });
    await expect(open(h.port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("stops listening: a connection made after the drain started is refused", async () => {
    const h = await harness();
    const drained = h.drainer.drain(60_000);
    await drained;
    await expect(open(h.port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("at the timeout, destroys what is left and says how many requests were cut off", async () => {
    const h = await harness();
    const s = await open(h.port);
    const got = readPipelined(s);
    s.write(request("/held"));
    await h.handled;
    expect(await h.drainer.drain(300)).toEqual({ cut: 1, destroyed: 1 });
    const result = await got;
    expect(result.answers).toEqual([]);
    h.release();
  });
  it("stops listening only when two reads of the kernel's queue, apart, are both clean: one read can miss a handshake completing while it runs", async () => {
    // /proc/net/tcp lists the listener (its accept queue) before the connections: a handshake that
    // completes between the two is in neither count. The views here are scripted; the server is real.
    const server = http.createServer((_req, res) => res.end("ok"));
    const views: Array<Partial<KernelView>> = [{ queued: 0, handshakes: 0 }, { queued: 1, handshakes: 0 }, { queued: 0, handshakes: 0 }, { queued: 0, handshakes: 0 }];
    const whileListening: number[] = [];
    let reads = 0;
    const drainer = drainable(server, () => {
      const v = views[Math.min(reads, views.length - 1)]!;
      reads++;
      if (server.listening) whileListening.push(reads);
      return { queued: v.queued ?? 0, handshakes: v.handshakes ?? 0, unread: () => 0 };
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    expect(await drainer.drain(10_000)).toEqual({ cut: 0, destroyed: 0 });
    expect(server.listening).toBe(false);
    // Clean (torn), then 1 queued, then clean twice: the listener closes after the fourth read.
    expect(whileListening).toEqual([1, 2, 3, 4]);
  });
});
