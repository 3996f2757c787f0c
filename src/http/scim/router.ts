/**
 * The SCIM service root (/scim/v2): authentication, bodies, the resource routes, and the error
 * handler (../error-handler.ts) rendering SCIM's way (../scim-errors.ts, RFC 7644 §3.12).
 */
import { Router, type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from "express";
import type passport from "passport";
import { Errors } from "../../domain/errors";
import type { AuthFailureBudget } from "../address-budget";
import type { BulkAdmission } from "../bulk-admission";
import { allowOnly, requireToken } from "../auth";
import { jsonBody } from "../body";
import { errorHandler } from "../error-handler";
import { refusalsDurable } from "../refusals-durable";
import { sendScimError } from "../scim-errors";
import { bulkRoutes, DEFAULT_BULK_LIMITS, type BulkLimits } from "./bulk-routes";
import { discoveryRoutes } from "./discovery-routes";
import { flatRoutes, type FlatRoutes } from "./flat-routes";
import { groupMemberRoutes } from "./group-members-routes";
import { groupRoutes } from "./groups-routes";
import { recordRefusals } from "./record-refusals";
import { rootSearchRoutes } from "./search-routes";
import { userRoutes, type ScimDeps } from "./users-routes";

export interface ScimRouterDeps extends ScimDeps {
  authenticator: passport.Authenticator;
  bodyLimit: string;
  membersReturned: number;
  /** Per-token and per-organization budgets (../rate-limit.ts), run right after authentication. */
  rateLimit?: RequestHandler;
  /** Write shedding (../write-shedding.ts), after authentication: 429 at once while the loop runs late, to the organizations sending the most. */
  shedWrites?: RequestHandler;
  /** /Bulk slots in all and per organization, taken after the body is read (../bulk-admission.ts). */
  bulkAdmission?: BulkAdmission;
  /** The per-address budget of failed authentications (../address-budget.ts), shared with /v1. */
  authFailures?: AuthFailureBudget;
  /** /Bulk limits (SCIM_BULK_MAX_OPERATIONS, SCIM_BULK_MAX_PAYLOAD); the defaults when absent. */
  bulk?: BulkLimits;
}

/**
 * The SCIM router and what follows it at the same mount. The resource routes are registered on
 * this one router, flat, in the order below: a request walks the authentication, budget and
 * shedding middleware, then route layers only (each a path match), never a router per resource.
 * `router` is the mount's handler: a plain request (a method and path an IdP sends) is walked over
 * the same registrations without express's per-layer dispatch (./flat-routes.ts), any other goes to
 * the express router itself.
 * express (router 2.x) leaves a nested router that has no matching route through setImmediate,
 * so every nested router in front of a route cost the request a turn of the event loop as well
 * as its own dispatch (test/http/scim-dispatch.test.ts reads the layers).
 *
 * `fallback` answers what the router leaves: only OPTIONS on a path with no route (the router
 * answers OPTIONS itself, 200 with Allow, when a route matches the path). app.ts mounts it right
 * after the router, at the same path, so that it renders SCIM's 404.
 */
export function scimRouter(deps: ScimRouterDeps): { router: FlatRoutes["dispatcher"]; flat: FlatRoutes; fallback: [RequestHandler, ErrorRequestHandler, ErrorRequestHandler] } {
  const r = Router({ caseSensitive: false });
  const flat = flatRoutes(r); // every registration below is recorded too, for the flat dispatch of ./flat-routes.ts
  r.use(requireToken(deps.authenticator, ["scim", "admin"], deps, deps.authFailures));
  if (deps.rateLimit) r.use(deps.rateLimit);
  // Shedding knows the organization (it sheds the heaviest first) and runs before any body is read.
  if (deps.shedWrites) r.use(deps.shedWrites);
  const bulk = deps.bulk ?? DEFAULT_BULK_LIMITS;
  bulkRoutes(deps, bulk, deps.bulkAdmission, r); // POST /Bulk, before the router-wide parser: it has its own, larger, body limit
  r.use(jsonBody(deps.bodyLimit));
  userRoutes(deps, r);
  groupRoutes(deps, r);
  groupMemberRoutes(deps, r);
  r.get(["/ServiceProviderConfig", "/ResourceTypes", "/ResourceTypes/:id", "/Schemas", "/Schemas/:id"], allowOnly(deps, "scim.discovery"));
  discoveryRoutes(deps.publicUrl, { maxResults: deps.maxResults, bulkSupported: true, maxBulkOperations: bulk.maxOperations, maxBulkPayloadSize: bulk.maxPayloadSize }, r);
  rootSearchRoutes(deps, r);
  const notFound = (req: Request) => {
    throw Errors.routeNotFound(req.method, req.path, "See /scim/v2/ResourceTypes for the endpoints this server serves.");
  };
  // OPTIONS leaves the router, which then answers it with the methods of the routes matching the path, if any.
  r.use((req: Request, _res: Response, next: NextFunction) => (req.method === "OPTIONS" ? next("router") : notFound(req)));
  const recorded = recordRefusals(deps); // requests refused for their content, for the provisioning-errors page
  const rendered = errorHandler(sendScimError);
  r.use(refusalsDurable(deps.store)); // a write's refusal once what it read is on disk (../refusals-durable.ts)
  r.use(recorded);
  r.use(rendered);
  return { router: flat.dispatcher, flat, fallback: [notFound, recorded, rendered] };
}
