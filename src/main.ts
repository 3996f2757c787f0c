/**
 * Entry point: `node dist/main.js` (npm start). Configuration from the environment (see --help),
 * graceful shutdown on SIGTERM and SIGINT.
 */
import "./v8-heap"; // first: before any of the request path's code is loaded
import { CONFIG_HELP, ConfigError, loadConfig } from "./config/config";
import { recordTokenShown, unshownBootstrapToken } from "./bootstrap";
import { systemClock } from "./domain/clock";
import { StartupError, startServer } from "./server";
import cluster from "node:cluster";
import { isClusterMessage, runPrimary, workerCount, workerRole, type ClusterMessage } from "./cluster";
import { workerCounters } from "./cluster-counters";
import { createLogger } from "./http/logging";

async function main(): Promise<void> {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    console.log("orgscim: a SCIM 2.0 provisioning server for organizations.\n\nUsage: npm start  (or: node dist/main.js)\n\nEnvironment:");
    for (const [name, text] of CONFIG_HELP) console.log(`  ${name.padEnd(30)} ${text}`);
    console.log("\nManage organizations and tokens with: npx orgscim --help");
    return;
  }
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`orgscim cannot start.\n${e.message}\nFix the variable(s) above and start again (see: node dist/main.js --help).`);
      process.exit(2);
    }
    throw e;
  }
  // WORKERS=N: this process becomes the primary of N server processes (src/cluster.ts).
  if (cluster.isPrimary && workerCount(config.WORKERS) > 1) {
    const code = await runPrimary(config, createLogger(config.LOG_LEVEL));
    process.exit(code);
  }
  const role = workerRole();
  // Signals are taken as soon as the server has started, before the first token is printed: a
  // SIGTERM that came while the write recording that the token was shown was under way used to
  // kill the process (the handlers came after it), and the next start said the token was never
  // shown. A signal in that window is answered, by a drain, once the write is done. (While the
  // server starts, a signal still stops it at once: it may be waiting for its store.)
  let running: Awaited<ReturnType<typeof startServer>> | undefined;
  let startedUp = (): void => {};
  const started = new Promise<void>((resolve) => { startedUp = resolve; });
  let signals = 0;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    void started.then(() => {
      const r = running as NonNullable<typeof running>;
      r.logger.info({ signal }, "shutting down: finishing in-flight requests");
      r.stop().then(
        () => process.exit(0),
        (e: unknown) => {
          r.logger.error({ err: e }, "shutdown failed");
          process.exit(1);
        },
      );
    });
  };
  const onSignal = (signal: string) => {
    signals += 1;
    if (signals > 1) process.exit(1);
    stop(signal);
  };
  try {
    running = await startServer(config, role ? { background: role.background, counters: workerCounters(), worker: role.index } : {});
  } catch (e) {
    if (e instanceof StartupError) {
      console.error(`orgscim cannot start. ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));
  if (running.bootstrap?.generatedToken) {
    console.log([
      "",
      "  orgscim created your first organization.",
      `  Organization: ${running.bootstrap.orgId}`,
      `  Admin token (shown once, stored only as a hash):`,
      "",
      `    ${running.bootstrap.generatedToken}`,
      "",
      `  Try: curl -H "Authorization: Bearer <token>" ${running.url}/readyz`,
      `  SCIM base URL for Okta or Entra: ${running.url}/scim/v2`,
      "",
    ].join("\n"));
    await recordTokenShown(running.store, systemClock, running.bootstrap);
  } else if (!running.bootstrap && (!role || role.index === 1)) { // said once, by the worker that starts first
    const lost = await unshownBootstrapToken(running.store);
    if (lost) console.log(`\n${lost.replace(/^/gm, "  ")}\n`);
  }
  running.logger.info({ url: running.url, store: running.store.kind }, "orgscim listening");
  startedUp();
  if (role) {
    // The primary forwards its SIGTERM/SIGINT as a message: with a Ctrl-C that reached this process
    // from the terminal as well, that is still one request to drain, not a second signal.
    process.on("message", (m: unknown) => { if (isClusterMessage(m, "shutdown")) stop((m as { signal: string }).signal); });
    process.send?.({ orgscim: "ready", port: running.port } satisfies ClusterMessage);
  }
}

main().catch((e: unknown) => {
  console.error("orgscim failed to start:", e instanceof Error ? e.message : e);
  process.exit(1);
});
