/**
 * Draining an HTTP(S) server on SIGTERM so that every request it has received is answered in full.
 *
 * Why not `server.close()` + `closeIdleConnections()` (what we did, and what reset most clients of
 * a busy server): two causes.
 * - Node takes one new connection per turn of its event loop, and a turn that serves requests is
 *   long, so under load most of a burst of connections waits in the kernel's accept queue; closing
 *   the listening socket makes the kernel reset every one of them (ECONNRESET), though the clients
 *   had connected and sent their requests.
 * - Node counts a connection as idle once its request is parsed and its response has *called*
 *   `end()`, even while most of a large response is still queued in the process waiting for the
 *   socket to drain; `closeIdleConnections()` (which `server.close()` calls too) destroyed it and
 *   cut the page off mid-body.
 * So the drain:
 *
 * 1. turns the event loop until a turn accepts no new connection (the kernel's queue is empty; at
 *    most 90% of the timeout, in case connections keep coming), so that every connection a client
 *    made before the signal is taken, then reads what is waiting on open connections;
 * 2. stops listening (the net-level close: no idle sweep);
 * 3. answers every request it has, each response flushed to the socket before anything closes it;
 *    a response whose headers are written from now on says `Connection: close` when it is the last
 *    request on its connection, and Node closes the connection after it;
 * 4. closes a keep-alive connection as soon as it has nothing left to answer, once its last
 *    response has been flushed (an orderly FIN, never a reset);
 * 5. closes a connection that has sent nothing at all after FRESH_GRACE_MS;
 * 6. after `timeoutMs`, destroys what is left and says how many requests were cut.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { Server as NetServer, type Socket } from "node:net";
import { Server as TlsServer } from "node:tls";

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
}

export interface DrainResult {
  /** Requests still unanswered when the timeout destroyed their connections. */
  cut: number;
  /** Connections destroyed by the timeout. */
  destroyed: number;
}

export interface Drainer {
  /**
   * Runs the drain once (later calls get the same promise). `onAcceptCap` is told when new
   * connections were still being taken at 90% of the timeout and the listener was closed anyway.
   */
  drain(timeoutMs: number, onAcceptCap?: (acceptedMeanwhile: number) => void): Promise<DrainResult>;
  /** True once drain() was called. */
  readonly draining: boolean;
}

/** How long a connection that has sent no byte at all may stay open once the drain started. */
const FRESH_GRACE_MS = 1000;

/** One full turn of the event loop, including its I/O poll (two check phases apart). */
const loopTurn = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

/** Starts tracking the server's connections and requests; call before it accepts any. */
export function drainable(server: Server): Drainer {
  const conns = new Map<Socket, Conn>();
  let draining = false;
  let running: Promise<DrainResult> | null = null;

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
      // Node stops reading a connection while its responses are backed up: requests may wait behind.
      if (c.socket.isPaused()) closeIfDone(c);
      else c.socket.destroySoon(); // FIN once everything written has been handed to the system
    });
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
  const live = new Map<ServerResponse, Conn>();

  let accepted = 0;
  server.on("connection", () => { accepted += 1; });
  const track = (socket: Socket) => {
    const c: Conn = { socket, pending: 0, requests: 0, checking: false, latest: null };
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
    live.set(res, conn);
    if (draining) closeAfter(res, conn);
    let done = false;
    const finished = () => {
      if (done) return;
      done = true;
      conn.pending -= 1;
      live.delete(res);
      if (draining) closeIfDone(conn);
    };
    // 'finish': the whole response has been handed to the operating system. 'close': the
    // connection ended first (the client went away).
    res.once("finish", finished);
    res.once("close", finished);
  });

  const run = async (timeoutMs: number, onAcceptCap?: (acceptedMeanwhile: number) => void): Promise<DrainResult> => {
    draining = true;
    const acceptedAtStart = accepted;
    let forced: DrainResult | null = null;
    let timedOut = () => undefined as void;
    const timeout = new Promise<void>((resolve) => { timedOut = resolve; });
    const timer = setTimeout(() => {
      forced = { cut: live.size, destroyed: conns.size };
      for (const c of conns.values()) c.socket.destroy();
      server.closeAllConnections();
      timedOut();
    }, timeoutMs);
    try {
      for (const [res, c] of live) closeAfter(res, c);
      // The connections the kernel holds for us are taken before the listener closes (closing it
      // would reset them). Node takes one per turn of the event loop, so turn until a turn takes none.
      // Each turn also serves what it reads, so on a busy server this takes as long as serving the
      // queue does; it stops at 90% of the timeout in case connections keep coming.
      const acceptUntil = Date.now() + timeoutMs * 0.9;
      for (let before = -1; before !== accepted;) {
        if (Date.now() >= acceptUntil) {
          onAcceptCap?.(accepted - acceptedAtStart);
          break;
        }
        before = accepted;
        await loopTurn();
      }
      const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
      // Requests already written on open connections are read (and so counted) before idle ones close.
      await loopTurn();
      for (const c of conns.values()) closeIfDone(c);
      const fresh = setTimeout(() => {
        for (const c of conns.values()) if (c.requests === 0 && c.socket.bytesRead === 0) c.socket.destroy();
      }, FRESH_GRACE_MS);
      fresh.unref();
      await Promise.race([closed, timeout]);
      clearTimeout(fresh);
    } finally {
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
