/**
 * SCIM events' two routes at the server's root (docs/events.md):
 *
 * - `POST /events/poll`: RFC 8936 poll delivery. The credential is the stream's poll credential
 *   (`Authorization: Bearer oes_...`, shown once when the stream was made); it names the stream, so
 *   a receiver only ever sees and acknowledges its own stream's SETs. The body is
 *   `{maxEvents, returnImmediately, ack, setErrs}` (§2.4); the answer `{sets: {jti: SET},
 *   moreAvailable}` (§2.5). With returnImmediately false and nothing to answer, the request is held
 *   until a SET is written or EVENTS_POLL_WAIT_MS passes (a long poll).
 * - `GET /events/jwks.json`: the public key the SETs are signed with (RFC 7517).
 *
 * A wrong credential spends the address's failure budget, as a wrong bearer token does.
 */
import express, { Router, type NextFunction, type Request, type Response } from "express";
import { publishedKeys, signSet } from "../../domain/events-keys";
import type { EventStream, SetClaims } from "../../domain/events-model";
import { audienceOf } from "../../domain/events-push";
import { openPollStream, pollOnce, pollStreamStillOpen, type PollRequest } from "../../domain/events";
import type { Store } from "../../domain/ports/store";
import type { AuthFailureBudget } from "../address-budget";
import type { RateLimitHandler } from "../rate-limit";
import type { HealthLocals } from "../health";
import { statusOf } from "../scim-errors";
import { toDomainError } from "../translate-error";
import { linkOrigin, originOf } from "../v1/links";
import { PollWaiters } from "./poll-waiters";

export interface EventsHttpDeps {
  store: Store;
  publicUrl: string | undefined;
  /** The longest a poll with returnImmediately false is held (EVENTS_POLL_WAIT_MS). */
  pollWaitMs: number;
  authFailures?: AuthFailureBudget;
  /** The organizations' request budgets (../rate-limit.ts): a poll spends its stream's organization's. */
  rateLimit?: Pick<RateLimitHandler, "forOrg">;
}

/** The issuer of SETs (`iss`): PUBLIC_URL, else this request's origin (../v1/links.ts). */
export const setIssuer = (req: Request): string => originOf(req);


class PollError extends Error {
  constructor(readonly status: number, readonly err: string, description: string) {
    super(description);
  }
}

/** 401 to a credential that opens no live stream, or no longer does (RFC 6750 §3). */
function unauthenticated(res: Response): PollError {
  res.setHeader("WWW-Authenticate", 'Bearer realm="orgscim events", error="invalid_token"');
  return new PollError(401, "authentication_failed", "Send the stream's poll credential: Authorization: Bearer oes_... (shown once when the stream was made).");
}

function pollRequestOf(body: unknown): PollRequest {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new PollError(400, "invalid_request", "The poll body must be a JSON object (RFC 8936 §2.4).");
  const b = body as Record<string, unknown>;
  const known = new Set(["maxEvents", "returnImmediately", "ack", "setErrs"]);
  const unknown = Object.keys(b).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new PollError(400, "invalid_request", `Unknown poll parameter ${unknown[0]!.slice(0, 40)}: send maxEvents, returnImmediately, ack, setErrs (RFC 8936 §2.4).`);
  const out: PollRequest = {};
  if (b.maxEvents !== undefined) {
    if (typeof b.maxEvents !== "number" || !Number.isInteger(b.maxEvents) || b.maxEvents < 0) throw new PollError(400, "invalid_request", "maxEvents must be an integer, 0 or more.");
    out.maxEvents = b.maxEvents;
  }
  if (b.returnImmediately !== undefined) {
    if (typeof b.returnImmediately !== "boolean") throw new PollError(400, "invalid_request", "returnImmediately must be true or false.");
    out.returnImmediately = b.returnImmediately;
  }
  if (b.ack !== undefined) {
    if (!Array.isArray(b.ack) || b.ack.some((j) => typeof j !== "string") || b.ack.length > 1000) throw new PollError(400, "invalid_request", "ack must be an array of at most 1,000 jti strings.");
    out.ack = b.ack as string[];
  }
  if (b.setErrs !== undefined) {
    const errs = b.setErrs as Record<string, unknown>;
    if (errs === null || typeof errs !== "object" || Array.isArray(errs) || Object.keys(errs).length > 1000
      || Object.values(errs).some((e) => e === null || typeof e !== "object" || typeof (e as { err?: unknown }).err !== "string")) {
      throw new PollError(400, "invalid_request", "setErrs must be an object of at most 1,000 entries {jti: {err, description}}.");
    }
    out.setErrs = errs as PollRequest["setErrs"];
  }
  return out;
}

