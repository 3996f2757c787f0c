/**
 * Bearer-token authentication with passport-http-bearer, from the Authorization header only:
 * a token in the query string or the body is refused (the strategy would otherwise read both).
 * The organization comes from the token; nothing in the path or body can choose it.
 */
import type { NextFunction, Request, RequestHandler, Response } from "express";
import passport from "passport";
import { Strategy as BearerStrategy } from "passport-http-bearer";
import type { Actor } from "../domain/actor";
import { auditRefusal } from "../domain/audit";
import type { Clock } from "../domain/clock";
import { Errors } from "../domain/errors";
import { authorize, orgTarget } from "../domain/policy";
import type { Store } from "../domain/ports/store";
import { authenticate, noteTokenUse, parseToken } from "../domain/tokens";
import type { Scope } from "../domain/types";
import type { AuthFailureBudget } from "./address-budget";
import { bearerDriver } from "./bearer-driver";
import { PrincipalCache } from "./principal-cache";

declare module "express-serve-static-core" {
  interface Request {
    actor?: Actor;
  }
}

export function createAuthenticator(store: Store, clock?: Clock): passport.Authenticator {
  const p = new passport.Authenticator();
  // What a token may do, kept while the store's principal version says nothing it depends on changed (./principal-cache.ts).
  const principals = new PrincipalCache(store, (plaintext, now) => authenticate(store, plaintext, now));
  p.use(
    new BearerStrategy((token, done) => {
      principals.authenticate(token, clock ? clock.now() : new Date()).then(
        (principal) => {
          if (!principal) return done(null, false);
          const actor: Actor = {
            org: principal.org,
            tokenId: principal.token.id,
            scopes: principal.token.scopes,
            userId: principal.token.userId,
            principal: principal.principal,
            audience: principal.audience,
          };
          return done(null, actor);
        },
        (e: unknown) => done(e),
      );
    }),
  );
  return p;
}

/** Where passport's bearer middleware leaves the actor it authenticated, until the checks below accept it as req.actor. */
export const BEARER_ACTOR = Symbol("bearer actor");
type WithBearerActor = Request & { [BEARER_ACTOR]?: Actor };

/**
 * Requires a valid token carrying one of `scopes` (the API's door: /scim/v2 takes scim or admin,
 * /v1 takes admin); sets req.actor with its principal, resolved once for the request. A token
 * without the scope is refused with 403 and one audit event, as the policy's refusals are.
 */
export function requireToken(
  p: passport.Authenticator,
  scopes: Scope[],
  audit?: { store: Store; clock: Clock },
  failures?: AuthFailureBudget,
): RequestHandler {
  // The bearer strategy, driven as passport's authenticate middleware drives it (for one strategy,
  // no session, failWithError, assignProperty, no authInfo), with what that middleware builds for
  // every request built once (./bearer-driver.ts): a failure comes back as an error named
  // AuthenticationError, so that one continuation handles both.
  const bearer = bearerDriver(p, "bearer", BEARER_ACTOR);
  const authenticated = (req: WithBearerActor, res: Response, next: NextFunction, err: unknown) => {
    if (err && !(err instanceof Error && err.name === "AuthenticationError")) return next(err);
    const actor = err ? undefined : req[BEARER_ACTOR];
    req[BEARER_ACTOR] = undefined;
    if (!actor) {
      res.setHeader("WWW-Authenticate", 'Bearer realm="orgscim", error="invalid_token"');
      return void refuse(req, res, next, Errors.unauthorized("Missing, malformed, unknown or revoked bearer token. Send Authorization: Bearer <token> with a token from `orgscim tokens create`."));
    }
    if (actor.audience && !req.baseUrl.toLowerCase().startsWith(actor.audience.toLowerCase())) {
      // RFC 8707: an access token issued for one API is not accepted by the other (RFC 6750 §3.1: invalid_token).
      res.setHeader("WWW-Authenticate", 'Bearer realm="orgscim", error="invalid_token", error_description="audience"');
      return void refuse(req, res, next, Errors.unauthorized(`This access token was issued for ${actor.audience} only (its resource parameter); ask the token endpoint for one without a resource, or with this API's.`));
    }
    if (!scopes.some((s) => actor.scopes.includes(s))) {
      const e = Errors.forbidden(`This token lacks the required scope (${scopes.join(" or ")}). Create a token with that scope.`);
      if (!audit) return next(e);
      const route = `${req.method} ${req.baseUrl}${req.path}`;
      return void auditRefusal(audit.store, audit.clock, actor, "scope.required", { type: "Route", id: route.slice(0, 200) }, e.message).then(() => next(e), next);
    }
    failures?.succeeded(req, actor.tokenId);
    if (audit) noteTokenUse(audit.store, audit.clock, actor.org.id, actor.tokenId, () => req.ip ?? req.socket.remoteAddress ?? "");
    req.actor = actor;
    next();
  };
  const authenticate = (req: Request, res: Response, next: NextFunction) => {
    const q = req.query as Record<string, unknown>;
    if (q.access_token !== undefined) {
      return void refuse(req, res, next, Errors.unauthorized("Tokens are accepted only in the Authorization header (Authorization: Bearer <token>), never in the URL."));
    }
    // The body is parsed after authentication, so the strategy cannot read a token from it.
    bearer(req, res, next, authenticated);
  };
  // A failed authentication spends one point of the address's budget (./address-budget.ts).
  const refuse = async (req: Request, res: Response, next: NextFunction, e: Error): Promise<void> => {
    if (!failures) return next(e);
    const wait = await failures.failed(req).catch(() => null);
    if (wait !== null) {
      res.removeHeader("WWW-Authenticate");
      req.refusal = "address_budget";
    }
    next(wait === null ? e : Errors.authFailuresBusy(wait));
  };
  if (!failures) return authenticate;
  return (req: Request, res: Response, next: NextFunction) => {
    const blocked = failures.blocked(req, () => bearerTokenId(req));
    if (blocked === null) return authenticate(req, res, next);
    blocked.then((wait) => {
      if (wait === null) return authenticate(req, res, next);
      req.refusal = "address_budget";
      next(Errors.authFailuresBusy(wait));
    }, next);
  };
}

/** The request's bearer token as the Authorization header carries it ("" when it carries none). */
export const bearerToken = (req: Request): string => /^Bearer +(\S+)$/i.exec(req.headers.authorization ?? "")?.[1] ?? "";

/** The id part of the request's bearer token, if it has one of the right shape (nothing is looked up). */
function bearerTokenId(req: Request): string | null {
  const token = bearerToken(req);
  return token ? (parseToken(token)?.id ?? null) : null;
}

export function actorOf(req: Request): Actor {
  if (!req.actor) throw Errors.unauthorized("Not authenticated.");
  return req.actor;
}

/** Asks the policy for an action on the organization itself (routes whose use case is only a read of static data). */
export function allowOnly(deps: { store: Store; clock: Clock }, action: string): RequestHandler {
  return (req, _res, next) => {
    const actor = actorOf(req);
    authorize(deps, actor, { action, target: orgTarget(actor.org.id) }).then(() => next(), next);
  };
}
