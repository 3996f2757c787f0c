/**
 * The JSON body of a plain request read without body-parser: what an identity provider sends (a
 * Content-Length within the limit, no Content-Encoding, no Transfer-Encoding, a Content-Type of
 * exactly application/scim+json or application/json, with or without `charset=utf-8`). body-parser
 * (./body.ts) reads every request the same way, but through two media-type matches, a Content-Type
 * parse for the charset, iconv's decoder, raw-body's stream plumbing and debug calls: ~6% of a
 * member PATCH's CPU (profile of request-cpu's `PATCH /Groups member -/+`, docs in the commit).
 * Every other request, and every request this path is unsure of, goes to body-parser as before.
 *
 * What it does is body-parser's (2.x, `json({ strict: true, verify })`) for such a request, step for
 * step: the bytes gathered as raw-body gathers them (its errors for an aborted or failed stream),
 * the callback run in the request's async context (raw-body binds it to an AsyncResource), the
 * verify hook on the bytes (what it throws becomes what body-parser's createError(403, ...) makes
 * of it), the text decoded as UTF-8 without a leading BOM (iconv-lite's decode), then strict JSON:
 * an empty text is {}, a text not starting with `{` or `[` fails with body-parser's own message,
 * JSON.parse's failure with JSON.parse's message. test/http/body-read.test.ts sends the same bytes
 * down both paths and holds them to the same answers.
 */
import { AsyncResource } from "node:async_hooks";
import type { NextFunction, Request, Response } from "express";

/** The Content-Types read here (compared lower-cased); any other spelling goes to body-parser. */
const LEAN_TYPES = new Set([
  "application/scim+json",
  "application/json",
  "application/scim+json; charset=utf-8",
  "application/json; charset=utf-8",
  "application/scim+json;charset=utf-8",
  "application/json;charset=utf-8",
]);

/** A Content-Length as Node's parser and raw-body both read it: digits, no sign, no leading zero. */
const LENGTH = /^[1-9][0-9]{0,15}$/;

/**
 * `limit` in bytes as body-parser's `bytes.parse` reads it, for the forms used here: config.ts's
 * BODY_LIMIT ("1mb", "512kb") and /Bulk's byte count ("10485760"); null for any other (never read here).
 */
export function limitBytes(limit: string): number | null {
  const m = /^(\d{1,12})(kb|mb)?$/i.exec(limit);
  if (!m) return null;
  const unit = m[2]?.toLowerCase();
  return Number(m[1]) * (unit === "kb" ? 1024 : unit === "mb" ? 1024 * 1024 : 1);
}

/** What body-parser's verify hook is given: the raw bytes and the charset. */
export type Verify = (req: Request, res: Response, buf: Buffer, encoding: string) => void;

/** http-errors' createError(status, err, props) for an Error it did not make: the same properties set on it. */
function httpError<E extends object>(status: number, err: E, props: Record<string, unknown> = {}): E {
  const e = err as E & { status?: unknown; statusCode?: unknown };
  const s = typeof e.status === "number" && e.status ? e.status : typeof e.statusCode === "number" && e.statusCode ? e.statusCode : status;
  Object.assign(e, { expose: s < 500, status: s, statusCode: s });
  for (const key of Object.keys(props)) if (key !== "status" && key !== "statusCode") (e as Record<string, unknown>)[key] = props[key];
  return e;
}

/**
 * Whether `req` is read here: Content-Type, Content-Length and the absent encodings as above, and the
 * stream as body-parser finds one it reads (not finished, readable, no string decoder set).
 */
export function leanReadable(req: Request, limit: number | null): boolean {
  const h = req.headers;
  if (limit === null || h["transfer-encoding"] !== undefined || h["content-encoding"] !== undefined) return false;
  const type = h["content-type"];
  const length = h["content-length"];
  if (type === undefined || length === undefined || !LENGTH.test(length) || Number(length) > limit) return false;
  if (!LEAN_TYPES.has(type) && !LEAN_TYPES.has(type.toLowerCase())) return false;
  // on-finished's isFinished (body-parser then reads nothing), raw-body's readable and decoder checks.
  return !finished(req) && req.readable && req.readableEncoding === null;
}

/** on-finished's isFinished for a request. */
function finished(req: Request): boolean {
  const socket = req.socket as { readable?: boolean } | null;
  return Boolean((req as { upgrade?: boolean }).upgrade || !socket || !socket.readable || (req.complete && !req.readable));
}

