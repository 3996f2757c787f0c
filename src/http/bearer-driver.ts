/**
 * passport's authenticate middleware for one strategy, as ./auth.ts calls it (no session,
 * failWithError, assignProperty, no authInfo), with what that middleware builds for every request
 * built once (issue 18: passport's per-request strategy object and closures). passport's
 * middleware (passport/lib/middleware/authenticate.js) makes, for every request, an array of
 * failures, two closures walking the strategies, and an instance of the strategy
 * (Object.create(strategy)) given five closures over the request (success, fail, redirect, pass,
 * error), which the strategy calls. Here those five are methods made once, on one object whose
 * prototype is the strategy, and each request gets an instance of that object holding its request,
 * response and continuations: the strategy (passport-http-bearer, unchanged) is called as passport
 * calls it, and each of its outcomes has passport's effects:
 * - success: the user is put on the request under `property`, then `then(req, res, next)`;
 * - fail: the status (401 unless the strategy gave one) and, for a 401 with a challenge, the
 *   WWW-Authenticate header set as passport sets it, then `then(req, res, next, err)` with
 *   passport's AuthenticationError;
 * - error: `then(req, res, next, err)`; pass: `then(req, res, next)`; redirect as passport's.
 * Before the strategy runs, the request gets what passport's middleware gives every request
 * (req.login, logIn, logout, logOut, isAuthenticated, isUnauthenticated, _sessionManager).
 * test/http/bearer-driver.test.ts holds it to passport's own middleware, outcome by outcome.
 */
import type { NextFunction, Request, Response } from "express";
import { STATUS_CODES } from "node:http";
import { createRequire } from "node:module";
import type passport from "passport";

/** The continuation of a request's authentication: `err` as passport's middleware would pass it to its `next`. */
export type Authenticated = (req: Request, res: Response, next: NextFunction, err?: unknown) => void;

interface Run {
  req: Request;
  res: Response;
  next: NextFunction;
  then: Authenticated;
}

type PassportRequest = Request & Record<string, unknown>;

const fromPassport = createRequire(require.resolve("passport"));
/** The methods passport's middleware puts on every request (passport/lib/http/request.js). */
const requestExt = fromPassport("./http/request") as Record<"logIn" | "logOut" | "isAuthenticated" | "isUnauthenticated", unknown>;
const AuthenticationError = fromPassport("./errors/authenticationerror") as new (message: string | undefined, status?: number) => Error;

/** passport's middleware's options for ./auth.ts, given to the strategy as passport gives them. */
const OPTIONS = Object.freeze({ session: false, failWithError: true, authInfo: false });

/** The strategy's actions, as passport's middleware makes them for one strategy and the options above. */
function actions(property: symbol): ThisType<Run> & Record<"success" | "fail" | "redirect" | "pass" | "error", (...args: never[]) => void> {
  return {
    success(this: Run, user: unknown): void {
      (this.req as unknown as Record<symbol, unknown>)[property] = user;
      this.then(this.req, this.res, this.next);
    },
    fail(this: Run, challenge?: unknown, status?: number): void {
      if (typeof challenge === "number") {
        status = challenge;
        challenge = undefined;
      }
      const res = this.res;
      res.statusCode = status || 401;
      if (res.statusCode === 401 && typeof challenge === "string") res.setHeader("WWW-Authenticate", [challenge]);
      this.then(this.req, res, this.next, new AuthenticationError(STATUS_CODES[res.statusCode], status));
    },
    redirect(this: Run, url: string, status?: number): void {
      const res = this.res;
      res.statusCode = status || 302;
      res.setHeader("Location", url);
      res.setHeader("Content-Length", "0");
      res.end();
    },
    pass(this: Run): void {
      this.then(this.req, this.res, this.next);
    },
    error(this: Run, err: unknown): void {
      this.then(this.req, this.res, this.next, err);
    },
  };
}

/**
 * The driver of `p`'s strategy `name` (looked up at the first request, as passport's middleware
 * looks it up at each): `drive(req, res, next, then)` authenticates the request and calls `then`.
 */
export function bearerDriver(p: passport.Authenticator, name: string, property: symbol): (req: Request, res: Response, next: NextFunction, then: Authenticated) => void {
  const internals = p as unknown as { _strategy(name: string): object | undefined; _sm: unknown };
  let driver: object | undefined;
  return (req, res, next, then) => {
    const r = req as PassportRequest;
    r.login = r.logIn = r.logIn || requestExt.logIn;
    r.logout = r.logOut = r.logOut || requestExt.logOut;
    r.isAuthenticated = r.isAuthenticated || requestExt.isAuthenticated;
    r.isUnauthenticated = r.isUnauthenticated || requestExt.isUnauthenticated;
    r._sessionManager = internals._sm;
    if (driver === undefined) {
      const strategy = internals._strategy(name);
      if (!strategy) return next(new Error(`Unknown authentication strategy "${name}"`));
      driver = Object.assign(Object.create(strategy) as object, actions(property));
    }
    const run = Object.create(driver) as Run & { authenticate(req: Request, options: object): void };
    run.req = req;
    run.res = res;
    run.next = next;
    run.then = then;
    run.authenticate(req, OPTIONS);
  };
}
