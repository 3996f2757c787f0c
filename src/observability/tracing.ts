/**
 * OpenTelemetry traces, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: a server span per request
 * (continuing the caller's trace when it sends `traceparent`, W3C Trace Context), a client span per
 * store call beneath it (through the store's observer, src/store/instrument.ts), spans sent over
 * OTLP/HTTP (JSON) to <endpoint>/v1/traces in batches, and the trace id on the request's log lines
 * (req.traceId, read by src/http/logging.ts). No global tracer provider is registered: only the
 * context manager, so that store calls find the request's span.
 */
import { context, defaultTextMapGetter, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Tracer } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { NextFunction, Request, Response } from "express";
import "../http/logging"; // req.traceId
import type { StoreObserver } from "../store/instrument";
import "./route-template";

export interface Tracing {
  middleware(req: Request, res: Response, next: NextFunction): void;
  readonly storeObserver: StoreObserver;
  /** Sends the spans still buffered and stops. */
  shutdown(): Promise<void>;
}

export function createTracing(options: { endpoint: string | undefined; serviceName: string; storeKind: string; version: string }): Tracing | null {
  if (!options.endpoint) return null;
  const exporter = new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, "")}/v1/traces` });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": options.serviceName, "service.version": options.version }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const tracer: Tracer = provider.getTracer("orgscim", options.version);
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const propagator = new W3CTraceContextPropagator();

  return {
    middleware(req, res, next) {
      const parent = propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
      const span = tracer.startSpan(req.method, {
        kind: SpanKind.SERVER,
        attributes: { "http.request.method": req.method, "url.path": req.path, "server.port": req.socket.localPort ?? 0 },
      }, parent);
      req.traceId = span.spanContext().traceId;
      const active = trace.setSpan(parent, span);
      // Body parsers resume the chain from the request stream's events, outside this context:
      // bound emitters run their listeners in it.
      context.bind(active, req);
      context.bind(active, res);
      res.once("finish", () => {
        const route = req.routeTemplate ?? `${req.baseUrl}/*`;
        span.updateName(`${req.method} ${route}`);
        span.setAttribute("http.route", route);
        span.setAttribute("http.response.status_code", res.statusCode);
        if (req.actor) span.setAttribute("orgscim.org", req.actor.org.id);
        if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      });
      context.with(active, next);
    },
    storeObserver: {
      begin(op) {
        const parent = context.active();
        if (trace.getSpan(parent) === undefined) return () => undefined; // background work: no trace
        const span = tracer.startSpan(`store ${op}`, { kind: SpanKind.CLIENT, attributes: { "db.system.name": options.storeKind === "mongo" ? "mongodb" : "sqlite", "db.operation.name": op } }, parent);
        return (error) => {
          if (error !== undefined) {
            span.recordException(error instanceof Error ? error : String(error));
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
          span.end();
        };
      },
    },
    async shutdown() {
      await provider.shutdown();
      context.disable();
    },
  };
}
