/**
 * startServer(config): store → bootstrap → app → listen, with graceful shutdown. main.ts calls it;
 * tests call it too, so what they exercise is what runs.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { bootstrapIfEmpty, type BootstrapResult } from "./bootstrap";
import type { Config } from "./config/config";
import { systemClock, type Clock } from "./domain/clock";
import type { Store } from "./domain/ports/store";
import { createApp } from "./http/app";
import { createLogger, type Logger } from "./http/logging";
import { createTxtResolver } from "./infra/dns";
import { startDomainRecheck } from "./infra/domain-recheck";
import { startOutboxWorker } from "./infra/mailer";
import { openStore } from "./store/open";
import { openWithRetry, storeWaitMessage } from "./store/open-with-retry";
import { listen } from "./http/listen";
import { startObservability } from "./observability";

export interface RunningServer {
  url: string;
  port: number;
  store: Store;
  server: Server;
  bootstrap: BootstrapResult | null;
  logger: Logger;
  /** The METRICS_PORT listener's URL, when there is one. */
  metricsUrl: string | null;
  /** Stops accepting, lets in-flight requests finish (up to SHUTDOWN_TIMEOUT_MS), closes the store. */
  stop(): Promise<void>;
}

export async function startServer(config: Config, opts: { clock?: Clock; store?: Store } = {}): Promise<RunningServer> {
  const logger = createLogger(config.LOG_LEVEL);
  const clock = opts.clock ?? systemClock;
  const observability = await startObservability(config, logger); // metrics and traces, as configured (src/observability)
  const store = observability.attach(opts.store ?? (await openWithRetry(() => openStore(config.DATABASE_URL, {
    warn: (detail) => logger.warn({ detail }, "background WAL checkpoint failed; the store checkpoints on its own past 10,000 pages"),
    info: (message) => logger.info(message),
    onCheckpoint: observability.onCheckpoint,
  }), { retryForMs: config.STORE_START_RETRY_MS, onRetry: (i) => logger.warn(i, storeWaitMessage(i)) })));
  const bootstrap = await bootstrapIfEmpty(store, clock, { orgName: config.ORGSCIM_BOOTSTRAP_ORG_NAME, token: config.ORGSCIM_BOOTSTRAP_TOKEN });
  const dns = createTxtResolver({ servers: config.DNS_SERVERS, timeoutMs: config.DNS_TIMEOUT_MS });
  const app = createApp({ config, store, clock, logger, dns, observe: observability });
  const listening = await listen(app, config, logger); // HTTPS when TLS_CERT_FILE is set (src/http/listen.ts)
  const server = listening.server;
  const metricsPort = await observability.listen();
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const port = (server.address() as AddressInfo).port;
  const host = config.HOST === "0.0.0.0" || config.HOST === "::" ? "127.0.0.1" : config.HOST;
  const recheck = startDomainRecheck({ store, clock, dns, logger, intervalMs: config.DOMAIN_RECHECK_INTERVAL_MS, onReport: observability.recheckReport });
  const outbox = startOutboxWorker({ store, clock, logger, smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, intervalMs: config.OUTBOX_INTERVAL_MS, onReport: observability.outboxReport });

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      const recheckStopped = recheck.stop();
      const outboxStopped = outbox.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections become idle as their last response ends: close them as they do.
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const timer = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS);
      timer.unref();
      await closed;
      clearInterval(sweep);
      clearTimeout(timer);
      await recheckStopped;
      await outboxStopped;
      await store.close();
      listening.close();
      await observability.close(); // last: the store calls' spans are sent too
    })();
    return stopping;
  };
  const metricsUrl = metricsPort === null ? null : `http://${config.METRICS_HOST === "0.0.0.0" || config.METRICS_HOST === "::" ? "127.0.0.1" : config.METRICS_HOST}:${metricsPort}`;
  return { url: `${listening.scheme}://${host}:${port}`, port, store, server, bootstrap, logger, metricsUrl, stop };
}