const FIRST_NON_WHITESPACE = /^[\x20\x09\x0a\x0d]*([^\x20\x09\x0a\x0d]|$)/;

/** body-parser's strict-mode error for a text whose first character `first` opens no object or array (its createStrictSyntaxError). */
function strictSyntaxError(text: string, first: string | undefined): Error {
  const index = text.indexOf(first as string);
  const partial = index !== -1 ? text.substring(0, index) + "#".repeat(text.length - index) : "";
  try {
    JSON.parse(partial);
    return new SyntaxError("strict violation");
  } catch (e) {
    const err = e as Error;
    const message = err.message.replace(/#+/g, (placeholder) => text.substring(index, index + placeholder.length));
    return normalized(err, message, err.stack ?? "");
  }
}

/** body-parser's normalizeJsonSyntaxError: only stack and message kept. */
function normalized(err: Error, message: string, stack: string): Error {
  for (const key of Object.getOwnPropertyNames(err)) if (key !== "stack" && key !== "message") delete (err as unknown as Record<string, unknown>)[key];
  err.stack = stack.replace(err.message, message);
  err.message = message;
  return err;
}

/** body-parser's strict parse of the decoded text. */
function parseStrict(text: string): unknown {
  if (text.length === 0) return {};
  const c = text[0];
  if (c !== "{" && c !== "[") {
    const first = FIRST_NON_WHITESPACE.exec(text)?.[1] || undefined;
    if (first !== "{" && first !== "[") throw strictSyntaxError(text, first);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const err = e as Error;
    throw normalized(err, err.message, err.stack ?? "");
  }
}

/** Reads a request leanReadable accepted into req.body, then calls `next` (with body-parser's error on failure). */
export function readLean(req: Request, res: Response, next: NextFunction, verify: Verify): void {
  const length = Number(req.headers["content-length"]);
  req.body = undefined;
  const chunks: Buffer[] = [];
  let received = 0;
  let complete = false;
  const finish = new AsyncResource("bound-anonymous-fn");
  const cleanup = (): void => {
    req.removeListener("aborted", onAborted);
    req.removeListener("data", onData);
    req.removeListener("end", onEnd);
    req.removeListener("error", onEnd);
    req.removeListener("close", cleanup);
  };
  // raw-body's halt, then body-parser's dump: the request read off, next(error) once it has finished (on-finished).
  const fail = (err: Error): void => {
    complete = true;
    cleanup();
    req.unpipe();
    req.pause();
    const e = httpError(400, err);
    finish.runInAsyncScope(() => {
      if (finished(req)) return next(e);
      const socket = req.socket;
      let called = false;
      const done = (): void => {
        if (called) return;
        called = true;
        req.removeListener("end", done);
        socket.removeListener("error", done);
        socket.removeListener("close", done);
        finish.runInAsyncScope(() => next(e));
      };
      req.on("end", done);
      socket.on("error", done);
      socket.on("close", done);
      req.resume();
    });
  };
  function onAborted(): void {
    if (complete) return;
    fail(httpError(400, new Error("request aborted"), { code: "ECONNABORTED", expected: length, length, received, type: "request.aborted" }));
  }
  function onData(chunk: Buffer): void {
    if (complete) return;
    received += chunk.length;
    chunks.push(chunk);
  }
  function onEnd(err?: unknown): void {
    if (complete) return;
    if (err) return fail(err as Error);
    if (received !== length) {
      return fail(httpError(400, new Error("request size did not match content length"), { expected: length, length, received, type: "request.size.invalid" }));
    }
    complete = true;
    cleanup();
    const buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received);
    finish.runInAsyncScope(() => {
      try {
        verify(req, res, buf, "utf-8");
      } catch (e) {
        return next(httpError(403, e as Error, { body: buf, type: (e as { type?: unknown }).type || "entity.verify.failed" }));
      }
      let text = buf.toString("utf8");
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // iconv-lite strips the BOM
      try {
        req.body = parseStrict(text);
      } catch (e) {
        return next(httpError(400, e as Error, { body: text, type: (e as { type?: unknown }).type || "entity.parse.failed" }));
      }
      next();
    });
  }
  req.on("aborted", onAborted);
  req.on("close", cleanup);
  req.on("data", onData);
  req.on("end", onEnd);
  req.on("error", onEnd);
}
