/**
 * A budget per client address for the one route that takes no bearer token:
 * POST /v1/Invitations/Accept. Its token is 256 random bits and works once, so guessing is not the
 * risk; the budget keeps anyone from spending the server on unauthenticated requests. Counters
 * live in this process (per instance behind a balancer); the address is req.ip, which honours
 * X-Forwarded-For only with TRUST_PROXY.
 */
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { Errors } from "../domain/errors";

/** `perMinute` 0: no budget. */
export function addressBudget(perMinute: number): RequestHandler {
  if (perMinute <= 0) return (_req, _res, next) => next();
  const limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  return (req: Request, _res: Response, next: NextFunction) => {
    limiter.consume(req.ip ?? "unknown").then(
      () => next(),
      (e: unknown) => {
        if (e instanceof RateLimiterRes) return next(Errors.rateLimited(Math.max(1, Math.ceil(e.msBeforeNext / 1000))));
        next(e);
      },
    );
  };
}
