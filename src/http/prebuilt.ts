/**
 * A response built once and served from memory with validators (issue 14 item 2): a strong ETag
 * (a hash of the bytes) and Last-Modified (when it was built), so that a client that has it gets
 * 304 Not Modified (RFC 9110 §13.2.2: If-None-Match, compared weakly, §13.1.2; If-Modified-Since only
 * without it, §13.1.3) and nobody's request rebuilds or rereads it.
 *
 * Not express's req.fresh: it answers "not fresh" to any request carrying Cache-Control: no-cache,
 * which is a directive to caches, and fetch() adds it to every conditional request (Fetch
 * standard, HTTP-network-or-cache fetch), so a browser's revalidation would never get its 304.
 */
import { createHash } from "node:crypto";
import type { Request, Response } from "express";

export interface Prebuilt {
  body: Buffer;
  /** Content-Type. */
  type: string;
  etag: string;
  lastModified: string;
}

export function prebuilt(body: Buffer | string, type: string, builtAt: Date = new Date()): Prebuilt {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  const etag = `"${createHash("sha256").update(bytes).digest("base64url").slice(0, 27)}"`;
  return { body: bytes, type, etag, lastModified: builtAt.toUTCString() };
}

/** Sends `p` (200, or 304 when the request's validators match), with `cacheControl`. */
export function sendPrebuilt(req: Request, res: Response, p: Prebuilt, cacheControl = "no-cache"): void {
  res.setHeader("Content-Type", p.type);
  res.setHeader("ETag", p.etag);
  res.setHeader("Last-Modified", p.lastModified);
  res.setHeader("Cache-Control", cacheControl);
  if (notModified(req, p)) return void res.status(304).end();
  res.status(200).end(req.method === "HEAD" ? undefined : p.body);
}

/** RFC 9110 §13.2.2 steps 3 and 4 for a GET or HEAD of `p`. */
export function notModified(req: Request, p: Prebuilt): boolean {
  const inm = req.headers["if-none-match"];
  if (inm !== undefined) {
    if (inm.trim() === "*") return true;
    const opaque = (tag: string): string => tag.trim().replace(/^W\//, "");
    const ours = opaque(p.etag);
    return inm.split(",").some((t) => opaque(t) === ours);
  }
  const ims = req.headers["if-modified-since"];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && Date.parse(p.lastModified) <= since;
}
