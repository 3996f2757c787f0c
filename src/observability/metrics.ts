/**
 * Prometheus metrics (prom-client), the one module that knows it. The domain never sees it:
 * requests are counted by an HTTP middleware, store calls through the store's observer
 * (src/store/instrument.ts), the outbox and the domain re-check through their workers' report
 * hooks, SQLite checkpoints through the store's onCheckpoint option, refusals (429) from the reason
 * the refusing middleware writes on the request (src/http/refusal.ts).
 *
 * Cardinality is bounded by construction: `route` is the route template (or "<mount>/*" when no
 * route matched), `status` an HTTP status, `org` one of the first METRICS_ORG_LIMIT organizations
 * this process served (the rest count under "other"), `op` a store method. Mount ./route-template.ts
 * before the middleware.
 */
import type { NextFunction, Request, Response } from "express";
import { statSync } from "node:fs";
import { performance } from "node:perf_hooks";
import client from "prom-client";
import type { Store } from "../domain/ports/store";
import "../http/refusal";
import "./route-template";
import type { StoreObserver } from "../store/instrument";

export interface MetricsOptions {
  /** Organizations with their own series; later ones count under org="other". */
  orgLimit: number;
  /** The SQLite file, for the WAL size (null for MongoDB). */
  sqlitePath: string | null;
}

export interface CheckpointStat {
  /** Frames in the WAL and frames of it already copied into the database file. */
  walFrames: number;
  checkpointedFrames: number;
}

export interface Metrics {
  readonly registry: client.Registry;
  /** Counts and times every request (mount it first). */
  middleware(req: Request, res: Response, next: NextFunction): void;
  readonly storeObserver: StoreObserver;
  /** The store whose outbox backlog the scrape reads. */
  watchStore(store: Store): void;
  outboxReport(report: { sent: number; retrying: number; failed: number }): void;
  recheckReport(report: object): void;
  eventsReport(report: { delivered: number; refused: number; retrying: number }): void;
  eventDelivered(delaySeconds: number): void;
  checkpoint(stat: CheckpointStat): void;
  /** The exposition text. */
  render(): Promise<{ contentType: string; body: string }>;
  stop(): void;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2];
