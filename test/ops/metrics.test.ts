/**
 * Prometheus metrics over real HTTP: where /metrics is served and to whom, the series the README
 * and the Grafana dashboard name, labels that stay bounded, refusals counted by reason.
 */
import express from "express";
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { join } from "node:path";
import { newId } from "../../src/domain/ids";
import { bulkAdmission } from "../../src/http/bulk-admission";
import { shedWrites } from "../../src/http/write-shedding";
import { createMetrics } from "../../src/observability/metrics";
import { routeTemplates } from "../../src/observability/route-template";
import { sample, scrapeMetrics } from "../helpers/metrics";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";

const TOKEN = "metrics-token-0123456789abcdef";

const scrape = (url: string, token: string | null = TOKEN) => scrapeMetrics(url, token);

async function until(what: string, fn: () => Promise<boolean>, ms = 60_000): Promise<void> { // bounds a hang only
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A loopback port nothing listens on (TCP for SMTP; UDP on the same number is as unlikely). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe("/metrics on the main port (METRICS_TOKEN)", () => {
  let s: TestServer;
  let org: { id: string; token: string };
  let other: { id: string; token: string };
  beforeAll(async () => {
    const dead = await closedPort();
    s = await startTestServer({
      METRICS_TOKEN: TOKEN, METRICS_ORG_LIMIT: "1",
      SMTP_URL: `smtp://127.0.0.1:${dead}`, OUTBOX_INTERVAL_MS: "100",
      DOMAIN_RECHECK_INTERVAL_MS: "1000", DNS_SERVERS: `127.0.0.1:${dead}`, DNS_TIMEOUT_MS: "100",
      INVITATION_ACCEPT_PER_MINUTE: "1",
    });
    const a = await s.newOrg({ domainEnforcement: false });
    const b = await s.newOrg({ domainEnforcement: false });
    org = { id: a.org.id, token: a.token };
    other = { id: b.org.id, token: b.token };
  }, 60_000);
  afterAll(() => s.close());

  it("answers only to its bearer token", async () => {
    expect((await scrape(s.url, null)).status).toBe(401);
    expect((await scrape(s.url, "wrong-token-0123456789abcdef")).status).toBe(401);
    expect((await scrape(s.url, org.token)).status).toBe(401); // an API token is not the metrics token
    const ok = await scrape(s.url);
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it("counts requests by route template and status, also when an error leaves the router, and requests refused before routing", async () => {
    const created = await call("POST", `${s.scim}/Users`, org.token, userBody("metrics-a@acme.test"));
    expect(created.status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await call("GET", `${s.scim}/Users/${created.body.id}`, org.token)).status).toBe(200);
    expect((await call("GET", `${s.scim}/Users/nobody-${i0()}`, org.token)).status).toBe(404);
    expect((await call("GET", `${s.scim}/Users`, null)).status).toBe(401);
    expect((await call("GET", `${s.url}/no/such/thing`, null)).status).toBe(404);
    const { text } = await scrape(s.url);
    const count = (route: string, status: string, method = "GET") => sample(text, "orgscim_http_request_duration_seconds_count", { method, route, status });
    expect(count("/scim/v2/Users/:id", "200")).toBe(3);
    expect(count("/scim/v2/Users/:id", "404")).toBe(1);
    expect(count("/scim/v2/Users", "201", "POST")).toBe(1);
    expect(count("/scim/v2/*", "401")).toBe(1);
    expect(count("/*", "404")).toBe(1);
    expect(sample(text, "orgscim_http_request_duration_seconds_bucket", { route: "/scim/v2/Users/:id", status: "200", le: "+Inf" })).toBe(3);
    // Only templates: no id, no query string, ever.
    expect(text).not.toContain(created.body.id);
  });

  it("counts each organization's requests, the ones past METRICS_ORG_LIMIT under \"other\"", async () => {
    await call("GET", `${s.scim}/Users`, org.token);
    await call("GET", `${s.scim}/Users`, other.token);
    await call("GET", `${s.scim}/Users`, other.token);
    const { text } = await scrape(s.url);
    expect(sample(text, "orgscim_org_requests_total", { org: org.id })).toBeGreaterThanOrEqual(1);
    expect(sample(text, "orgscim_org_requests_total", { org: other.id })).toBeNull();
    expect(sample(text, "orgscim_org_requests_total", { org: "other" })).toBeGreaterThanOrEqual(2);
  });

  it("times store calls by operation and outcome", async () => {
    await call("GET", `${s.scim}/Users?filter=${encodeURIComponent('userName eq "metrics-a@acme.test"')}`, org.token);
    const { text } = await scrape(s.url);
    expect(sample(text, "orgscim_store_call_duration_seconds_count", { op: "tokens.get", outcome: "ok" })).toBeGreaterThan(0);
    // GET /Users reads its page as stored (users.listStored: the attributes' JSON text copied into the answer).
    expect(sample(text, "orgscim_store_call_duration_seconds_count", { op: "users.listStored", outcome: "ok" })).toBeGreaterThan(0);
    expect(sample(text, "orgscim_store_call_duration_seconds_count", { op: "transaction", outcome: "ok" })).toBeGreaterThan(0);
  });

  it("shows the outbox backlog and failed sends, the domain re-check's results, the WAL and checkpoints, event-loop delay and the process", async () => {
    const inv = await call("POST", `${s.url}/v1/Invitations`, org.token, { email: "invitee@metrics.test", org_role: "standard" }, { "content-type": "application/json" });
    expect(inv.status).toBe(201);
    await s.verifyDomain(org.id, `d-${newId("DM").slice(-6).toLowerCase()}.metrics.test`);
    let text = "";
    await until("outbox, re-check and checkpoint series", async () => {
      text = (await scrape(s.url)).text;
      return (sample(text, "orgscim_outbox_messages_total", { result: "retrying" }) ?? 0) >= 1
        && (sample(text, "orgscim_domain_recheck_total", { result: "unavailable" }) ?? 0) >= 1
        && sample(text, "orgscim_sqlite_checkpoint_lag_frames") !== null;
    });
    expect(sample(text, "orgscim_outbox_backlog")).toBeGreaterThanOrEqual(1);
    expect(sample(text, "orgscim_domain_recheck_runs_total")).toBeGreaterThanOrEqual(1);
    expect(sample(text, "orgscim_sqlite_wal_bytes")).toBeGreaterThanOrEqual(0);
    expect(sample(text, "orgscim_sqlite_checkpoint_age_seconds")).toBeLessThan(60);
    for (const name of ["nodejs_eventloop_lag_p99_seconds", "nodejs_eventloop_lag_mean_seconds", "process_resident_memory_bytes", "process_cpu_seconds_total", "nodejs_heap_size_used_bytes"]) {
      expect([name, sample(text, name)]).toEqual([name, expect.any(Number)]);
    }
  });

  it("counts 429s by reason: the per-address budget of the accept route", async () => {
    const accept = () => call("POST", `${s.url}/v1/Invitations/Accept`, null, { token: "x".repeat(43) }, { "content-type": "application/json" });
    await accept();
    expect((await accept()).status).toBe(429);
    expect(sample((await scrape(s.url)).text, "orgscim_http_refused_total", { reason: "address_budget" })).toBeGreaterThanOrEqual(1);
  });

  it("is read by every panel of the Grafana dashboard: each series a panel names is in the scrape", async () => {
    const dashboard = JSON.parse(readFileSync(join(__dirname, "..", "..", "deploy", "grafana", "orgscim-dashboard.json"), "utf8")) as { panels: { title: string; targets: { expr: string }[] }[] };
    const { text } = await scrape(s.url);
    const present = new Set(text.split("\n").filter((l) => l && !l.startsWith("#")).map((l) => /^[\w:]+/.exec(l)![0]));
    const named = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\b((?:orgscim|nodejs|process)_[a-z0-9_]+)\b/g)].map((m) => m[1]!)));
    expect(named.length).toBeGreaterThan(15);
    expect([...new Set(named)].filter((n) => !present.has(n))).toEqual([]);
  });
});

