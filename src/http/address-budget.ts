/**
 * Budgets per client address for what carries no valid token, so that nothing unauthenticated
 * can spend the server (issue 14 item 2). The address is req.ip: the socket's, or with TRUST_PROXY
 * the client's as the trusted proxies report it (never `true`: see ../config/config.ts).
 *
 * - `anonymous`: one point per request to a route that takes no token (/v1/openapi.json, the
 *   /admin page's files, a path that exists nowhere), ANONYMOUS_PER_MINUTE per address.
 * - `authFailures`: a request that fails authentication (no, malformed, unknown or revoked token)
 *   spends one point of AUTH_FAILURES_PER_MINUTE; an address that has spent them all is refused
 *   before its token is looked up, until its minute ends. A request that authenticates spends
 *   nothing, so an identity provider's own traffic never counts; and a token that authenticated
 *   from that address within the last minute is still looked up while the address is over its
 *   budget (the address remembers the ids of up to KNOWN_PER_ADDRESS such tokens), so a flood
 *   of bad tokens from a shared address (a NAT, an identity provider's egress) does not lock out
 *   the organizations already working from it.
 *
 * /healthz and /readyz take no budget: a load balancer or orchestrator probes them from one
 * address, and refusing a probe would take a healthy instance out of service.
 *
 * The trade-off of any per-address budget: clients behind one address share it. Only failures and
 * token-less routes count, and a token already seen working from the address is let through, so
 * only a new token arriving while its address is over the failure budget is refused; the limits
 * can be raised, or turned off with 0. Counters live in this process (per instance).
 */
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { Errors } from "../domain/errors";
import "./refusal";

export interface AddressBudgets {
  /** Middleware: one point of the anonymous budget, or 429 (code 9006). */
  anonymous: RequestHandler;
  /** The failed-authentication budget, asked by requireToken (./auth.ts). */
  authFailures: AuthFailureBudget;
}

export interface AuthFailureBudget {
  /**
   * Seconds until the address may try again, or null when it is under its budget or the token
   * (its id: `tokenId()`, asked only then) authenticated from it lately. Null at once, not a
   * promise, when the address has had no failure counted within the last minute (every request
   * of a client whose tokens work).
   */
  blocked(req: Request, tokenId: () => string | null): Promise<number | null> | null;
  /** Counts one failure; seconds to wait when that failure spent the last point, else null. */
  failed(req: Request): Promise<number | null>;
  /** Remembers that `tokenId` authenticated from the request's address. */
  succeeded(req: Request, tokenId: string): void;
}

/** Token ids remembered per address, most recent kept. */
export const KNOWN_PER_ADDRESS = 32;
const KNOWN_FOR_MS = 60_000;
/** The failure budget's window (the limiter's duration). */
const FAILURE_WINDOW_MS = 60_000;

/** Where a request keeps its address once worked out (declared by ./request-classes.ts): req.ip parses X-Forwarded-For again at every read. */
export const CLIENT_ADDRESS: unique symbol = Symbol("orgscim.clientAddress");
type Addressed = Request & { [CLIENT_ADDRESS]?: string };
const addressOf = (req: Request): string => ((req as Addressed)[CLIENT_ADDRESS] ??= req.ip ?? req.socket.remoteAddress ?? "unknown");
const secondsOf = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

export function addressBudgets(limits: { anonymousPerMinute: number; authFailuresPerMinute: number }): AddressBudgets {
  return { anonymous: anonymousBudget(limits.anonymousPerMinute), authFailures: authFailureBudget(limits.authFailuresPerMinute) };
}

export function anonymousBudget(perMinute: number): RequestHandler {
  if (perMinute <= 0) return (_req, _res, next) => next();
  const limiter = new RateLimiterMemory({ keyPrefix: "orgscim:anonymous", points: perMinute, duration: 60 });
  return (req: Request, _res: Response, next: NextFunction) => {
    limiter.consume(addressOf(req)).then(
      () => next(),
      (e: unknown) => {
        if (!(e instanceof RateLimiterRes)) return next(e);
        req.refusal = "address_budget";
        next(Errors.addressBusy(secondsOf(e.msBeforeNext)));
      },
    );
  };
}

export function authFailureBudget(perMinute: number): AuthFailureBudget {
  if (perMinute <= 0) return { blocked: () => null, failed: async () => null, succeeded: () => undefined };
  const limiter = new RateLimiterMemory({ keyPrefix: "orgscim:auth-failures", points: perMinute, duration: 60 });
  // address → when its last failure was counted. An address absent (or counted more than a minute
  // ago) has no points spent: a limiter's window lasts a minute from its first point.
  const lastFailure = new Map<string, number>();
  let failures = 0;
  // address → token id → when it last authenticated from there (a Map keeps insertion order: oldest first)
  const known = new Map<string, Map<string, number>>();
  let sweeps = 0;
  const sweep = (now: number) => {
    for (const [address, ids] of known) {
      for (const [id, at] of ids) if (now - at > KNOWN_FOR_MS) ids.delete(id);
      if (ids.size === 0) known.delete(address);
    }
  };
  const blockedNow = async (address: string, tokenId: string | null): Promise<number | null> => {
    const res = await limiter.get(address);
    if (!res || res.consumedPoints < perMinute) return null;
    const at = tokenId === null ? undefined : known.get(address)?.get(tokenId);
    if (at !== undefined && Date.now() - at <= KNOWN_FOR_MS) return null;
    return secondsOf(res.msBeforeNext);
  };
  return {
    blocked(req, tokenId) {
      const address = addressOf(req);
      const last = lastFailure.get(address);
      if (last === undefined || Date.now() - last >= FAILURE_WINDOW_MS) return null;
      return blockedNow(address, tokenId());
    },
    succeeded(req, tokenId) {
      const now = Date.now();
      if (++sweeps % 4096 === 0) sweep(now);
      const address = addressOf(req);
      let ids = known.get(address);
      if (!ids) known.set(address, (ids = new Map()));
      ids.delete(tokenId);
      ids.set(tokenId, now);
      if (ids.size > KNOWN_PER_ADDRESS) ids.delete(ids.keys().next().value as string);
    },
    async failed(req) {
      const address = addressOf(req);
      const now = Date.now();
      if (++failures % 4096 === 0) for (const [a, at] of lastFailure) if (now - at >= FAILURE_WINDOW_MS) lastFailure.delete(a);
      lastFailure.delete(address); // oldest first, as `known`
      lastFailure.set(address, now);
      try {
        await limiter.consume(address);
        return null;
      } catch (e) {
        if (e instanceof RateLimiterRes) return secondsOf(e.msBeforeNext);
        throw e;
      }
    },
  };
}
