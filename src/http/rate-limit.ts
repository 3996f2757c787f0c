/**
 * Request budgets per token and per organization (security.md case 26), with rate-limiter-flexible.
 * Runs after authentication, so the keys are the token id and the organization id from the token:
 * nothing in the request chooses them. Over a budget the request is refused with
 * `Errors.rateLimited(seconds)` (429, integer Retry-After ≥ 1) before its body is read.
 *
 * A budget is `rps` requests per one-second window, plus a burst pool of `burst − rps` extra
 * requests that refills every BURST_WINDOW_S seconds (rate-limiter-flexible's BurstyRateLimiter):
 * a second may take up to `burst` requests, and over ten seconds a key gets at most
 * 10 × rps + (burst − rps). `rps` 0 turns that budget off.
 *
 * Counters live in memory with the SQLite store (one process owns the file). With MongoDB they
 * live in the `rate_limits` collection of the store's own database, so a budget holds across every
 * instance behind a load balancer; an in-memory limiter is the insurance while MongoDB does not
 * answer, and a key already over its budget is refused locally until its window ends (no round trip).
 * The store hands its connection over through an optional `rateLimitBackend` (see
 * `rateLimitBackendOf`); a Mongo store without it falls back to per-instance counters, with a warning.
 */
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterMongo, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Config } from "../config/config";
import { Errors } from "../domain/errors";
import type { Store } from "../domain/ports/store";
import type { Logger } from "./logging";

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

/** Where counters live: this process, or a MongoDB database shared by every instance. */
export type RateLimitBackend =
  | { kind: "memory" }
  | {
    kind: "mongo";
    /** A MongoDB driver `MongoClient` (mongoose: `connection.getClient()`), or a mongoose Connection. */
    client: unknown;
    /** The database holding the `rate_limits` collection (the store's own). */
    dbName: string;
  };

/** Anything that can be asked for one point under a key. */
interface Limiter {
  consume(key: string): Promise<RateLimiterRes>;
}

export function rateLimitsFrom(config: Pick<Config, "RATE_LIMIT_TOKEN_RPS" | "RATE_LIMIT_TOKEN_BURST" | "RATE_LIMIT_ORG_RPS" | "RATE_LIMIT_ORG_BURST">): RateLimits {
  return {
    token: { rps: config.RATE_LIMIT_TOKEN_RPS, burst: Math.max(config.RATE_LIMIT_TOKEN_BURST, config.RATE_LIMIT_TOKEN_RPS) },
    org: { rps: config.RATE_LIMIT_ORG_RPS, burst: Math.max(config.RATE_LIMIT_ORG_BURST, config.RATE_LIMIT_ORG_RPS) },
  };
}

/**
 * The backend a store offers: a Mongo store sets `rateLimitBackend` ({kind:"mongo", client, dbName})
 * so counters are shared by every instance; anything else counts in memory.
 */
export function rateLimitBackendOf(store: Store): RateLimitBackend | null {
  const offered = (store as Store & { rateLimitBackend?: RateLimitBackend }).rateLimitBackend;
  if (offered) return offered;
  return store.kind === "mongo" ? null : { kind: "memory" };
}

function limiterFor(name: string, budget: Budget, backend: RateLimitBackend): Limiter {
  const make = (points: number, duration: number, suffix: string): RateLimiterAbstract => {
    const keyPrefix = `orgscim:${name}${suffix}`;
    const memory = new RateLimiterMemory({ keyPrefix, points, duration });
    if (backend.kind === "memory") return memory;
    return new RateLimiterMongo({
      storeClient: backend.client,
      dbName: backend.dbName,
      tableName: "rate_limits",
      keyPrefix,
      points,
      duration,
      // A key over its budget is refused here until its window ends, without asking MongoDB.
      inMemoryBlockOnConsumed: points + 1,
      insuranceLimiter: memory,
    });
  };
  const main = make(budget.rps, 1, "");
  if (budget.burst <= budget.rps) return main;
  return new BurstyRateLimiter(main, make(budget.burst - budget.rps, BURST_WINDOW_S, ":burst"));
}

const retryAfterOf = (res: RateLimiterRes): number => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/**
 * The middleware: after requireToken (it reads req.actor), before the body is parsed. One instance
 * should serve every router so that a token has one budget whatever API it calls.
 */
export function rateLimit(limits: RateLimits, backend: RateLimitBackend = { kind: "memory" }, logger?: Logger): RequestHandler {
  const token = limits.token.rps > 0 ? limiterFor("token", limits.token, backend) : null;
  const org = limits.org.rps > 0 ? limiterFor("org", limits.org, backend) : null;
  if (!token && !org) return (_req, _res, next) => next();
  let warned = false;
  const take = async (limiter: Limiter | null, key: string): Promise<number | null> => {
    if (!limiter) return null;
    try {
      await limiter.consume(key);
      return null;
    } catch (e) {
      if (e instanceof RateLimiterRes) return retryAfterOf(e);
      // The counter store failed and its insurance too: let the request through rather than refuse
      // everyone; the store itself answers 503 if it is really down.
      if (!warned) {
        warned = true;
        logger?.warn({ err: e }, "rate limiter unavailable; requests are not being counted");
      }
      return null;
    }
  };
  return (req: Request, _res: Response, next: NextFunction) => {
    const actor = req.actor;
    if (!actor) return next();
    void (async () => {
      // The token first: a token over its own budget does not spend its organization's.
      const wait = (await take(token, actor.tokenId)) ?? (await take(org, actor.org.id));
      next(wait === null ? undefined : Errors.rateLimited(wait));
    })();
  };
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
      (e: unknown) => next(e instanceof RateLimiterRes ? Errors.rateLimited(retryAfterOf(e)) : e),
    );
  };
}

/** The middleware for this configuration and store: what createApp mounts. */
export function rateLimitFor(config: Config, store: Store, logger?: Logger): RequestHandler {
  let backend = rateLimitBackendOf(store);
  if (!backend) {
    logger?.warn("the MongoDB store offers no connection for rate limiting: budgets are counted per instance");
    backend = { kind: "memory" };
  }
  return rateLimit(rateLimitsFrom(config), backend, logger);
}
