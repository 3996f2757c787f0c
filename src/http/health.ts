/** GET /healthz (the process answers) and GET /readyz (the store answers). */
import { Router } from "express";
import type { Store } from "../domain/ports/store";

export function healthRoutes(store: Store): Router {
  const r = Router();
  r.get("/healthz", (_req, res) => void res.json({ status: "ok" }));
  r.get("/readyz", async (_req, res) => {
    try {
      await store.ping();
      res.json({ status: "ready", store: store.kind });
    } catch {
      res.setHeader("Retry-After", "5");
      res.status(503).json({ status: "unavailable", store: store.kind, message: "The store does not answer; retry shortly." });
    }
  });
  return r;
}
