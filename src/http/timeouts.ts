/**
 * How long a client may take to send a request (issue 14 item 2): a slow sender must not hold a
 * connection, or anything taken on its behalf, for longer than the configuration says.
 *
 * What Node does (lib/_http_server.js, src/node_http_parser.cc, Node 20 and later): a connection's
 * clock starts when the server takes the connection (its first request) and starts again when the
 * parser reads the first byte of a later request (llhttp's on_message_begin); it stops at the end
 * of the request.
 * - HEADERS_TIMEOUT_MS: that clock, until the end of the headers.
 * - REQUEST_TIMEOUT_MS: that clock, until the end of the body (so also the body's read).
 * Past either, Node answers 408 Request Timeout and closes the connection. A connection that sends
 * nothing at all is also answered 408 past HEADERS_TIMEOUT_MS. An idle keep-alive connection
 * between two requests has no clock (keepAliveTimeout, above a balancer's idle timeout, bounds it).
 * Node checks every `connectionsCheckingInterval` (30 s by default, longer than a short timeout):
 * it is set to a quarter of the shorter timeout, at most 1 s apart, so a timeout is kept within that.
 *
 * A busy server is not a slow client: Node runs its check on a timer, and timers run at the start
 * of a turn of the event loop, before the loop reads its sockets again. After a turn that held the
 * loop past a timeout (a long piece of work, or a crowd of requests answered one after the other),
 * requests that had arrived whole but were not read yet were judged on a clock started at their
 * connection's accept, and answered 408. checkAfterReads moves the check to just after the loop's
 * next read of its sockets: what has arrived is read first (its clock starts again at its first
 * byte, its headers or body complete), so only a client whose bytes have not come is answered 408.
 *
 * Must be applied before the server listens (Node starts its checking timer on listen).
 */
import type { Server } from "node:http";
import type { Config } from "../config/config";

/** Idle keep-alive connections: longer than the usual load balancer idle timeout (60 s), so the balancer closes first. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export function applyTimeouts(server: Server, config: Pick<Config, "HEADERS_TIMEOUT_MS" | "REQUEST_TIMEOUT_MS">): void {
  const request = config.REQUEST_TIMEOUT_MS;
  const headers = Math.min(config.HEADERS_TIMEOUT_MS, request); // Node requires headersTimeout ≤ requestTimeout
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = headers;
  server.requestTimeout = request;
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(25, Math.min(1000, Math.floor(headers / 4)));
  // After Node's own 'listening' listener (added when the server was made), which starts the timer.
  server.on("listening", () => checkAfterReads(server));
}

/** Node's checking timer (the Timeout it keeps under this symbol's description, Node 20 and later). */
const CHECKING_TIMER = "http.server.connectionsCheckingInterval";

/**
 * Node's timeout check, run from its timer through setImmediate: the check phase comes right after
 * the poll phase of the same turn, where the loop reads every socket that has something to read.
 * Answers whether it could (a Node that keeps its timer otherwise checks as it always did:
 * test/http/timeouts-busy-loop.test.ts fails there).
 */
export function checkAfterReads(server: Server): boolean {
  const symbol = Object.getOwnPropertySymbols(server).find((s) => s.description === CHECKING_TIMER);
  const timer = symbol === undefined ? undefined : (server as unknown as Record<symbol, { _onTimeout?: unknown } | undefined>)[symbol];
  const check = timer?._onTimeout;
  if (timer === undefined || typeof check !== "function") return false;
  timer._onTimeout = () => {
    setImmediate(check as () => void);
  };
  return true;
}
