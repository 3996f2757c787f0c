/**
 * The SCIM service root (/scim/v2): authentication, bodies, the resource routes, and the error
 * handler (../error-handler.ts) rendering SCIM's way (../scim-errors.ts, RFC 7644 §3.12).
 */
import { Router, type Request, type RequestHandler } from "express";
import type passport from "passport";
import { Errors } from "../../domain/errors";
import type { AuthFailureBudget } from "../address-budget";
import type { BulkAdmission } from "../bulk-admission";
import { allowOnly, requireToken } from "../auth";
import { jsonBody } from "../body";
import { errorHandler } from "../error-handler";
import { sendScimError } from "../scim-errors";
import { bulkRoutes, DEFAULT_BULK_LIMITS, type BulkLimits } from "./bulk-routes";
import { discoveryRoutes } from "./discovery-routes";
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

export function scimRouter(deps: ScimRouterDeps): Router {
  const r = Router({ caseSensitive: false });
  r.use(requireToken(deps.authenticator, ["scim", "admin"], deps, deps.authFailures));
  if (deps.rateLimit) r.use(deps.rateLimit);
  // Shedding knows the organization (it sheds the heaviest first) and runs before any body is read.
  if (deps.shedWrites) r.use(deps.shedWrites);
  const bulk = deps.bulk ?? DEFAULT_BULK_LIMITS;
  r.use(bulkRoutes(deps, bulk, deps.bulkAdmission)); // before the router-wide parser: /Bulk has its own, larger, body limit
  r.use(jsonBody(deps.bodyLimit));
  r.get(["/ServiceProviderConfig", "/ResourceTypes", "/ResourceTypes/:id", "/Schemas", "/Schemas/:id"], allowOnly(deps, "scim.discovery"));
  r.use(discoveryRoutes(deps.publicUrl, { maxResults: deps.maxResults, bulkSupported: true, maxBulkOperations: bulk.maxOperations, maxBulkPayloadSize: bulk.maxPayloadSize }));
  r.use(userRoutes(deps));
  r.use(groupRoutes(deps));
  r.use(groupMemberRoutes(deps));
  r.use(rootSearchRoutes(deps));
  r.use((req: Request) => {
    throw Errors.routeNotFound(req.method, req.path, "See /scim/v2/ResourceTypes for the endpoints this server serves.");
  });
  r.use(recordRefusals(deps)); // requests refused for their content, for the provisioning-errors page
  r.use(errorHandler(sendScimError));
  return r;
}