/** The outbox backlog is counted up to this many messages per scrape (an index count); past it the gauge says this number. */
export const OUTBOX_BACKLOG_CAP = 100_000;

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const requests = new client.Histogram({
    name: "orgscim_http_request_duration_seconds",
    help: "HTTP requests by method, route template and status: latency (its _count is the request count)",
    labelNames: ["method", "route", "status"] as const, buckets: LATENCY_BUCKETS, registers: [registry],
  });
  const refused = new client.Counter({
    name: "orgscim_http_refused_total",
    help: "Requests refused with 429, by reason: token_budget, org_budget, address_budget (RATE_LIMIT_*, INVITATION_ACCEPT_PER_MINUTE), writes_shed (WRITES_SHED_LAG_MS), overload (OVERLOAD_QUEUE_DEPTH), bulk_concurrency (SCIM_BULK_CONCURRENCY)",
    labelNames: ["reason"] as const, registers: [registry],
  });
  const byOrg = new client.Counter({
    name: "orgscim_org_requests_total",
    help: "Authenticated requests per organization (the first METRICS_ORG_LIMIT organizations seen by this process; the rest under org=\"other\")",
    labelNames: ["org"] as const, registers: [registry],
  });
  const storeCalls = new client.Histogram({
    name: "orgscim_store_call_duration_seconds",
    help: "Store calls (repository methods, transactions, ping) by operation and outcome: latency",
    labelNames: ["op", "outcome"] as const, buckets: STORE_BUCKETS, registers: [registry],
  });
  const outboxSends = new client.Counter({
    name: "orgscim_outbox_messages_total",
    help: "Outbox mail by result of a send attempt: sent, retrying (failed, will be retried), failed (given up)",
    labelNames: ["result"] as const, registers: [registry],
  });
  const recheck = new client.Counter({
    name: "orgscim_domain_recheck_total",
    help: "Domains looked at by the periodic DNS re-check (result=checked), and what came of them: verified, revalidating (token not found, grace period), removed, unavailable (DNS did not answer)",
    labelNames: ["result"] as const, registers: [registry],
  });
  const eventSends = new client.Counter({
    name: "orgscim_event_sets_total",
    help: "SCIM event (RFC 9967) push attempts by result: delivered (2xx), refused (400: kept as failed), retrying (no answer or another status: tried again after a backoff)",
    labelNames: ["result"] as const, registers: [registry],
  });
  const eventDelay = new client.Histogram({
    name: "orgscim_event_delivery_delay_seconds",
    help: "Seconds from a change's commit (its SET written) to a push receiver's 2xx for that SET",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600], registers: [registry],
  });
  const recheckRuns = new client.Counter({ name: "orgscim_domain_recheck_runs_total", help: "Completed runs of the periodic domain re-check", registers: [registry] });
  let stat: (CheckpointStat & { at: number }) | null = null;
  let watched: Store | null = null;

  new client.Gauge({
    name: "orgscim_outbox_backlog", help: `Mail waiting in the outbox (status pending; counted up to ${OUTBOX_BACKLOG_CAP})`, registers: [registry],
    async collect() {
      if (!watched) return;
      try {
        this.set(await watched.outbox.countPending(OUTBOX_BACKLOG_CAP));
      } catch { /* the store is down: /readyz says so; keep the last value */ }
    },
  });
  if (options.sqlitePath !== null) {
    const wal = `${options.sqlitePath}-wal`;
    new client.Gauge({
      name: "orgscim_sqlite_wal_bytes", help: "Size of the SQLite WAL file", registers: [registry],
      collect() {
        try { this.set(statSync(wal).size); } catch { this.set(0); }
      },
    });
    new client.Gauge({
      name: "orgscim_sqlite_checkpoint_lag_frames", help: "WAL frames not yet copied into the database file at the last background checkpoint", registers: [registry],
      collect() { if (stat) this.set(stat.walFrames - stat.checkpointedFrames); },
    });
    new client.Gauge({
      name: "orgscim_sqlite_checkpoint_age_seconds", help: "Seconds since the last background checkpoint completed", registers: [registry],
      collect() { if (stat) this.set((performance.now() - stat.at) / 1000); },
    });
  }

  const orgs = new Set<string>();
  const orgLabel = (id: string) => {
    if (orgs.has(id)) return id;
    if (orgs.size < options.orgLimit) { orgs.add(id); return id; }
    return "other";
  };

  return {
    registry,
    middleware(req, res, next) {
      const start = performance.now();
      res.once("finish", () => {
        const status = res.statusCode;
        const labels = { method: req.method, route: req.routeTemplate ?? `${req.baseUrl}/*`, status: String(status) };
        requests.observe(labels, (performance.now() - start) / 1000);
        if (status === 429) refused.inc({ reason: req.refusal ?? "other" });
        const org = req.actor?.org.id;
        if (org) byOrg.inc({ org: orgLabel(org) });
      });
      next();
    },
    storeObserver: {
      begin(op) {
        const start = performance.now();
        return (error) => storeCalls.observe({ op, outcome: error === undefined ? "ok" : "error" }, (performance.now() - start) / 1000);
      },
    },
    watchStore(store) { watched = store; },
    outboxReport(report) {
      for (const result of ["sent", "retrying", "failed"] as const) if (report[result] > 0) outboxSends.inc({ result }, report[result]);
    },
    eventsReport(report) {
      for (const result of ["delivered", "refused", "retrying"] as const) if (report[result] > 0) eventSends.inc({ result }, report[result]);
    },
    eventDelivered(seconds) { eventDelay.observe(seconds); },
    recheckReport(report) {
      recheckRuns.inc();
      for (const [result, n] of Object.entries(report as Record<string, unknown>)) if (typeof n === "number" && n > 0) recheck.inc({ result }, n);
    },
    checkpoint(s) { stat = { ...s, at: performance.now() }; },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    stop() { registry.clear(); },
  };
}
