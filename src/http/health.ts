/**
 * GET /healthz (the process answers) and GET /readyz (this process takes new work now: it is not
 * draining, and the store can take writes: on SQLite its file is still the one opened, its disk
 * has room and a probe write commits; on MongoDB a probe write is acknowledged by a majority,
 * journaled, within a second). A not-ready answer says nothing of why (no path leaves the server);
 * the reason goes to the log.
 *
 * Draining: src/server.ts sets `app.locals.draining` (a function) on the app it serves; once it
 * answers true (SIGTERM), /readyz answers 503 so that a load balancer still probing takes this
 * process out, while /healthz stays 200 (the process is alive and finishing its requests).
 */
import { Router, type IRouter, type Request } from "express";
import type { Store } from "../domain/ports/store";

/** What src/server.ts puts in `app.locals` for these routes. */
export interface HealthLocals {
  draining?: () => boolean;
}

function reasonOf(e: unknown): string {
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
  return cause instanceof Error ? cause.message : String(cause);
}

const draining = (req: Request): boolean => (req.app.locals as HealthLocals).draining?.() === true;

/** Registered on `r`: the application itself (src/http/app.ts), so that no request walks a router of its own for them. */
export function healthRoutes(store: Store, r: IRouter = Router()): IRouter {
  r.get("/healthz", (_req, res) => void res.json({ status: "ok" }));
  r.get("/readyz", async (req, res) => {
    if (draining(req)) {
      res.setHeader("Retry-After", "5");
      res.status(503).json({ status: "draining", store: store.kind, message: "This server is shutting down: it answers the requests it has and takes no new work. Send new requests to another instance." });
      return;
    }
    try {
      await store.ping();
      res.json({ status: "ready", store: store.kind });
    } catch (e) {
      req.log?.warn({ reason: reasonOf(e) }, "/readyz: not ready: the store cannot take writes");
      res.setHeader("Retry-After", "5");
      res.status(503).json({ status: "unavailable", store: store.kind, message: "The store cannot take writes now (the server's log says why); retry shortly." });
    }
  });
  // What express answers to OPTIONS on a router's routes (they were a router of their own once).
  r.options(["/healthz", "/readyz"], (_req, res) => {
    res.setHeader("Allow", "GET, HEAD");
    res.setHeader("Content-Type", "text/plain");
    res.end("GET, HEAD");
  });
  return r;
}
