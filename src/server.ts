/**
 * startServer(config): listen → store → bootstrap → app, with graceful shutdown. main.ts calls it;
 * tests call it too, so what they exercise is what runs.
 *
 * The port is bound first: a busy port stops the start with a clear message before a store is
 * opened (or created). Until the app is ready, requests are answered 503 with Retry-After. The
 * first organization and its token are created only then (src/bootstrap.ts), so a token is never
 * made that a failed start cannot show.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { bootstrapIfEmpty, type BootstrapResult } from "./bootstrap";
import type { Config } from "./config/config";
import { systemClock, type Clock } from "./domain/clock";
import type { SharedCounters, Store } from "./domain/ports/store";
import { createApp } from "./http/app";
import { createLogger, type Logger } from "./http/logging";
import { createTxtResolver } from "./infra/dns";
import { startDomainRecheck } from "./infra/domain-recheck";
import { startOutboxWorker } from "./infra/mailer";
import { startEventPusher } from "./infra/set-push";
import { openStore, sqlitePathOf } from "./store/open";
import { StoreOpenError } from "./store/sqlite/open-errors";
import { StoreVanished } from "./store/sqlite/store-marker";
import { openWithRetry, storeWaitMessage } from "./store/open-with-retry";
import { drainable } from "./http/drain";
import type { HealthLocals } from "./http/health";
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

/** A start that cannot proceed, with what to do; nothing was created. main.ts prints the message alone. */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StartupError";
  }
}

function listenError(e: NodeJS.ErrnoException, port: number, host: string): Error {
  const where = `port ${port} on ${host}`;
  const none = "Nothing was created or changed.";
  switch (e.code) {
    case "EADDRINUSE": return new StartupError(`Cannot listen: ${where} is already in use (another orgscim, or another program). Stop it, or start with PORT set to a free port. ${none}`, { cause: e });
    case "EACCES": return new StartupError(`Cannot listen: ${where} needs privileges this process does not have. Use a port above 1023 (PORT), or a proxy in front. ${none}`, { cause: e });
    case "EADDRNOTAVAIL": return new StartupError(`Cannot listen: ${host} is not an address of this machine. Set HOST to one of its addresses, or 0.0.0.0 for all. ${none}`, { cause: e });
    default: return e;
  }
}

/** What a request meets while the server starts (store not yet open, app not yet built). */
function starting(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(503, { "content-type": "application/json", "retry-after": "1" });
  res.end(JSON.stringify({ status: 503, detail: "orgscim is starting; retry in a second." }));
}

export interface StartOptions {
  clock?: Clock;
  store?: Store;
  /**
   * Whether this process runs the background work: the outbox, the domain re-check and SQLite's
   * WAL checkpoints (default true). WORKERS=N runs it in one worker only (src/cluster.ts).
   */
  background?: boolean;
  /** This process's number among the workers of a WORKERS=N server, for its log lines. */
  worker?: number;
  /** Request-budget counters shared with the other processes of this server (src/cluster-counters.ts). */
  counters?: SharedCounters;
}

