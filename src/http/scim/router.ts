/**
 * The SCIM service root (/scim/v2): authentication, bodies, the resource routes, and the one
 * SCIM error renderer (RFC 7644 §3.12).
 */
import { Router, type NextFunction, type Request, type Response } from "express";
import type passport from "passport";
import { Errors } from "../../domain/errors";
import { requireToken } from "../auth";
import { jsonBody } from "../body";
import { scimErrorBody, statusOf } from "../scim-errors";
import { toDomainError } from "../translate-error";
import { discoveryRoutes } from "./discovery-routes";
import { sendScim } from "./respond";
import { groupRoutes } from "./groups-routes";
import { rootSearchRoutes } from "./search-routes";
import { userRoutes, type ScimDeps } from "./users-routes";

export interface ScimRouterDeps extends ScimDeps {
  authenticator: passport.Authenticator;
  bodyLimit: string;
  membersReturned: number;
}

export function scimRouter(deps: ScimRouterDeps): Router {
  const r = Router({ caseSensitive: false });
  r.use(requireToken(deps.authenticator, ["scim", "admin"]));
  r.use(jsonBody(deps.bodyLimit));
  r.use(discoveryRoutes(deps.publicUrl, { maxResults: deps.maxResults, bulkSupported: false, maxBulkOperations: 0, maxBulkPayloadSize: 0 }));
  r.use(userRoutes(deps));
  r.use(groupRoutes(deps));
  r.use(rootSearchRoutes(deps));
  r.use((req: Request) => {
    throw Errors.routeNotFound(req.method, req.path, "See /scim/v2/ResourceTypes for the endpoints this server serves.");
  });
  r.use(scimErrorHandler);
  return r;
}

export function scimErrorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  const e = toDomainError(err);
  const status = statusOf(e);
  if (status >= 500) req.log?.error({ err: e.cause ?? e, code: e.code }, "request failed");
  if (e.retryAfter !== undefined) res.setHeader("Retry-After", String(e.retryAfter));
  if (status === 401 && !res.getHeader("WWW-Authenticate")) res.setHeader("WWW-Authenticate", 'Bearer realm="orgscim"');
  sendScim(res, status, scimErrorBody(e));
}
