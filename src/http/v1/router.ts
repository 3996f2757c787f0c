/**
 * The admin API root (/v1): authentication (admin scope, or a token acting for a user whose
 * rights then apply), JSON bodies, the resource routes, /v1/openapi.json, and the error handler
 * (../error-handler.ts) rendering /v1's way ({code, message, more_info, status}, ../v1-errors.ts).
 */
import { Router, type Request } from "express";
import { Errors } from "../../domain/errors";
import { requireToken } from "../auth";
import { jsonBody } from "../body";
import { errorHandler } from "../error-handler";
import { refusalsDurable } from "../refusals-durable";
import { sendV1Error } from "../v1-errors";
import { ApiRegistry, openApiDocument } from "./openapi";
import { accountRoutes } from "./accounts-routes";
import { auditRoutes } from "./audit-routes";
import { domainRoutes } from "./domains-routes";
import { groupRoutes } from "./groups-routes";
import { meRoutes } from "./me-routes";
import { outboxRoutes } from "./outbox-routes";
import { provisioningErrorRoutes } from "./provisioning-errors-routes";
import { invitationAcceptRoute, invitationRoutes } from "./invitations-routes";
import { organizationRoutes } from "./organization-routes";
import { linkOrigin } from "./links";
import { methodGuard } from "./methods";
import { pageTokenKeys } from "./paging";
import type { V1Deps, V1Module } from "./module";
import { eventStreamRoutes } from "./event-streams-routes";
import { oauthClientRoutes } from "./oauth-clients-routes";
import { tokenRoutes } from "./tokens-routes";
import { userRoutes } from "./users-routes";

export type { V1Deps, V1Module } from "./module";

const V1_MODULES: V1Module[] = [organizationRoutes, meRoutes, tokenRoutes, oauthClientRoutes, eventStreamRoutes, accountRoutes, userRoutes, groupRoutes, outboxRoutes, auditRoutes, provisioningErrorRoutes, domainRoutes, invitationRoutes];

export function v1Router(deps: V1Deps): { router: Router; registry: ApiRegistry } {
  const registry = new ApiRegistry(deps.publicUrl);
  const r = Router({ caseSensitive: false });
  r.get("/openapi.json", ...(deps.anonymous ? [deps.anonymous] : []), openApiDocument(registry, deps.publicUrl));
  r.use(methodGuard(registry, [{ method: "GET", path: "/openapi.json" }])); // 405 + Allow, before the token: the methods are public
  r.use(linkOrigin(deps.publicUrl)); // Location and page URLs: PUBLIC_URL, else the Host (./links.ts)
  invitationAcceptRoute(r, registry, deps); // the invitee has only the emailed token: no bearer token
  r.use(requireToken(deps.authenticator, ["admin"], deps, deps.authFailures));
  if (deps.rateLimit) r.use(deps.rateLimit);
  if (deps.shedWrites) r.use(deps.shedWrites); // per organization, so after the token: see ../write-shedding.ts
  r.use(jsonBody(deps.bodyLimit));
  r.use(pageTokenKeys(deps.store));
  for (const m of V1_MODULES) m(r, registry, deps);
  r.use((req: Request) => {
    throw Errors.routeNotFound(req.method, req.originalUrl.split("?")[0] ?? req.path, "See /v1/openapi.json for the admin API.");
  });
  // A write's refusal once what it read is on disk (../refusals-durable.ts); an invitation's accept too, though it has no bearer token.
  r.use(refusalsDurable(deps.store, ["/Invitations/Accept"]));
  r.use(errorHandler(sendV1Error));
  return { router: r, registry };
}

/**
 * The OpenAPI document without a server (npm run build renders the Admin Center's types from it;
 * the lint and staleness tests read it): the modules declare their routes on a router that never
 * serves, so no dependency but these two is read. `serverUrl` "" gives the relative server "/v1".
 */
export function v1Document(serverUrl = ""): Record<string, unknown> {
  const registry = new ApiRegistry(undefined);
  const r = Router({ caseSensitive: false });
  const deps = { bodyLimit: "1mb", publicUrl: undefined } as unknown as V1Deps;
  invitationAcceptRoute(r, registry, deps);
  for (const m of V1_MODULES) m(r, registry, deps);
  return registry.document(serverUrl);
}
