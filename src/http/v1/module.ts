/**
 * What every /v1 resource module is given (./router.ts builds it) and the shape each exports: the
 * modules import this file, never the router that lists them.
 */
import type { RequestHandler, Router } from "express";
import type passport from "passport";
import type { Clock } from "../../domain/clock";
import type { TxtResolver } from "../../domain/ports/dns";
import type { Store } from "../../domain/ports/store";
import type { AuthFailureBudget } from "../address-budget";
import type { ApiRegistry } from "./openapi";

export interface V1Deps {
  store: Store;
  clock: Clock;
  authenticator: passport.Authenticator;
  bodyLimit: string;
  publicUrl: string | undefined;
  /** DNS for domain verification; absent: Verify answers 503. */
  dns?: TxtResolver | undefined;
  /** INVITATION_TTL_HOURS; absent: 168. */
  invitationTtlHours?: number | undefined;
  /** TOKEN_TTL_DAYS: the expiry of a token made without date_expires; absent or 0: none. */
  tokenTtlDays?: number | undefined;
  /** INVITATION_ACCEPT_PER_MINUTE, per client address; absent or 0: no limit. */
  acceptPerMinute?: number | undefined;
  /** Per-token and per-organization budgets (../rate-limit.ts), shared with /scim/v2. */
  rateLimit?: RequestHandler | undefined;
  /** Write shedding (../write-shedding.ts), shared with /scim/v2. */
  shedWrites?: RequestHandler | undefined;
  /** The per-address budget of token-less routes (../address-budget.ts): /v1/openapi.json. */
  anonymous?: RequestHandler | undefined;
  /** The per-address budget of failed authentications (../address-budget.ts), shared with /scim/v2. */
  authFailures?: AuthFailureBudget | undefined;
  /** EVENTS_ALLOW_PRIVATE_RECEIVERS: push receivers on private addresses and plain http (tests, labs). */
  allowPrivateReceivers?: boolean | undefined;
  /** Whether mail leaves the outbox: smtp when SMTP_URL is set, none when it stays there (absent: none). */
  mailDelivery?: "smtp" | "none" | undefined;
}

/** Each resource module exports one function of this shape and is listed in V1_MODULES. */
export type V1Module = (r: Router, registry: ApiRegistry, deps: V1Deps) => void;
