/**
 * Security headers for an API that serves JSON only, on every response past the request log.
 *
 * They are the same six on every response, so they are written as one pre-checked set: Node keeps
 * a response's headers in an object under its own symbol (kOutHeaders: lower-cased name → [name,
 * value]), which res.setHeader fills one header at a time after checking the name and value and
 * lower-casing the name (six calls, ~1% of a lookup's CPU). Where this Node keeps them otherwise
 * (no such slot), they are set one by one as before; test/http/security-headers.test.ts holds both
 * to the same headers.
 */
import type { NextFunction, Request, Response } from "express";
import { OutgoingMessage } from "node:http";

export const SECURITY_HEADERS: readonly (readonly [name: string, value: string])[] = [
  ["X-Content-Type-Options", "nosniff"],
  ["X-Frame-Options", "DENY"],
  ["Referrer-Policy", "no-referrer"],
  ["Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"],
  ["Cache-Control", "no-store"],
  ["Strict-Transport-Security", "max-age=31536000; includeSubDomains"],
];
const LOWER = SECURITY_HEADERS.map(([name]) => name.toLowerCase());

/** Node's slot for a response's headers, or undefined when this Node has none by that name. */
export const OUT_HEADERS: symbol | undefined = Object.getOwnPropertySymbols(new OutgoingMessage()).find((s) => s.description === "kOutHeaders");

type Slots = Record<symbol, Record<string, [string, string | number | readonly string[]]> | null | undefined>;

/**
 * The prototype of the header slots made here: an empty object without a prototype, so that a slot
 * inherits nothing (as Node's own `{ __proto__: null }`), while the slot itself, made with a
 * prototype, is an ordinary object: its properties, added in the same order on every response,
 * share V8's hidden classes instead of filling a hash table of its own (Node's null-prototype
 * object is one), ~1 KB of garbage a response less.
 */
const SLOT_PROTO: object = Object.create(null) as object;

/**
 * Gives `res` an empty header slot of the kind above when it has none yet (no header set):
 * ./logging.ts calls it before its first header, so that every later one goes into it.
 */
export function headerSlot(res: Response): void {
  if (OUT_HEADERS === undefined) return;
  const slots = res as unknown as Slots;
  if (slots[OUT_HEADERS] === null) slots[OUT_HEADERS] = Object.create(SLOT_PROTO) as Record<string, [string, string]>;
}

/** The headers set one by one, through Node's checks. */
export function setSecurityHeaders(res: Response): void {
  for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
}

export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  if (OUT_HEADERS === undefined) {
    setSecurityHeaders(res);
    return next();
  }
  const slots = res as unknown as Slots;
  let headers = slots[OUT_HEADERS];
  if (headers === undefined) {
    setSecurityHeaders(res); // not Node's usual response: its slot is null until a header is set
    return next();
  }
  if (headers === null) slots[OUT_HEADERS] = headers = Object.create(SLOT_PROTO) as Record<string, [string, string]>;
  // A fresh entry each: Node appends to an entry's value in place (appendHeader).
  for (let i = 0; i < LOWER.length; i++) headers[LOWER[i]!] = [SECURITY_HEADERS[i]![0], SECURITY_HEADERS[i]![1]];
  next();
}
