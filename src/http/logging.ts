/**
 * Structured JSON logs (pino) with a request id on every line. What is logged is chosen, not
 * dumped: method, path (never the query string, which could carry a misplaced token), status,
 * duration, the organization and token id. Headers and bodies are never logged.
 */
import type { NextFunction, Request, Response } from "express";
import { randomUUID } from "node:crypto";
import pino from "pino";

export type Logger = pino.Logger;

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: "orgscim" },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Nothing secret is ever put in a log line (tests read the logs to prove it); these exact paths
    // are the second line of defence. Wildcard paths ("*.token") cost ~7% of a lookup's throughput.
    redact: { paths: ["req.headers.authorization", "authorization", "password", "token", "secret"], censor: "[redacted]" },
  });
}

declare module "express-serve-static-core" {
  interface Request {
    id?: string;
    log?: Logger;
    /** The request's trace id when tracing is on (src/observability/tracing.ts). */
    traceId?: string;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function requestLogging(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.header("x-request-id");
    const id = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.id = id;
    // The request's own logger is made only when something logs through it (a pino child costs
    // more than the rest of this middleware); the one line per request carries reqId itself.
    let child: Logger | undefined;
    Object.defineProperty(req, "log", {
      configurable: true, enumerable: false,
      get: () => (child ??= logger.child(req.traceId === undefined ? { reqId: id } : { reqId: id, traceId: req.traceId })),
    });
    res.setHeader("X-Request-Id", id);
    const start = process.hrtime.bigint();
    res.on("finish", () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const line = {
        reqId: id, method: req.method, path: req.originalUrl.split("?")[0], status: res.statusCode, ms: Math.round(ms * 100) / 100,
        org: req.actor?.org.id, tokenSid: req.actor?.tokenId, traceId: req.traceId,
      };
      if (res.statusCode >= 500) logger.error(line, "request failed");
      else logger.info(line, "request");
    });
    next();
  };
}
