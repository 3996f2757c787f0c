/**
 * Structured JSON logs (pino) with a request id on every line. What is logged is chosen, not
 * dumped: method, path (never the query string, which could carry a misplaced token), status,
 * duration, the organization and token id. Headers and bodies are never logged.
 */
import type { NextFunction, Request, Response } from "express";
import { randomUUID } from "node:crypto";
import pino from "pino";
import { OWN_FORMAT, writeRequestLine, type RequestLine } from "./request-line";

export type Logger = pino.Logger;

/**
 * pino.stdTimeFunctions.isoTime (`,"time":"<ISO 8601>"`, the same text), made once a millisecond:
 * a server logs several requests in the same millisecond, and a Date and its ISO text each time
 * cost a line more than the rest of its formatting.
 */
let lastMs = NaN;
let lastTime = "";
export function isoTimeOncePerMs(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

/** The server's logger, to stdout (or `destination`: tests). Its request lines are written by ./request-line.ts. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: "orgscim" },
    timestamp: isoTimeOncePerMs,
    // Nothing secret is ever put in a log line (tests read the logs to prove it); these exact paths
    // are the second line of defence. Wildcard paths ("*.token") cost ~7% of a lookup's throughput.
    redact: { paths: ["req.headers.authorization", "authorization", "password", "token", "secret"], censor: "[redacted]" },
  };
  const logger = destination ? pino(options, destination) : pino(options);
  (logger as unknown as Record<symbol, unknown>)[OWN_FORMAT] = true;
  return logger;
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

/** What the request's lazy `log` and the finish listener need, kept on the request and response. */
export const LOGGER = Symbol("orgscim.logger");
export const CHILD = Symbol("orgscim.childLogger");
export const STARTED = Symbol("orgscim.started");
type LoggedRequest = Request & { [LOGGER]?: Logger; [CHILD]?: Logger };
type TimedResponse = Response & { [STARTED]?: bigint; [LOGGER]?: Logger };

/**
 * `req.log`, defined once on the request prototype (not per request): the request's own pino child
 * is made only when something logs through it (a child costs more than the rest of this middleware).
 */
const installed = new WeakSet<object>();
function installLogGetter(proto: object): void {
  if (installed.has(proto)) return;
  installed.add(proto);
  Object.defineProperty(proto, "log", {
    configurable: true, enumerable: false,
    get(this: LoggedRequest): Logger | undefined {
      const parent = this[LOGGER];
      if (!parent) return undefined;
      return (this[CHILD] ??= parent.child(this.traceId === undefined ? { reqId: this.id } : { reqId: this.id, traceId: this.traceId }));
    },
    set(this: LoggedRequest, value: Logger) {
      this[CHILD] = value;
    },
  });
}

/** The one line a request leaves, written when its response is finished. */
function logFinished(this: TimedResponse): void {
  const logger = this[LOGGER];
  const started = this[STARTED];
  if (!logger || started === undefined) return;
  const req = this.req;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const url = req.originalUrl;
  const q = url.indexOf("?");
  const line: RequestLine = {
    reqId: req.id, method: req.method, path: q < 0 ? url : url.slice(0, q), status: this.statusCode, ms: Math.round(ms * 100) / 100,
    org: req.actor?.org.id, tokenSid: req.actor?.tokenId, traceId: req.traceId,
  };
  if (this.statusCode >= 500) logger.error(line, "request failed");
  else if (!writeRequestLine(logger, line)) logger.info(line, "request");
}

export function requestLogging(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.headers["x-request-id"];
    const id = typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.id = id;
    installLogGetter(Object.getPrototypeOf(req) as object);
    (req as LoggedRequest)[LOGGER] = logger;
    res.setHeader("X-Request-Id", id);
    (res as TimedResponse)[STARTED] = process.hrtime.bigint();
    (res as TimedResponse)[LOGGER] = logger;
    res.on("finish", logFinished);
    next();
  };
}
