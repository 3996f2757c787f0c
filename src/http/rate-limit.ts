/**
 * Request budgets per token and per organization (docs/security.md#case-26), with rate-limiter-flexible.
 * Runs after authentication, so the keys are the token id and the organization id from the token:
 * nothing in the request chooses them. Over a budget the request is refused with
 * `Errors.rateLimited(seconds)` (429, integer Retry-After ≥ 1) before its body is read.
 *
 * A budget is `rps` requests per one-second window, plus a burst pool of `burst − rps` extra
 * requests that refills every BURST_WINDOW_S seconds (rate-limiter-flexible's BurstyRateLimiter):
 * a second may take up to `burst` requests, and over ten seconds a key gets at most
 * 10 × rps + (burst − rps). `rps` 0 turns that budget off.
 *
 * Counters live in memory with the SQLite store (one process owns the file). A store that offers
 * shared counters (the port's `SharedCounters`: MongoDB's `rate_limits`) has them counted across
 * every instance behind a load balancer, by leases of many requests per round trip
 * (./rate-limit-shared.ts): a budget is an exact upper bound across instances, a request waits at
 * most one round trip for it (at the default budgets almost never), and while the counters do not
 * answer each instance counts in memory.
 */
import "./refusal";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Config } from "../config/config";
import { Errors } from "../domain/errors";
import type { SharedCounters, Store } from "../domain/ports/store";
import type { Logger } from "./logging";
import { LeasedBudget, Outage } from "./rate-limit-shared";

/** Seconds over which a burst pool refills. */
export const BURST_WINDOW_S = 10;

export interface Budget {
  /** Requests per second; 0 = unlimited. */
  rps: number;
  /** Most requests in one second (≥ rps); the part above rps refills every BURST_WINDOW_S seconds. */
  burst: number;
}

export interface RateLimits {
  token: Budget;
  org: Budget;
}

/** Where counters live: this process, or shared counters of the store, seen by every instance. */
export type RateLimitBackend =
  | { kind: "memory" }
  | { kind: "shared"; counters: SharedCounters };

/** Anything that can be asked for one request under a key: null when admitted, else the seconds to wait. */
interface Limiter {
  consume(key: string): Promise<number | null>;
}

export function rateLimitsFrom(config: Pick<Config, "RATE_LIMIT_TOKEN_RPS" | "RATE_LIMIT_TOKEN_BURST" | "RATE_LIMIT_ORG_RPS" | "RATE_LIMIT_ORG_BURST">): RateLimits {
  return {
    token: { rps: config.RATE_LIMIT_TOKEN_RPS, burst: Math.max(config.RATE_LIMIT_TOKEN_BURST, config.RATE_LIMIT_TOKEN_RPS) },
    org: { rps: config.RATE_LIMIT_ORG_RPS, burst: Math.max(config.RATE_LIMIT_ORG_BURST, config.RATE_LIMIT_ORG_RPS) },
  };
}

/** The backend a store offers: its shared counters when it has them, else memory. */
export function rateLimitBackendOf(store: Store): RateLimitBackend {
  return store.counters ? { kind: "shared", counters: store.counters } : { kind: "memory" };
}

const retryAfterOf = (res: RateLimiterRes): number => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

function memoryLimiter(name: string, budget: Budget): Limiter {
  const make = (points: number, duration: number, suffix: string): RateLimiterAbstract =>
    new RateLimiterMemory({ keyPrefix: `orgscim:${name}${suffix}`, points, duration });
  const main = make(budget.rps, 1, "");
  const limiter = budget.burst <= budget.rps ? main : new BurstyRateLimiter(main, make(budget.burst - budget.rps, BURST_WINDOW_S, ":burst"));
  return {
    consume: (key) => limiter.consume(key).then(() => null, (e: unknown) => {
      if (e instanceof RateLimiterRes) return retryAfterOf(e);
      throw e;
    }),
  };
}

function limiterFor(name: string, budget: Budget, backend: RateLimitBackend, outage: Outage, onFailure: (e: unknown) => void): Limiter {
  if (backend.kind === "memory") return memoryLimiter(name, budget);
  return new LeasedBudget(name, budget, backend.counters, { outage, onFailure });
}

