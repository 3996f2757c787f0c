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
 *   nothing, so an identity provider's own traffic never counts.
 *
 * /healthz and /readyz take no budget: a load balancer or orchestrator probes them from one
 * address, and refusing a probe would take a healthy instance out of service.
 *
 * The trade-off of any per-address budget: clients behind one address (a NAT, an identity
 * provider's shared egress) share it. Only failures and token-less routes count, so a client
 * with a valid token is refused only while its address is over the failure budget; the limits
 * can be raised, or turned off with 0. Counters live in this process (per instance).
 */
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { Errors } from "../domain/errors";

export interface AddressBudgets {
  /** Middleware: one point of the anonymous budget, or 429 (code 9006). */
  anonymous: RequestHandler;
  /** The failed-authentication budget, asked by requireToken (./auth.ts). */
  authFailures: AuthFailureBudget;
}

export interface AuthFailureBudget {
  /** Seconds until the address may try again, or null when it is under its budget. */
  blocked(req: Request): Promise<number | null>;
  /** Counts one failure; seconds to wait when that failure spent the last point, else null. */
  failed(req: Request): Promise<number | null>;
}

const addressOf = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? "unknown";
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
      (e: unknown) => next(e instanceof RateLimiterRes ? Errors.addressBusy(secondsOf(e.msBeforeNext)) : e),
    );
  };
}

export function authFailureBudget(perMinute: number): AuthFailureBudget {
  if (perMinute <= 0) return { blocked: async () => null, failed: async () => null };
  const limiter = new RateLimiterMemory({ keyPrefix: "orgscim:auth-failures", points: perMinute, duration: 60 });
  return {
    async blocked(req) {
      const res = await limiter.get(addressOf(req));
      return res && res.consumedPoints >= perMinute ? secondsOf(res.msBeforeNext) : null;
    },
    async failed(req) {
      try {
        await limiter.consume(addressOf(req));
        return null;
      } catch (e) {
        if (e instanceof RateLimiterRes) return secondsOf(e.msBeforeNext);
        throw e;
      }
    },
  };
}