/** Whether the server is draining (SIGTERM): src/server.ts sets app.locals.draining (../health.ts). */
const draining = (locals: HealthLocals | null): boolean => locals?.draining?.() === true;

export function eventsRouter(deps: EventsHttpDeps): Router {
  const r = Router();
  const json = express.json({ limit: "256kb", type: () => true });
  const origin = linkOrigin(deps.publicUrl);
  // Held polls wait in one structure for the router (./poll-waiters.ts); the app's locals say whether it drains.
  let locals: HealthLocals | null = null;
  const waiters = new PollWaiters(() => draining(locals));

  r.get("/events/jwks.json", async (_req, res, next) => {
    try {
      res.setHeader("Cache-Control", "public, max-age=300");
      res.json(await publishedKeys(deps.store));
    } catch (e) {
      next(e);
    }
  });

  r.post("/events/poll", origin, async (req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    try {
      const header = req.get("authorization") ?? "";
      const credential = /^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? "";
      const wait = deps.authFailures ? await deps.authFailures.blocked(req, () => null) : null;
      if (wait !== null) {
        res.setHeader("Retry-After", String(wait));
        throw new PollError(429, "slow_down", `Too many failed authentications from this address. Retry after ${wait} seconds.`);
      }
      const stream = credential ? await openPollStream(deps.store, credential) : null;
      if (!stream) {
        await deps.authFailures?.failed(req);
        throw unauthenticated(res);
      }
      // The stream's organization's budget, shared with its tokens' requests (docs/security.md case 58).
      const over = deps.rateLimit ? await deps.rateLimit.forOrg(stream.orgId) : null;
      if (over !== null) {
        req.refusal = "org_budget";
        res.setHeader("Retry-After", String(over));
        throw new PollError(429, "slow_down", `This organization's request budget is spent. Retry after ${over} seconds.`);
      }
      await new Promise<void>((resolve, reject) => json(req, res, (e?: unknown) => (e ? reject(new PollError(400, "invalid_request", "The poll body is not JSON.")) : resolve())));
      const poll = pollRequestOf(req.body ?? {});
      let out = await pollOnce(deps.store, stream, poll);
      if (out.sets.length === 0 && poll.returnImmediately !== true && (poll.maxEvents ?? 1) > 0) {
        locals = req.app.locals as HealthLocals;
        await waiters.wait(stream.orgId, deps.pollWaitMs, req);
        // Answered as a new poll would be now: the maker's right, or the stream, may have gone meanwhile (case 91).
        if (!(await pollStreamStillOpen(deps.store, stream))) throw unauthenticated(res);
        out = await pollOnce(deps.store, stream, { ...poll, ack: [], setErrs: {} });
      }
      res.status(200).json({ sets: await signed(deps.store, setIssuer(req), stream, out.sets.map((s) => JSON.parse(s.claims) as SetClaims)), moreAvailable: out.moreAvailable });
    } catch (e) {
      next(e);
    }
  });

  r.use("/events", (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    res.setHeader("Cache-Control", "no-store");
    if (err instanceof PollError) return void res.status(err.status).json({ err: err.err, description: err.message });
    const e = toDomainError(err);
    const code = statusOf(e);
    if (code >= 500) req.log?.error({ err: e.cause ?? e }, "event poll failed");
    if (e.retryAfter !== undefined) res.setHeader("Retry-After", String(e.retryAfter));
    res.status(code).json({ err: code < 500 ? "invalid_request" : "server_error", description: e.message });
  });
  return r;
}

async function signed(store: Store, issuer: string, stream: EventStream, claims: SetClaims[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const c of claims) out[c.jti] = await signSet(store, c, issuer, audienceOf(issuer, stream.id));
  return out;
}
