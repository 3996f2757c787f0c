/**
 * Structured JSON logs (pino) with a request id on every line. What is logged is chosen, not
 * dumped: method, path (never the query string, which could carry a misplaced token), status,
 * duration, the organization and token id. Headers and bodies are never logged.
 */
import type { NextFunction, Request, Response } from "express";
import { randomUUID } from "node:crypto";
import pino from "pino";
import { OWN_FORMAT, writeRequestLine, type RequestLine } from "./request-line";
import { headerSlot } from "./security-headers";

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

/** What pino writes to stdout by default: an asynchronous SonicBoom (sync false), the parts of it used here. */
interface SonicBoomLike {
  sync?: boolean;
  write(s: string): boolean;
  flush(cb?: (err?: Error) => void): void;
  flushSync(): void;
}

const PER_TURN = Symbol("orgscim.linesOncePerTurn");

/**
 * Hands what is written to `stream` over once per turn of the event loop: the lines written in one
 * turn (the request lines of every response finished in it, and any other line) are given to the
 * stream in one write, in the order they were written, at the turn's end (setImmediate). pino's
 * default stdout stream is asynchronous already (SonicBoom, sync false: a line is written by libuv's
 * thread pool, lines written meanwhile wait in its buffer), so no line is written later than a turn
 * after it was before; what changes is the count of writes: one a turn instead of one a line (each
 * one a string encoded, a thread-pool request and its completion: ~5% of a member PATCH's CPU at 10
 * connections). flush and flushSync (pino's logger.flush, and its flushSync when the process exits)
 * hand the waiting lines over first, so none is lost where none was before; flushSync writes them
 * itself (they join SonicBoom's buffer, which flushSync writes, instead of starting a write of their
 * own). Only such a stream is changed; any other (a synchronous one, process.stdout once
 * replaced, a test's destination) is left as it is.
 */
export function linesOncePerTurn(stream: unknown): boolean {
  const s = stream as SonicBoomLike & { [PER_TURN]?: true };
  if (!s || s.sync !== false || typeof s.write !== "function" || typeof s.flush !== "function" || typeof s.flushSync !== "function") return false;
  if (s[PER_TURN]) return true;
  s[PER_TURN] = true;
  const write = s.write.bind(s);
  const flush = s.flush.bind(s);
  const flushSync = s.flushSync.bind(s);
  let pending = "";
  const handOver = (): void => {
    if (pending === "") return;
    const lines = pending;
    pending = "";
    write(lines);
  };
  s.write = (line: string): boolean => {
    if (pending === "") setImmediate(handOver);
    pending += line;
    return true;
  };
  s.flush = (cb?: (err?: Error) => void): void => {
    handOver();
    flush(cb);
  };
  s.flushSync = (): void => {
    // The waiting lines join the stream's buffer without starting an asynchronous write (which
    // flushSync would leave to the thread pool, to land after it returned, or never at exit), so
    // that flushSync writes them with the rest (while a write is in flight they are buffered anyway).
    const idle = (s as { _writing?: unknown })._writing === false;
    if (idle) (s as { _writing?: boolean })._writing = true;
    try {
      handOver();
    } finally {
      if (idle) (s as { _writing?: boolean })._writing = false;
    }
    flushSync();
  };
  return true;
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
  if (!destination) linesOncePerTurn((logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym]);
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
    headerSlot(res); // the response's headers kept in an ordinary object, not a hash table (./security-headers.ts)
    res.setHeader("X-Request-Id", id);
    (res as TimedResponse)[STARTED] = process.hrtime.bigint();
    (res as TimedResponse)[LOGGER] = logger;
    res.on("finish", logFinished);
    next();
  };
}
