/**
 * Draining an HTTP(S) server on SIGTERM so that every request a client has sent is answered in
 * full and no connection is reset.
 *
 * The kernel resets (RST) in two cases a drain can cause:
 * - **Closing the listening socket** resets every connection in its accept queue and every
 *   handshake in progress (a client that got the SYN-ACK counts itself connected and may already
 *   have sent its request; the server side completes when the client's ACK is processed, which on
 *   a loaded machine can be much later, softirq work being starved like any thread).
 * - **Closing a connection with received bytes the process has not read** sends RST instead of FIN
 *   and drops what is still queued to be sent, so the end of a response can be cut off.
 *
 * Why not `server.close()` + `closeIdleConnections()`: closing the listener at once resets the
 * accept queue; and Node counts a connection as idle once its response has *called* `end()`, even
 * while most of a large response still waits in the process, so the idle sweep cut pages off.
 *
 * So the drain:
 * 1. keeps listening while there is work: it answers every request it has, takes every connection
 *    that arrives and answers what comes on it; a response whose headers are written from now on
 *    says `Connection: close` when it is the last request on its connection (Node closes the
 *    connection after it);
 * 2. stops listening once no request is in flight, a turn of the event loop took no new connection,
 *    and (on Linux, ./kernel-queue.ts) the kernel holds no queued connection and no handshake for
 *    the port, on two reads RECHECK_MS apart (one read can miss a handshake completing while it
 *    runs): there is then nothing a close could reset. At 90% of the timeout it stops listening
 *    anyway (connections keep coming: the balancer still sends) and says how many it took meanwhile;
 * 3. closes a keep-alive connection once everything it sent is answered and flushed and a turn of
 *    the event loop read nothing more from it: FIN after the last byte (`end()`); the socket is
 *    released when the peer closes too, or at once when the kernel says nothing unread waits on it;
 *    a connection with unread bytes is read first (what it sent is answered);
 * 4. closes a connection that has sent nothing at all FRESH_GRACE_MS after it was taken (or after
 *    the signal), once the kernel shows nothing received on it: FIN, not RST;
 * 5. after `timeoutMs`, destroys what is left and says how many requests were cut.
 * Without /proc/net/tcp (not Linux), steps 2-4 rely on the event loop alone: a turn that takes and
 * reads nothing.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { Server as NetServer, type Socket } from "node:net";
import { Server as TlsServer } from "node:tls";
import { kernelView, type KernelView } from "./kernel-queue";

interface Conn {
  socket: Socket;
  /** Requests received on this connection whose responses are not flushed yet. */
  pending: number;
  /** Requests received on this connection since it opened. */
  requests: number;
  /** closeIfDone is waiting a turn to see whether more arrives. */
  checking: boolean;
  /** The response to the latest request received on this connection. */
  latest: ServerResponse | null;
  /** When it was taken (Date.now()). */
  since: number;
}

export interface DrainResult {
  /** Requests still unanswered when the timeout destroyed their connections. */
  cut: number;
  /** Connections destroyed by the timeout. */
  destroyed: number;
}

export interface Drainer {
  /**
   * Runs the drain once (later calls get the same promise). `onAcceptCap` is told when the listener
   * was closed at 90% of the timeout with work still coming: how many connections were taken
   * since the signal, and how many the kernel still held for the port (reset by the close; null
   * when it cannot be read).
   */
  drain(timeoutMs: number, onAcceptCap?: (acceptedMeanwhile: number, stillQueued: number | null) => void): Promise<DrainResult>;
  /** True once drain() was called. */
  readonly draining: boolean;
}

/** How long a connection that has sent no byte at all may stay open once the drain started. */
const FRESH_GRACE_MS = 1000;
/** How often the drain looks again at a handshake in progress, or at connections that sent nothing. */
const RECHECK_MS = 20;

/** One full turn of the event loop, including its I/O poll (two check phases apart). */
const loopTurn = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Starts tracking the server's connections and requests; call before it accepts any. `readKernel`
 * reads the kernel's view of the port (./kernel-queue.ts; a test may pass its own).
 */
