/**
 * `npm run bench -- --fairness [--seconds N] [--out DIR]` (issue 14 item 3): how much one
 * organization's load delays another's.
 *
 * The production server (`node dist/main.js`, default configuration, pinned to core 0) serves two
 * organizations from one SQLite store. A quiet organization runs a steady identity-provider
 * workload from this process: cycles of POST /Users, PATCH (active false), GET by id, one cycle
 * every 100 ms on one keep-alive connection, each request timed with performance.now(). It runs
 * alone first (the baseline), then while a load generator pinned to core 1 floods the server:
 * - `writes`: another organization's POST /Users on 20 connections;
 * - `bulk`: another organization's /Bulk of 100 creates on 4 connections;
 * - `openapi`: GET /v1/openapi.json without a token on 20 connections;
 * - `bad-token`: GET /scim/v2/Users with an unknown token on 20 connections.
 * Every client is 127.0.0.1, so the floods without a token share the quiet organization's address
 * (the hardest case for per-address budgets). For each phase it reports the quiet organization's
 * p50, p99 and max, its statuses (a 429 is a refusal it suffered), and the flood's rate and
 * statuses; results go to DIR (fairness.json, and the table as markdown).
 *
 * The bound (docs/hardening.md): while another organization floods, the quiet one's p99 stays
 * within its baseline p99 + WRITES_SHED_LAG_MS + the longest single request the flood can make
 * (one /Bulk operation batch yields between operations), and it is not refused.
 */
import { spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FloodJob, FloodKind, FloodResult } from "./fairness-flood";
import { product, ROOT } from "./product";
import { startLoadGenerator, startServer } from "./servers";
import { percentile, round } from "./stats";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const CONNECTIONS: Record<FloodKind, number> = { writes: 20, bulk: 4, openapi: 20, "bad-token": 20 };

