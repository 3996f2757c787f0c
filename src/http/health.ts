/**
 * GET /healthz (the process answers) and GET /readyz (the store can take writes now: on SQLite its
 * file is still the one opened, its disk has room and a probe write commits; on MongoDB a primary
 * answers within a second). A not-ready answer says nothing of why (no path leaves the server);
 * the reason goes to the log.
 */
import { Router } from "express";
import type { Store } from "../domain/ports/store";

function reasonOf(e: unknown): string {
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
  return cause instanceof Error ? cause.message : String(cause);
}

export function healthRoutes(store: Store): Router {
  const r = Router();
  r.get("/healthz", (_req, res) => void res.json({ status: "ok" }));
  r.get("/readyz", async (req, res) => {
    try {
      await store.ping();
      res.json({ status: "ready", store: store.kind });
    } catch (e) {
      req.log?.warn({ reason: reasonOf(e) }, "/readyz: not ready: the store cannot take writes");
      res.setHeader("Retry-After", "5");
      res.status(503).json({ status: "unavailable", store: store.kind, message: "The store cannot take writes now (the server's log says why); retry shortly." });
    }
  });
  return r;
}
