/**
 * How long a client may take to send a request (issue 14 item 2): a slow sender must not hold a
 * connection, or anything taken on its behalf, for longer than the configuration says.
 *
 * - HEADERS_TIMEOUT_MS: from a request's first byte to the end of its headers.
 * - REQUEST_TIMEOUT_MS: from its first byte to the end of its body (so also the body's read).
 * Past either, Node answers 408 Request Timeout and closes the connection. Node checks both every
 * `connectionsCheckingInterval` (30 s by default, longer than a short timeout): it is set to a
 * quarter of the shorter timeout, at most 1 s apart, so a timeout is kept within that much.
 * keepAliveTimeout (an idle connection between requests) stays above a balancer's idle timeout.
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
}