export async function startServer(config: Config, opts: StartOptions = {}): Promise<RunningServer> {
  const background = opts.background !== false;
  // In a WORKERS=N server every line says which worker wrote it (src/cluster.ts).
  const logger = opts.worker === undefined ? createLogger(config.LOG_LEVEL) : createLogger(config.LOG_LEVEL).child({ worker: opts.worker });
  const clock = opts.clock ?? systemClock;
  const observability = await startObservability(config, logger); // metrics and traces, as configured (src/observability)
  // The port first (HTTPS when TLS_CERT_FILE is set: src/http/listen.ts), answering 503 until the app is ready.
  let listening: Awaited<ReturnType<typeof listen>>;
  try {
    listening = await listen(starting, config, logger);
  } catch (e) {
    await observability.close().catch(() => undefined);
    throw listenError(e as NodeJS.ErrnoException, config.PORT, config.HOST);
  }
  const server = listening.server;
  const drainer = drainable(server); // from the first connection on: SIGTERM answers every request received (src/http/drain.ts)
  let store: Store | undefined;
  let bootstrap: BootstrapResult | null;
  let app: ReturnType<typeof createApp>;
  let dns: ReturnType<typeof createTxtResolver>;
  try {
    store = observability.attach(opts.store ?? (await openWithRetry(() => openStore(config.DATABASE_URL, {
      warn: (detail) => logger.warn({ detail }, "background WAL checkpoint failed; the store checkpoints on its own past 10,000 pages"),
      info: (message) => logger.info(message),
      onCheckpoint: observability.onCheckpoint,
      durability: config.DURABILITY,
      groupCommit: config.SQLITE_GROUP_COMMIT === "on",
      checkpointsElsewhere: !background,
      otherWriters: opts.worker !== undefined,
      onFileProblem: (problem) => {
        if (problem) logger.error({ store: sqlitePathOf(config.DATABASE_URL) }, `STORE LOST: ${problem}. Writes are refused (503) and /readyz answers 503 until it is back; this process still holds the old file open and serves reads from it. Stop orgscim, put the store file back (or restore a backup: README, Backups), then start it again.`);
        else logger.warn({ store: sqlitePathOf(config.DATABASE_URL) }, "the store file is back at its path (the same file): writes are taken again");
      },
      onSyncFailure: (problem) => logger.error({ store: sqlitePathOf(config.DATABASE_URL) }, `STORE WRITE FAILED: ${problem}. Writes are refused (503) and /readyz answers 503. Check the disk (dmesg), then restart orgscim: it recovers the store from its file.`),
    }), { retryForMs: config.STORE_START_RETRY_MS, onRetry: (i) => logger.warn(i, storeWaitMessage(i)) })));
    // A store whose own counters are shared (MongoDB) keeps them; SQLite takes the cluster's.
    if (opts.counters && !store.counters) store = { ...store, counters: opts.counters };
    bootstrap = await bootstrapIfEmpty(store, clock, { orgName: config.ORGSCIM_BOOTSTRAP_ORG_NAME, token: config.ORGSCIM_BOOTSTRAP_TOKEN });
    dns = createTxtResolver({ servers: config.DNS_SERVERS, timeoutMs: config.DNS_TIMEOUT_MS });
    app = createApp({ config, store, clock, logger, dns, observe: observability });
  } catch (caught) {
    // A store that cannot be opened for a reason waiting cannot fix: its message names the path and the reason.
    const e = caught instanceof StoreOpenError || caught instanceof StoreVanished ? new StartupError(caught.message, { cause: caught }) : caught;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    listening.close();
    if (store && !opts.store) await store.close().catch(() => undefined);
    await observability.close().catch(() => undefined);
    throw e;
  }
  // The app takes over from the 503 answer: it is then the server's one request listener.
  server.off("request", starting as RequestListener);
  (app.locals as HealthLocals).draining = () => drainer.draining; // /readyz answers 503 from SIGTERM on (src/http/health.ts)
  listening.adopt(app); // requests are born with the app's prototypes from now on (src/http/request-classes.ts)
  server.on("request", app);
  const metricsPort = await observability.listen();
  const port = (server.address() as AddressInfo).port;
  const host = config.HOST === "0.0.0.0" || config.HOST === "::" ? "127.0.0.1" : config.HOST;
  // Background work in one process only (WORKERS=N: src/cluster.ts); an interval of 0 starts nothing.
  const idle = { stop: async () => undefined };
  const recheck = background ? startDomainRecheck({ store, clock, dns, logger, intervalMs: config.DOMAIN_RECHECK_INTERVAL_MS, onReport: observability.recheckReport }) : idle;
  const outbox = background ? startOutboxWorker({ store, clock, logger, smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, intervalMs: config.OUTBOX_INTERVAL_MS, onReport: observability.outboxReport }) : idle;
  // SCIM events to push receivers (src/infra/set-push.ts); their `iss` is PUBLIC_URL, else this server's URL.
  const pusher = background ? startEventPusher({
    store, clock, logger, issuer: (config.PUBLIC_URL ?? `${listening.scheme}://${host}:${port}`).replace(/\/+$/, ""),
    intervalMs: config.EVENTS_PUSH_INTERVAL_MS, retryBaseMs: config.EVENTS_RETRY_BASE_MS, allowPrivate: config.EVENTS_ALLOW_PRIVATE_RECEIVERS === "true",
    ...(observability.eventsReport ? { onReport: observability.eventsReport } : {}), ...(observability.eventDelivered ? { onDelivered: observability.eventDelivered } : {}),
  }) : idle;

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      const recheckStopped = recheck.stop();
      const outboxStopped = outbox.stop();
      const pusherStopped = pusher.stop();
      const drained = await drainer.drain(config.SHUTDOWN_TIMEOUT_MS, (n, queued) =>
        logger.error({ acceptedDuringDrain: n, resetInKernelQueue: queued }, "stopped listening at 90% of SHUTDOWN_TIMEOUT_MS with work still coming: connections still queued were reset. Either new connections kept arriving (take the instance out of the load balancer before SIGTERM) or the backlog received before the signal could not be answered in time (raise SHUTDOWN_TIMEOUT_MS, or add capacity)."));
      if (drained.destroyed > 0) {
        logger.error(drained, `SHUTDOWN_TIMEOUT_MS (${config.SHUTDOWN_TIMEOUT_MS} ms) ran out: ${drained.cut} request(s) were cut off unanswered, ${drained.destroyed} connection(s) closed`);
      }
      await recheckStopped;
      await outboxStopped;
      await pusherStopped;
      await store.close();
      listening.close();
      await observability.close(); // last: the store calls' spans are sent too
    })();
    return stopping;
  };
  const metricsUrl = metricsPort === null ? null : `http://${config.METRICS_HOST === "0.0.0.0" || config.METRICS_HOST === "::" ? "127.0.0.1" : config.METRICS_HOST}:${metricsPort}`;
  return { url: `${listening.scheme}://${host}:${port}`, port, store, server, bootstrap, logger, metricsUrl, stop };
}