/**
 * The middleware, and the organization's budget for a door whose credential is the organization's
 * but not a token (`forOrg`: an event stream's poll, docs/security.md case 58): null when admitted,
 * else the seconds to wait.
 */
export type RateLimitHandler = RequestHandler & { forOrg(orgId: string): Promise<number | null> };

/**
 * The middleware: after requireToken (it reads req.actor), before the body is parsed. One instance
 * should serve every router so that a token has one budget whatever API it calls.
 */
export function rateLimit(limits: RateLimits, backend: RateLimitBackend = { kind: "memory" }, logger?: Logger): RateLimitHandler {
  let warned = false;
  const onFailure = (e: unknown) => {
    if (warned) return;
    warned = true;
    logger?.warn({ err: e }, "shared rate-limit counters do not answer; each instance counts budgets in memory meanwhile");
  };
  const outage = new Outage();
  const token = limits.token.rps > 0 ? limiterFor("token", limits.token, backend, outage, onFailure) : null;
  const org = limits.org.rps > 0 ? limiterFor("org", limits.org, backend, outage, onFailure) : null;
  if (!token && !org) return Object.assign((_req: Request, _res: Response, next: NextFunction) => next(), { forOrg: async () => null });
  const take = async (limiter: Limiter | null, key: string): Promise<number | null> => {
    if (!limiter) return null;
    try {
      return await limiter.consume(key);
    } catch (e) {
      // The counters failed and their insurance too: let the request through rather than refuse
      // everyone; the store itself answers 503 if it is really down.
      onFailure(e);
      return null;
    }
  };
  const refuse = (req: Request, next: NextFunction, wait: number, by: "token_budget" | "org_budget") => {
    req.refusal = by;
    next(Errors.rateLimited(wait));
  };
  // Callbacks on each budget's answer, not an async function a request (fewer promises made).
  // A budget whose counters failed, and their insurance too, lets the request through rather than
  // refuse everyone; the store itself answers 503 if it is really down.
  const handler = (req: Request, _res: Response, next: NextFunction) => {
    const actor = req.actor;
    if (!actor) return next();
    const byOrg = () => {
      if (!org) return next();
      org.consume(actor.org.id).then(
        (wait) => (wait === null ? next() : refuse(req, next, wait, "org_budget")),
        (e: unknown) => { onFailure(e); next(); },
      );
    };
    // The token first: a token over its own budget does not spend its organization's.
    if (!token) return byOrg();
    token.consume(actor.tokenId).then(
      (wait) => (wait === null ? byOrg() : refuse(req, next, wait, "token_budget")),
      (e: unknown) => { onFailure(e); byOrg(); },
    );
  };
  return Object.assign(handler, { forOrg: (orgId: string) => take(org, orgId) });
}

/**
 * A budget per client address for the one route that takes no bearer token:
 * POST /v1/Invitations/Accept (INVITATION_ACCEPT_PER_MINUTE). Its token is 256 random bits and
 * works once, so guessing is not the risk; the budget keeps anyone from spending the server on
 * unauthenticated requests. Counters live in this process (per instance behind a balancer); the
 * address is req.ip, which honours X-Forwarded-For only with TRUST_PROXY. `perMinute` 0: no budget.
 */
export function addressBudget(perMinute: number): RequestHandler {
  if (perMinute <= 0) return (_req, _res, next) => next();
  const limiter = new RateLimiterMemory({ keyPrefix: "orgscim:address", points: perMinute, duration: 60 });
  return (req: Request, _res: Response, next: NextFunction) => {
    limiter.consume(req.ip ?? "unknown").then(
      () => next(),
      (e: unknown) => {
        if (e instanceof RateLimiterRes) req.refusal = "address_budget";
        next(e instanceof RateLimiterRes ? Errors.rateLimited(retryAfterOf(e)) : e);
      },
    );
  };
}

/** The middleware for this configuration and store: what createApp mounts. */
export function rateLimitFor(config: Config, store: Store, logger?: Logger): RateLimitHandler {
  return rateLimit(rateLimitsFrom(config), rateLimitBackendOf(store), logger);
}
