/**
 * Request budgets per token and per organization (docs/security.md#case-26).
 * Runs after authentication, so the keys are the token id and the organization id from the token:
 * nothing in the request chooses them. Over a budget the request is refused with
 * `Errors.rateLimited(seconds)` (429, integer Retry-After ≥ 1) before its body is read.
 *
 * A budget is `rps` requests per one-second window, plus a burst pool of `burst − rps` extra
 * requests that refills every BURST_WINDOW_S seconds (as rate-limiter-flexible's BurstyRateLimiter
 * counts it: ./rate-windows.ts counts it so in this process, answering at once):
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
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { Config } from "../config/config";
import { Errors } from "../domain/errors";
import type { SharedCounters, Store } from "../domain/ports/store";
import type { Logger } from "./logging";
import { LeasedBudget, Outage } from "./rate-limit-shared";
import { RateWindows } from "./rate-windows";

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
  /** The same, answered at once (counters in this process). */
  take?(key: string): number | null;
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

const retryAfterOf = (res: RateLimiterRes): number => secondsOf(res.msBeforeNext);
const secondsOf = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

/** Counted in this process (./rate-windows.ts), at once: `take` answers without a promise. */
function memoryLimiter(budget: Budget): Limiter & { take(key: string): number | null } {
  const windows = new RateWindows(budget.rps, 1000, budget.burst - budget.rps, BURST_WINDOW_S * 1000);
  const take = (key: string): number | null => {
    const ms = windows.take(key);
    return ms === null ? null : secondsOf(ms);
  };
  return { take, consume: async (key) => take(key) };
}

function limiterFor(name: string, budget: Budget, backend: RateLimitBackend, outage: Outage, onFailure: (e: unknown) => void): Limiter {
  if (backend.kind === "memory") return memoryLimiter(budget);
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
  // Counters in this process answer at once: no promise a request.
  const atOnce = (!token || token.take !== undefined) && (!org || org.take !== undefined);
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
    if (atOnce) {
      const tokenWait = token?.take!(actor.tokenId) ?? null;
      if (tokenWait !== null) return refuse(req, next, tokenWait, "token_budget");
      const orgWait = org?.take!(actor.org.id) ?? null;
      return orgWait === null ? next() : refuse(req, next, orgWait, "org_budget");
    }
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
