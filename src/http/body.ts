/**
 * Request bodies: JSON as application/scim+json or application/json, within the size limit.
 * Another content type on a request with a body answers 415-equivalent invalidSyntax.
 *
 * Nesting and the members of each object are bounded before the body is parsed: JSON.parse of a
 * body nested 100,000 deep, or of an object with 100,000 keys (V8 keeps such an object as a slow
 * dictionary, and every walk after it pays again), takes many times as long as a flat body of the
 * same size, only for the checks after it to refuse it. The raw bytes are scanned once instead
 * (linear, no allocation): a body deeper than MAX_BODY_DEPTH is refused with the error the walk
 * after parsing gives (tooDeep, src/scim/quirks.ts assertSafeKeys), an object with more than
 * MAX_OBJECT_MEMBERS members with invalidBody. Arrays are not bounded here (a group's members,
 * a /Bulk's operations): their limits are the SCIM engine's and /Bulk's.
 */
import express, { type NextFunction, type Request, type Response } from "express";
import { Errors } from "../domain/errors";
import { MAX_BODY_DEPTH } from "../scim/quirks";
import { leanReadable, limitBytes, readLean, type Verify } from "./body-read";

const JSON_TYPES = ["application/json", "application/scim+json", "application/*+json"];

/** The most members one JSON object of a body may have; no SCIM or /v1 resource has a hundredth of it. */
export const MAX_OBJECT_MEMBERS = 1000;

const QUOTE = 0x22;
const COMMA = 0x2c;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x7b, 0x5b]); // { [
const CLOSE = new Set([0x7d, 0x5d]); // } ]

/**
 * What is wrong with the shape of UTF-8 JSON text, read as bytes: "deep" when objects and arrays
 * nest more than `maxDepth` levels (the outermost value is level 1), "wide" when an object has more
 * than `maxMembers` members; null otherwise. Brackets and commas inside strings do not count; UTF-8
 * continuation bytes are never ASCII, so a byte scan is exact. Malformed JSON is left to the parser.
 */
export function shapeProblem(bytes: Uint8Array, maxDepth: number, maxMembers: number): "deep" | "wide" | null {
  const isObject = new Uint8Array(maxDepth + 2);
  const commas = new Int32Array(maxDepth + 2);
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === COMMA) {
      if (isObject[depth] === 1 && ++commas[depth]! >= maxMembers) return "wide"; // n commas: n + 1 members
    } else if (OPEN.has(b)) {
      if (++depth > maxDepth) return "deep";
      isObject[depth] = b === 0x7b ? 1 : 0;
      commas[depth] = 0;
    } else if (CLOSE.has(b)) depth = Math.max(0, depth - 1);
  }
  return null;
}

/** Whether UTF-8 JSON text nests objects and arrays more than `max` deep (see shapeProblem). */
export const nestsDeeperThan = (bytes: Uint8Array, max: number): boolean => shapeProblem(bytes, max, Number.MAX_SAFE_INTEGER) === "deep";

/**
 * shapeProblem of a parsed JSON value: "deep" past `maxDepth` levels of objects and arrays, "wide"
 * for an object of more than `maxMembers` members (after JSON.parse, a repeated key counts once).
 * Iterative: a value nested 100,000 deep is refused at level maxDepth + 1 without recursion.
 */
export function valueShapeProblem(value: unknown, maxDepth: number, maxMembers: number): "deep" | "wide" | null {
  const stack: { v: object; depth: number }[] = value !== null && typeof value === "object" ? [{ v: value, depth: 1 }] : [];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (depth > maxDepth) return "deep";
    const items: unknown[] = Array.isArray(v) ? v : Object.values(v);
    if (!Array.isArray(v) && items.length > maxMembers) return "wide";
    for (const x of items) if (x !== null && typeof x === "object") stack.push({ v: x, depth: depth + 1 });
  }
  return null;
}

const shapeError = (problem: "deep" | "wide") => problem === "deep"
  ? Errors.tooDeep(MAX_BODY_DEPTH)
  : Errors.invalidBody(`An object in the body has more than ${MAX_OBJECT_MEMBERS.toLocaleString("en")} members; no resource has that many attributes. Send only the attributes the resource defines (/scim/v2/Schemas, /v1/openapi.json).`);

/** Set by the parser's verify on a request whose body was not in UTF-8, so the byte scan did not read it. */
const UNSCANNED = Symbol("body not scanned");

/**
 * The shape checks of every JSON body, on its raw bytes before they are parsed (body-parser's
 * `verify`; what it throws reaches the error renderer as it is). Another charset (UTF-16, UTF-32,
 * UTF-7: body-parser decodes every utf-*) is not UTF-8 bytes: the request is marked and its value
 * walked once parsed. The lean reader (./body-read.ts) reads UTF-8 only.
 */
const verifyShape: Verify = (req, _res, buf, encoding) => {
  if (!/^utf-?8$/i.test(encoding)) return void ((req as Request & { [UNSCANNED]?: boolean })[UNSCANNED] = true);
  const problem = shapeProblem(buf, MAX_BODY_DEPTH, MAX_OBJECT_MEMBERS);
  if (problem) throw shapeError(problem);
};

export function jsonBody(limit: string) {
  const parse = express.json({ type: JSON_TYPES, limit, strict: true, verify: verifyShape });
  const lean = limitBytes(limit);
  /** After parsing a body the byte scan could not read: the same bounds on its value (docs/security.md case 71). */
  const checkUnscanned = (req: Request, next: NextFunction) => (err?: unknown): void => {
    if (err || !(req as Request & { [UNSCANNED]?: boolean })[UNSCANNED]) return next(err);
    const problem = valueShapeProblem(req.body, MAX_BODY_DEPTH, MAX_OBJECT_MEMBERS);
    next(problem ? shapeError(problem) : undefined);
  };
  return (req: Request, res: Response, next: NextFunction) => {
    // A plain JSON body (what identity providers send) is read as body-parser would, without it (./body-read.ts).
    if (leanReadable(req, lean)) return readLean(req, res, next, verifyShape);
    // No body at all (a GET): nothing to read, as body-parser would find (type-is hasBody) after its own checks.
    if (req.headers["transfer-encoding"] === undefined && req.headers["content-length"] === undefined) return next();
    const hasBody = req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;
    if (hasBody && !req.is(JSON_TYPES)) {
      return next(Errors.unsupportedMediaType(String(req.headers["content-type"] ?? "none")));
    }
    // Only a Content-Type naming a charset can make body-parser decode anything but UTF-8.
    const type = req.headers["content-type"];
    parse(req, res, type !== undefined && /charset/i.test(type) ? checkUnscanned(req, next) : next);
  };
}