export function drainable(server: Server, readKernel: (port: number) => KernelView | null = kernelView): Drainer {
  const conns = new Map<Socket, Conn>();
  /**
   * Requests in flight: a count, with each connection's latest response on its Conn, and no
   * collection of responses. A Map set and deleted once per request kept whole requests in V8's old
   * generation: every rehash of its table leaves the old table pointing at the new one and at the
   * responses it held, and once one such table is old (it always is again after a mark-compact, the
   * live table having been promoted), the scavenger keeps every later table and their responses
   * through it, each with its request, headers and body, until the next mark-compact (a member
   * PATCH promoted ~1.25 MB a scavenge, 5.1 KB a request: bench/gc-promoted.mjs, bench/README.md).
   */
  let inFlight = 0;
  let draining = false;
  let running: Promise<DrainResult> | null = null;
  let port: number | null = null;

  // The kernel's view, read at most once per turn of the event loop (null: not on Linux).
  let view: KernelView | null | undefined;
  const kernel = (): KernelView | null => {
    if (port === null) return null;
    if (view === undefined) {
      view = readKernel(port);
      setImmediate(() => { view = undefined; });
    }
    return view;
  };
  const unread = (c: Conn) => kernel()?.unread(c.socket.remotePort ?? 0) ?? 0;

  /** Wakes the drain when the last request in flight is answered. */
  let onIdle: (() => void) | null = null;

  /**
   * Closes a connection that has answered everything it received, once a turn of the event loop
   * has read nothing more from it (a request the client wrote just before is answered instead).
   * A connection that has not finished sending a request yet is left to finish it.
   */
  const closeIfDone = (c: Conn) => {
    if (c.pending !== 0 || c.requests === 0 || c.checking || c.socket.destroyed) return;
    c.checking = true;
    const read = c.socket.bytesRead;
    void loopTurn().then(() => {
      c.checking = false;
      if (c.pending !== 0 || c.socket.destroyed || c.socket.bytesRead !== read) return;
      // Node stops reading a connection while its responses are backed up, and bytes the kernel
      // holds for it will be read: requests may wait behind. Look again after they are.
      if (c.socket.isPaused() || unread(c) > 0) closeIfDone(c);
      else close(c);
    });
  };

  /**
   * FIN after the last byte written; the socket is released when the peer closes its side too, or
   * at once when nothing unread waits on it (closing with unread bytes would send RST).
   */
  const close = (c: Conn) => {
    if (c.socket.writableEnded) return;
    c.socket.end(() => {
      if (!c.socket.destroyed && unread(c) === 0 && kernel() !== null) c.socket.destroy();
    });
    // Without the kernel's view: release it once its last byte was handed over, as Node does after `Connection: close`.
    if (kernel() === null) c.socket.once("finish", () => c.socket.destroy());
  };

  /**
   * A response whose headers are not written yet says `Connection: close` (and Node closes the
   * connection after it) when it answers the latest request received on its connection and the
   * connection is not held back (Node stops reading while responses are backed up: requests may
   * wait unread behind it; that connection is closed by closeIfDone once they are answered).
   */
  const closeAfter = (res: ServerResponse, c: Conn) => {
    if (res.headersSent) return;
    const writeHead = res.writeHead;
    res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      if (c.latest === this && !c.socket.isPaused()) this.shouldKeepAlive = false;
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as typeof res.writeHead;
  };

  let accepted = 0;
  server.on("connection", () => { accepted += 1; });
  const track = (socket: Socket) => {
    const c: Conn = { socket, pending: 0, requests: 0, checking: false, latest: null, since: Date.now() };
    conns.set(socket, c);
    socket.once("close", () => conns.delete(socket));
  };
  // An HTTPS server hands HTTP the TLS socket ('secureConnection'); a plain one the TCP socket.
  server.on(server instanceof TlsServer ? "secureConnection" : "connection", track);

  // Before the app's listener, so that a response the app writes at once is already covered.
  server.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
    let c = conns.get(req.socket);
    if (!c) { track(req.socket); c = conns.get(req.socket)!; }
    const conn = c;
    conn.pending += 1;
    conn.requests += 1;
    conn.latest = res;
    inFlight += 1;
    if (draining) closeAfter(res, conn);
    // Sent after the drain's FIN on this connection (the client had not seen it): it cannot be
    // answered on it. Releasing the socket ends it for the client, which may retry elsewhere.
    if (conn.socket.writableEnded) conn.socket.destroy();
    let done = false;
    const finished = () => {
      if (done) return;
      done = true;
      conn.pending -= 1;
      inFlight -= 1;
      if (!draining) return;
      closeIfDone(conn);
      if (inFlight === 0) onIdle?.();
    };
    // 'finish': the whole response has been handed to the operating system. 'close': the
    // connection ended first (the client went away).
    res.once("finish", finished);
    res.once("close", finished);
  });

  /** Resolves when no request is in flight, or at `until` (Date.now() time). */
  const idle = (until: number) => new Promise<void>((resolve) => {
    const t = setTimeout(done, Math.max(0, until - Date.now()));
    function done() {
      clearTimeout(t);
      onIdle = null;
      resolve();
    }
    onIdle = done;
  });

  /** Closes the connections that have sent nothing since the grace began, when nothing waits unread on them. */
  const closeFresh = (drainStart: number) => {
    const now = Date.now();
    for (const c of conns.values()) {
      if (c.requests !== 0 || c.socket.bytesRead !== 0 || c.socket.writableEnded) continue;
      if (now - Math.max(c.since, drainStart) < FRESH_GRACE_MS || unread(c) > 0) continue;
      close(c);
    }
  };

  const run = async (timeoutMs: number, onAcceptCap?: (acceptedMeanwhile: number, stillQueued: number | null) => void): Promise<DrainResult> => {
    draining = true;
    const address = server.address();
    port = address !== null && typeof address === "object" ? address.port : null;
    const drainStart = Date.now();
    const acceptedAtStart = accepted;
    let forced: DrainResult | null = null;
    let timedOut = () => undefined as void;
    const timeout = new Promise<void>((resolve) => { timedOut = resolve; });
    const timer = setTimeout(() => {
      forced = { cut: inFlight, destroyed: conns.size };
      for (const c of conns.values()) c.socket.destroy();
      server.closeAllConnections();
      timedOut();
    }, timeoutMs);
    let fresh: NodeJS.Timeout | undefined;
    try {
      // Only a connection's latest response can say `Connection: close` (closeAfter), and it is in
      // flight whenever anything on its connection is (HTTP/1.1 answers in order).
      for (const c of conns.values()) if (c.pending > 0 && c.latest) closeAfter(c.latest, c);
      for (const c of conns.values()) closeIfDone(c);
      // 1-2. Listen while there is work; stop when nothing is in flight, nothing new came in a turn
      // and the kernel holds nothing for the port (it would reset what it holds when we close).
      const acceptUntil = drainStart + timeoutMs * 0.9;
      // A clean view counts once it is seen twice, RECHECK_MS apart: /proc/net/tcp lists the
      // listener (and its accept queue) before the connections, so a handshake that completes while
      // it is read is in neither count (a fresh-clone CI reset 1 of 20 such requests).
      let cleanOnce = false;
      for (;;) {
        if (Date.now() >= acceptUntil) {
          const k = kernel();
          onAcceptCap?.(accepted - acceptedAtStart, k && k.queued + k.handshakes);
          break;
        }
        if (inFlight > 0) {
          await idle(acceptUntil);
          continue;
        }
        const before = accepted;
        await loopTurn();
        if (accepted !== before || inFlight > 0) {
          cleanOnce = false;
          continue;
        }
        const k = kernel();
        if (k && (k.queued > 0 || k.handshakes > 0)) {
          cleanOnce = false;
          await sleep(RECHECK_MS);
          continue;
        }
        if (k && !cleanOnce) {
          cleanOnce = true;
          await sleep(RECHECK_MS);
          continue;
        }
        break;
      }
      const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
      // Requests already written on open connections are read (and so counted) before idle ones close.
      await loopTurn();
      for (const c of conns.values()) closeIfDone(c);
      // 4. Connections that sent nothing.
      fresh = setInterval(() => closeFresh(drainStart), RECHECK_MS);
      fresh.unref();
      await Promise.race([closed, timeout]);
    } finally {
      clearInterval(fresh);
      clearTimeout(timer);
    }
    return forced ?? { cut: 0, destroyed: 0 };
  };

  return {
    get draining() { return draining; },
    drain(timeoutMs, onAcceptCap) {
      running ??= run(timeoutMs, onAcceptCap);
      return running;
    },
  };
}