let counter = 0;
function i0(): number {
  return ++counter;
}

describe("budget refusals by reason", () => {
  let s: TestServer;
  afterAll(() => s?.close());

  it("tells a token over its own budget from its organization over the shared one", async () => {
    s = await startTestServer({ METRICS_TOKEN: TOKEN, RATE_LIMIT_TOKEN_RPS: "4", RATE_LIMIT_TOKEN_BURST: "4", RATE_LIMIT_ORG_RPS: "6", RATE_LIMIT_ORG_BURST: "6" });
    const a = await s.newOrg();
    const second = await s.newOrg(); // a second token of the same organization:
    const { issueToken } = await import("../../src/domain/tokens");
    const { systemClock } = await import("../../src/domain/clock");
    const b = (await issueToken(s.running.store, systemClock, { orgId: a.org.id, name: "second", scopes: ["scim"] })).plaintext;
    expect(second.org.id).not.toBe(a.org.id);
    // Windows are one second long: try rounds until both reasons showed (each round's requests sent
    // at once, so that a loaded machine still fits them in a window; up to 20 rounds).
    for (let round = 0; round < 20; round++) {
      await Promise.all(Array.from({ length: 6 }, () => call("GET", `${s.scim}/Users?count=1`, a.token)));
      await Promise.all(Array.from({ length: 6 }, () => call("GET", `${s.scim}/Users?count=1`, b)));
      const { text } = await scrape(s.url);
      if ((sample(text, "orgscim_http_refused_total", { reason: "token_budget" }) ?? 0) > 0 && (sample(text, "orgscim_http_refused_total", { reason: "org_budget" }) ?? 0) > 0) return;
      await new Promise((r) => setTimeout(r, 1100));
    }
    throw new Error(`both reasons never showed:\n${(await scrape(s.url)).text.split("\n").filter((l) => l.startsWith("orgscim_http_refused_total")).join("\n")}`);
  }, 120_000);

  it("counts shed writes and /Bulk refused for concurrency, as the shedding middleware and /Bulk admission refuse them", async () => {
    const metrics = createMetrics({ orgLimit: 0, sqlitePath: null });
    let lag = 100;
    const shedding = shedWrites(40, { lag: () => lag });
    const slots = bulkAdmission(1, 1); // taken by the /Bulk route once its body is read (src/http/scim/bulk-routes.ts)
    let release: () => void = () => undefined;
    let inBulk = false;
    const app = express();
    app.use(routeTemplates, metrics.middleware.bind(metrics));
    app.use("/scim/v2", shedding.handler); // mounted as the routers mount it
    app.post("/scim/v2/Bulk", (req, res) => {
      slots.admit("OR1", 1, res, req);
      inBulk = true;
      void new Promise<void>((r) => (release = r)).then(() => res.status(200).end());
    });
    app.post("/scim/v2/Users", (_req, res) => void res.status(201).end());
    app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(429).end());
    const server: Server = await new Promise((r) => { const x = app.listen(0, "127.0.0.1", () => r(x)); });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${base}/scim/v2/Users`, { method: "POST" })).status).toBe(429);
      lag = 0;
      expect((await fetch(`${base}/scim/v2/Users`, { method: "POST" })).status).toBe(201);
      const first = fetch(`${base}/scim/v2/Bulk`, { method: "POST" });
      await until("the first /Bulk to be in progress", async () => inBulk);
      expect((await fetch(`${base}/scim/v2/Bulk`, { method: "POST" })).status).toBe(429);
      release();
      expect((await first).status).toBe(200);
      const { body } = await metrics.render();
      expect(sample(body, "orgscim_http_refused_total", { reason: "writes_shed" })).toBe(1);
      expect(sample(body, "orgscim_http_refused_total", { reason: "bulk_concurrency" })).toBe(1);
    } finally {
      shedding.stop();
      metrics.stop();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe("/metrics on a port of its own (METRICS_PORT)", () => {
  it("serves the metrics there, and says so on the main port", async () => {
    const s = await startTestServer({ METRICS_PORT: "0" });
    try {
      expect(s.running.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const r = await scrape(s.running.metricsUrl!, null);
      expect(r.status).toBe(200);
      expect(r.text).toContain("orgscim_http_request_duration_seconds");
      const main = await scrape(s.url, null);
      expect(main.status).toBe(404);
      expect(main.text).toMatch(/served on their own port \(METRICS_PORT=0\)/);
      expect((await fetch(`${s.running.metricsUrl}/scim/v2/Users`)).status).toBe(404); // nothing else there
    } finally {
      await s.close();
    }
  });

  it("asks for METRICS_TOKEN there too when it is set", async () => {
    const s = await startTestServer({ METRICS_PORT: "0", METRICS_TOKEN: TOKEN });
    try {
      expect((await scrape(s.running.metricsUrl!, null)).status).toBe(401);
      expect((await scrape(s.running.metricsUrl!)).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe("without METRICS_TOKEN or METRICS_PORT", () => {
  it("serves no metrics and says how to turn them on", async () => {
    const s = await startTestServer();
    try {
      const r = await scrape(s.url, null);
      expect(r.status).toBe(404);
      expect(r.text).toMatch(/Metrics are off: set METRICS_TOKEN .* or METRICS_PORT/);
    } finally {
      await s.close();
    }
  });
});
