/**
 * What start-up wires for metrics (./metrics.ts) and traces (./tracing.ts), as configured, in one
 * place so src/server.ts stays a list of steps. With neither configured nothing is added: no
 * middleware, no store wrapper, no listener.
 *
 * Where /metrics is served: METRICS_PORT set: on its own plain-HTTP listener (METRICS_HOST,
 * default 127.0.0.1), and there too only with METRICS_TOKEN when that is set; METRICS_TOKEN alone:
 * on the main port, to `Authorization: Bearer <METRICS_TOKEN>` only; neither: off.
 */
import type { RequestHandler } from "express";
import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Config } from "../config/config";
import type { Store } from "../domain/ports/store";
import type { Logger } from "../http/logging";
import { instrumentStore, observers } from "../store/instrument";
import { sqlitePathOf } from "../store/open";
import type { CheckpointStat, Metrics } from "./metrics";
import { routeTemplates } from "./route-template";
import type { Tracing } from "./tracing";

export interface Observability {
  readonly metrics: Metrics | null;
  readonly tracing: Tracing | null;
  /** The store, observed (metrics and spans of its calls); itself when neither is on. */
  attach<S extends Store>(store: S): S;
  /** Mounted first in the app. */
  readonly before: RequestHandler[];
  /** GET /metrics on the main port. */
  readonly metricsRoute: RequestHandler;
  onCheckpoint?: (stat: CheckpointStat) => void;
  outboxReport?: (report: { sent: number; retrying: number; failed: number }) => void;
  recheckReport?: (report: object) => void;
  /** SCIM event push (src/infra/set-push.ts): each pass's outcomes, and each delivered SET's delay. */
  eventsReport?: (report: { delivered: number; refused: number; retrying: number }) => void;
  eventDelivered?: (delaySeconds: number) => void;
  /** Starts the METRICS_PORT listener, if configured; answers its port. */
  listen(): Promise<number | null>;
  close(): Promise<void>;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

function version(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

export async function startObservability(config: Config, logger: Logger): Promise<Observability> {
  const enabled = config.METRICS_TOKEN !== undefined || config.METRICS_PORT !== undefined;
  const storeKind = config.DATABASE_URL.startsWith("sqlite:") ? "sqlite" : "mongo";
  // prom-client and OpenTelemetry are loaded only when configured (start-up time and memory otherwise).
  const metrics = enabled ? (await import("./metrics")).createMetrics({ orgLimit: config.METRICS_ORG_LIMIT, sqlitePath: sqlitePathOf(config.DATABASE_URL) }) : null;
  const tracing = config.OTEL_EXPORTER_OTLP_ENDPOINT === undefined ? null
    : (await import("./tracing")).createTracing({ endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: config.OTEL_SERVICE_NAME, storeKind, version: version() });
  const observer = observers(metrics?.storeObserver, tracing?.storeObserver);
  const expected = config.METRICS_TOKEN === undefined ? null : digest(config.METRICS_TOKEN);
  const authorized = (header: string | undefined) => {
    if (expected === null) return true;
    const m = /^Bearer (\S+)$/.exec(header ?? "");
    return m !== null && timingSafeEqual(digest(m[1]!), expected);
  };
  const serve = async (authorization: string | undefined, reply: (status: number, headers: Record<string, string>, body: string) => void) => {
    if (!metrics) return reply(404, { "content-type": "text/plain" }, "Metrics are off: set METRICS_TOKEN (served here to that bearer token) or METRICS_PORT (a listener of their own).\n");
    if (!authorized(authorization)) return reply(401, { "content-type": "text/plain", "www-authenticate": 'Bearer realm="metrics"' }, "GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.\n");
    const { contentType, body } = await metrics.render();
    reply(200, { "content-type": contentType, "cache-control": "no-store" }, body);
  };
  let listener: http.Server | null = null;
  // The endpoint may carry credentials (user:password@): only its origin is logged.
  if (tracing) logger.info({ endpoint: new URL(config.OTEL_EXPORTER_OTLP_ENDPOINT!).origin }, "tracing on: spans go to OTEL_EXPORTER_OTLP_ENDPOINT over OTLP/HTTP");

  return {
    metrics,
    tracing,
    attach: (store) => {
      metrics?.watchStore(store);
      return instrumentStore(store, observer);
    },
    before: [...(metrics || tracing ? [routeTemplates] : []), ...(tracing ? [tracing.middleware] : []), ...(metrics ? [metrics.middleware] : [])],
    metricsRoute: (req, res, next) => {
      if (config.METRICS_PORT !== undefined) {
        res.status(404).type("text/plain").send(`Metrics are served on their own port (METRICS_PORT=${config.METRICS_PORT}).\n`);
        return;
      }
      serve(req.header("authorization"), (status, headers, body) => void res.status(status).set(headers).send(body)).catch(next);
    },
    ...(metrics ? {
      onCheckpoint: (s: CheckpointStat) => metrics.checkpoint(s),
      outboxReport: (r: { sent: number; retrying: number; failed: number }) => metrics.outboxReport(r),
      recheckReport: (r: object) => metrics.recheckReport(r),
      eventsReport: (r: { delivered: number; refused: number; retrying: number }) => metrics.eventsReport(r),
      eventDelivered: (seconds: number) => metrics.eventDelivered(seconds),
    } : {}),
    async listen() {
      if (!metrics || config.METRICS_PORT === undefined) return null;
      listener = http.createServer((req, res) => {
        const path = (req.url ?? "").split("?")[0];
        if (req.method !== "GET" || path !== "/metrics") {
          res.writeHead(404, { "content-type": "text/plain" }).end("Only GET /metrics is served on this port.\n");
          return;
        }
        serve(req.headers.authorization, (status, headers, body) => void res.writeHead(status, headers).end(body)).catch((e: unknown) => {
          logger.error({ err: e }, "metrics rendering failed");
          res.writeHead(500).end();
        });
      });
      await new Promise<void>((resolve, reject) => {
        listener!.once("error", reject);
        listener!.listen(config.METRICS_PORT, config.METRICS_HOST, () => resolve());
      });
      const port = (listener.address() as AddressInfo).port;
      logger.info({ host: config.METRICS_HOST, port }, "metrics listening");
      return port;
    },
    async close() {
      if (listener) await new Promise<void>((r) => listener!.close(() => r()));
      metrics?.stop();
      await tracing?.shutdown();
    },
  };
}
