/**
 * The one express error handler, made per protocol: whatever a route throws becomes a DomainError
 * (./translate-error.ts), a 5xx is logged whole with its code (and rendered without detail), the
 * headers every protocol sends go on (Retry-After when the error has one; a Bearer challenge on
 * every 401, RFC 6750 §3, unless a route set its own), and the protocol's renderer writes the
 * status and body: SCIM's (./scim-errors.ts, RFC 7644 §3.12) in the SCIM router, /v1's
 * (./v1-errors.ts) in the /v1 router and for everything outside both.
 */
import type { ErrorRequestHandler, Response } from "express";
import type { DomainError } from "../domain/errors";
import { statusOf } from "./scim-errors";
import { toDomainError } from "./translate-error";

/** Writes an error's status and body the way one protocol does. */
export type ErrorRenderer = (res: Response, status: number, e: DomainError) => void;

const BEARER_CHALLENGE = 'Bearer realm="orgscim"';

export function errorHandler(render: ErrorRenderer): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const e = toDomainError(err);
    const status = statusOf(e);
    if (status >= 500) req.log?.error({ err: e.cause ?? e, code: e.code }, "request failed");
    if (e.retryAfter !== undefined) res.setHeader("Retry-After", String(e.retryAfter));
    if (status === 401 && !res.getHeader("WWW-Authenticate")) res.setHeader("WWW-Authenticate", BEARER_CHALLENGE);
    render(res, status, e);
  };
}