interface Phase {
  flood: FloodKind | "none";
  quiet: { requests: number; p50: number; p99: number; max: number; statuses: Record<string, number> };
  floodResult?: FloodResult;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function send(url: string, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: string }> {
  const u = new URL(path, url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, agent, headers: {
      authorization: `Bearer ${token}`, accept: "application/scim+json",
      ...(payload === undefined ? {} : { "content-type": "application/scim+json", "content-length": Buffer.byteLength(payload) }),
    } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => { text += d; });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/** The quiet organization's workload for `seconds`: latencies of every request and their statuses. */
async function quietWorkload(url: string, token: string, seconds: number, tag: string): Promise<Phase["quiet"]> {
  const times: number[] = [];
  const statuses: Record<string, number> = {};
  const timed = async (method: string, path: string, body?: unknown) => {
    const t0 = performance.now();
    const r = await send(url, method, path, token, body);
    times.push(performance.now() - t0);
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    return r;
  };
  const end = performance.now() + seconds * 1000;
  let i = 0;
  while (performance.now() < end) {
    const cycleStart = performance.now();
    const name = `quiet-${tag}-${i++}@quiet.test`;
    const created = await timed("POST", "/scim/v2/Users", { schemas: [USER], userName: name, emails: [{ value: name, primary: true }], active: true });
    if (created.status === 201) {
      const id = (JSON.parse(created.body) as { id: string }).id;
      // A change (the user was created active), not a no-op: a write that changes nothing writes nothing.
      await timed("PATCH", `/scim/v2/Users/${id}`, { schemas: [PATCH], Operations: [{ op: "replace", path: "active", value: false }] });
      await timed("GET", `/scim/v2/Users/${id}`);
    }
    const wait = 100 - (performance.now() - cycleStart);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return { requests: times.length, p50: round(percentile(times, 50)), p99: round(percentile(times, 99)), max: round(Math.max(...times)), statuses };
}

function floodOnce(child: ChildProcess, job: FloodJob): Promise<FloodResult> {
  return new Promise((resolve, reject) => {
    child.once("message", (m: { ok: boolean; result?: FloodResult; error?: string }) => (m.ok && m.result ? resolve(m.result) : reject(new Error(m.error))));
    child.send(job);
  });
}

async function drain(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const t0 = performance.now();
    await fetch(`${url}/healthz`).catch(() => undefined);
    if (performance.now() - t0 < 20) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function runFairness(opts: { out: string; seconds: number; log: (s: string) => void }): Promise<void> {
  const { log } = opts;
  const dir = mkdtempSync(join(tmpdir(), "orgscim-fairness-"));
  const databaseUrl = `sqlite:${join(dir, "fairness.db")}`;
  const store = await product.open.openStore(databaseUrl);
  const tokenOf = async (name: string) => {
    const org = await product.orgs.createOrganization(store, product.clock.systemClock, { name, settings: { domainEnforcement: false } });
    return (await product.tokens.issueToken(store, product.clock.systemClock, { orgId: org.id, name: "bench", scopes: ["scim", "admin"] })).plaintext;
  };
  const quietToken = await tokenOf("Quiet Org");
  const noisyToken = await tokenOf("Noisy Org");
  await store.close();

  const server = await startServer(0, join(ROOT, "dist", "main.js"), { DATABASE_URL: databaseUrl, LOG_LEVEL: "warn" });
  const flooder = startLoadGenerator(1, join(ROOT, "dist-bench", "bench", "fairness-flood.js"));
  const phases: Phase[] = [];
  try {
    for (const flood of ["none", "writes", "bulk", "openapi", "bad-token", "none"] as const) {
      await drain(server.url);
      const tag = `${phases.length}`;
      if (flood === "none") {
        log(`fairness: quiet organization alone (${opts.seconds} s)`);
        phases.push({ flood, quiet: await quietWorkload(server.url, quietToken, opts.seconds, tag) });
        continue;
      }
      log(`fairness: quiet organization while ${flood} floods on ${CONNECTIONS[flood]} connections`);
      const running = floodOnce(flooder, { kind: flood, url: server.url, token: noisyToken, connections: CONNECTIONS[flood], seconds: opts.seconds + 1 });
      await new Promise((r) => setTimeout(r, 500)); // the flood is under way
      const quiet = await quietWorkload(server.url, quietToken, opts.seconds, tag);
      phases.push({ flood, quiet, floodResult: await running });
    }
  } finally {
    flooder.kill();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const base = phases.filter((p) => p.flood === "none");
  const baseP99 = Math.max(...base.map((p) => p.quiet.p99));
  const fmt = (s: Record<string, number>) => Object.entries(s).map(([k, v]) => `${k}×${v}`).join(" ");
  const lines = [
    "| flood | quiet p50 ms | quiet p99 ms | quiet max ms | quiet p99 − baseline ms | quiet statuses | flood req/s | flood statuses |",
    "|---|---|---|---|---|---|---|---|",
    ...phases.map((p) => `| ${p.flood} | ${p.quiet.p50} | ${p.quiet.p99} | ${p.quiet.max} | ${p.flood === "none" ? "" : round(p.quiet.p99 - baseP99)} | ${fmt(p.quiet.statuses)} | ${p.floodResult ? Math.round(p.floodResult.rps) : ""} | ${p.floodResult ? fmt(p.floodResult.statuses) : ""} |`),
  ];
  const cpuInfo = spawnSync("nproc").stdout?.toString().trim();
  const md = `# Fairness (npm run bench -- --fairness --seconds ${opts.seconds})\n\n${new Date().toISOString()}, ${cpuInfo} cores, default configuration (WRITES_SHED_LAG_MS 40, SCIM_BULK_CONCURRENCY 2, SCIM_BULK_PER_ORGANIZATION 1, ANONYMOUS_PER_MINUTE 600, AUTH_FAILURES_PER_MINUTE 120). Baseline p99: the worse of the two runs alone.\n\n${lines.join("\n")}\n`;
  mkdirSync(opts.out, { recursive: true });
  writeFileSync(join(opts.out, "fairness.json"), JSON.stringify({ seconds: opts.seconds, baselineP99: baseP99, phases }, null, 2));
  writeFileSync(join(opts.out, "fairness.md"), md);
  console.log(`\n${md}`);
}
