/**
 * Request bodies: JSON as application/scim+json or application/json, within the size limit.
 * Another content type on a request with a body answers 415-equivalent invalidSyntax.
 *
 * Nesting is bounded before the body is parsed: JSON.parse of a body nested 100,000 deep takes
 * many times as long as a flat body of the same size, only for the walk after it
 * (src/scim/quirks.ts assertSafeKeys) to refuse it. The raw bytes are scanned once instead
 * (linear, no allocation), and a body deeper than MAX_BODY_DEPTH is refused with the same
 * error (tooDeep) without being parsed.
 */
import express, { type NextFunction, type Request, type Response } from "express";
import { Errors } from "../domain/errors";
import { MAX_BODY_DEPTH } from "../scim/quirks";

const JSON_TYPES = ["application/json", "application/scim+json", "application/*+json"];

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x7b, 0x5b]); // { [
const CLOSE = new Set([0x7d, 0x5d]); // } ]

/**
 * Whether UTF-8 JSON text nests objects and arrays more than `max` deep (the outermost value is
 * level 1), brackets inside strings not counted. UTF-8 continuation bytes are never ASCII, so a
 * byte scan is exact; malformed JSON is left to the parser.
 */
export function nestsDeeperThan(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (OPEN.has(b)) {
      if (++depth > max) return true;
    } else if (CLOSE.has(b)) depth--;
  }
  return false;
}

export function jsonBody(limit: string) {
  const parse = express.json({
    type: JSON_TYPES, limit, strict: true,
    // Runs on the raw body before JSON.parse; what it throws reaches the error renderer as it is.
    verify: (_req, _res, buf, encoding) => {
      if (/^utf-?8$/i.test(encoding) && nestsDeeperThan(buf, MAX_BODY_DEPTH)) throw Errors.tooDeep(MAX_BODY_DEPTH);
    },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    const hasBody = req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;
    if (hasBody && !req.is(JSON_TYPES)) {
      return next(Errors.unsupportedMediaType(String(req.headers["content-type"] ?? "none")));
    }
    parse(req, res, next);
  };
}
