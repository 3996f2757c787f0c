/**
 * The origin (scheme://host[:port]) of every URL the /v1 API answers: a 201's Location and the
 * page URLs of a list's meta. PUBLIC_URL, when it is set, is the only source: no request header
 * steers a link then. Without it the links name the server the client asked for:
 *   - the Host header, and the socket's scheme;
 *   - X-Forwarded-Host and X-Forwarded-Proto only when TRUST_PROXY trusts the peer (Express's
 *     "trust proxy" function on the socket's address), and then their LAST value: the one the
 *     nearest proxy (the trusted one) wrote. Express's req.host and req.protocol take the first,
 *     which a client writes itself when its proxy appends to the header.
 * A host that is not a host name or address with an optional port (e.g. "evil.example/#") is
 * refused with 400 rather than copied into a URL (RFC 9112 §3.2: an invalid Host is a 400).
 */
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { Errors } from "../../domain/errors";

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/;

/**
 * Settles this request's link origin before any route runs (the router installs it first): a
 * Host no link can be built from is refused before anything is read or written, not after a
 * create has committed.
 */
export function linkOrigin(publicUrl: string | undefined): RequestHandler {
  const fixed = publicUrl ? publicUrl.replace(/\/+$/, "") : null;
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.linkOrigin = fixed ?? requestOrigin(req);
    next();
  };
}

const last = (header: string | undefined): string | undefined => {
  if (header === undefined) return undefined;
  const v = header.split(",").map((s) => s.trim()).filter((s) => s !== "").at(-1);
  return v === undefined || v === "" ? undefined : v;
};

/** The origin of this request's links: PUBLIC_URL, else the server the client (or the trusted proxy) named. */
export function originOf(req: Request): string {
  const origin = req.res?.locals.linkOrigin as string | undefined;
  if (origin === undefined) throw new Error("link origin not settled: linkOrigin must run before a route that answers links");
  return origin;
}

function requestOrigin(req: Request): string {
  const trust = req.app.get("trust proxy fn") as (addr: string | undefined, i: number) => boolean;
  const proxied = trust(req.socket.remoteAddress, 0);
  const host = (proxied ? last(req.get("X-Forwarded-Host")) : undefined) ?? req.get("Host");
  const scheme = ((proxied ? last(req.get("X-Forwarded-Proto")) : undefined) ?? ((req.socket as { encrypted?: boolean }).encrypted ? "https" : "http")).toLowerCase();
  const which = proxied && req.get("X-Forwarded-Host") ? "X-Forwarded-Host" : "Host";
  if (!host || !HOST.test(host)) {
    throw Errors.invalidValue(`The ${which} header ${host ? `'${host.slice(0, 100)}' ` : ""}is not a host name or address with an optional port, so no link can be built from it. Send the server's name (e.g. scim.example.com:8443); an operator can set PUBLIC_URL so that links never depend on the request.`);
  }
  if (scheme !== "http" && scheme !== "https") {
    throw Errors.invalidValue(`The X-Forwarded-Proto header '${scheme.slice(0, 20)}' is neither http nor https. Have the proxy send one of them, or set PUBLIC_URL.`);
  }
  return `${scheme}://${host}`;
}

/** The absolute URL of a path under /v1 (e.g. /Tokens/TK...). */
export const v1Url = (req: Request, path: string): string => `${originOf(req)}${req.baseUrl}${path}`;
