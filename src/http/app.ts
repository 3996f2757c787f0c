/**
 * createApp(deps): the express application, without listening. Routers per protocol, each with
 * the error handler of ./error-handler.ts rendering its protocol; the same handler, rendering as
 * /v1 does, for everything outside them.
 */
import express, { type Request, type RequestHandler } from "express";
import type { Config } from "../config/config";
import type { Clock } from "../domain/clock";
import { Errors } from "../domain/errors";
import type { TxtResolver } from "../domain/ports/dns";
import type { Store } from "../domain/ports/store";
import { flatFront } from "./app-front";
import { addressBudgets } from "./address-budget";
import { adminRoutes } from "./admin";
import { errorHandler } from "./error-handler";
import { createAuthenticator } from "./auth";
import { healthRoutes } from "./health";
import { requestLogging, type Logger } from "./logging";
import { eventsRouter } from "./events/router";
import { oauthRouter } from "./oauth/router";
import { rateLimitFor } from "./rate-limit";
import { scimRouter } from "./scim/router";
import { securityHeaders } from "./security-headers";
import { bulkAdmission } from "./bulk-admission";
import { shedWrites } from "./write-shedding";
import { requestDepth } from "./overload";
import { parseQueryOnce } from "./query-once";
import { v1Router } from "./v1/router";
import { sendV1Error } from "./v1-errors";

export interface AppDeps {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
  /** DNS for domain verification (src/infra/dns.ts); without it, Verify answers 503. */
  dns?: TxtResolver;
  /** Metrics and tracing (src/observability): middleware mounted first, and GET /metrics. */
  observe?: { before: RequestHandler[]; metricsRoute: RequestHandler };
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", "simple");
  parseQueryOnce(app); // express 5 parses req.query again at every read (./query-once.ts)
  if (deps.config.TRUST_PROXY !== false) app.set("trust proxy", deps.config.TRUST_PROXY); // a hop count or addresses, never `true` (config.ts)
  for (const handler of deps.observe?.before ?? []) app.use(handler);
  app.use(requestLogging(deps.logger));
  if (deps.observe) app.get("/metrics", deps.observe.metricsRoute);
  app.use(securityHeaders);
  healthRoutes(deps.store, app); // two routes on the application itself, not a router every request walks
  const depth = requestDepth(); // every request from its arrival, before tokens and bodies are read (./overload.ts)
  app.use(depth.handler);
  // What carries no valid token has a budget per address (./address-budget.ts); /healthz and /readyz do not.
  const budgets = addressBudgets({ anonymousPerMinute: deps.config.ANONYMOUS_PER_MINUTE, authFailuresPerMinute: deps.config.AUTH_FAILURES_PER_MINUTE });
  const authenticator = createAuthenticator(deps.store, deps.clock);
  const rateLimit = rateLimitFor(deps.config, deps.store, deps.logger); // one set of counters for every router
  // One monitor and one table of organizations' shares for every router (./write-shedding.ts, ./org-shares.ts).
  const shedding = shedWrites(deps.config.WRITES_SHED_LAG_MS, { depth: depth.depth, maxDepth: deps.config.OVERLOAD_QUEUE_DEPTH, parties: depth });
  const bulkSlots = bulkAdmission(deps.config.SCIM_BULK_CONCURRENCY, deps.config.SCIM_BULK_PER_ORGANIZATION, shedding.shares);
  // SCIM first: its hot routes are reached without walking the routers of the other doors (./scim/router.ts).
  const scim = scimRouter({
    store: deps.store,
    clock: deps.clock,
    publicUrl: deps.config.PUBLIC_URL,
    maxResults: deps.config.SCIM_MAX_RESULTS,
    invitationTtlHours: deps.config.INVITATION_TTL_HOURS,
    authenticator,
    bodyLimit: deps.config.BODY_LIMIT,
    membersReturned: deps.config.SCIM_GROUP_MEMBERS_RETURNED,
    bulk: { maxOperations: deps.config.SCIM_BULK_MAX_OPERATIONS, maxPayloadSize: deps.config.SCIM_BULK_MAX_PAYLOAD },
    provisioningErrors: { keep: deps.config.PROVISIONING_ERRORS_KEPT, days: deps.config.PROVISIONING_ERRORS_DAYS },
    rateLimit,
    shedWrites: shedding.handler,
    bulkAdmission: bulkSlots,
    authFailures: budgets.authFailures,
  });
  app.use("/scim/v2", scim.router, ...scim.fallback);
  app.use("/admin", budgets.anonymous, adminRoutes()); // the Admin Center: a static page over the public APIs (src/admin)
  // The OAuth 2.0 token endpoint and its metadata (./oauth/router.ts): the client's secret is the credential.
  app.use(oauthRouter({
    store: deps.store,
    clock: deps.clock,
    publicUrl: deps.config.PUBLIC_URL,
    ttlSeconds: deps.config.OAUTH_ACCESS_TOKEN_TTL_SECONDS,
    tokensPerClientPerMinute: deps.config.OAUTH_TOKENS_PER_CLIENT_PER_MINUTE,
    authFailures: budgets.authFailures,
    rateLimit,
  }));
  // SCIM events (RFC 9967): the RFC 8936 poll endpoint, whose credential is the stream's, and the SETs' signing key (./events/router.ts).
  app.use(eventsRouter({ store: deps.store, publicUrl: deps.config.PUBLIC_URL, pollWaitMs: deps.config.EVENTS_POLL_WAIT_MS, authFailures: budgets.authFailures, rateLimit }));
  app.use("/v1", v1Router({
    store: deps.store,
    clock: deps.clock,
    authenticator,
    bodyLimit: deps.config.BODY_LIMIT,
    publicUrl: deps.config.PUBLIC_URL,
    dns: deps.dns,
    invitationTtlHours: deps.config.INVITATION_TTL_HOURS,
    acceptPerMinute: deps.config.INVITATION_ACCEPT_PER_MINUTE,
    tokenTtlDays: deps.config.TOKEN_TTL_DAYS,
    rateLimit,
    shedWrites: shedding.handler,
    anonymous: budgets.anonymous,
    authFailures: budgets.authFailures,
    mailDelivery: deps.config.SMTP_URL ? "smtp" : "none",
    allowPrivateReceivers: deps.config.EVENTS_ALLOW_PRIVATE_RECEIVERS === "true",
  }).router);
  app.use(budgets.anonymous); // a path that exists nowhere is a token-less route too
  app.use((req: Request) => {
    throw Errors.routeNotFound(req.method, req.path, "SCIM lives under /scim/v2, the admin API under /v1 (see /v1/openapi.json), the OAuth token endpoint at /oauth/token; health under /healthz and /readyz.");
  });
  app.use(errorHandler(sendV1Error));
  flatFront(app, "/scim/v2"); // a plain SCIM request walks the layers above to the mount flat (./app-front.ts)
  return app;
}
