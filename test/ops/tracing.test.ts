/**
 * OpenTelemetry traces, end to end: the server process sends OTLP/HTTP to a receiver on loopback;
 * a request carrying `traceparent` continues that trace, its store calls are spans beneath the
 * request's span, and the request's log line carries the trace id. Off when no endpoint is set.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBuilt, freePort, runCli, spawnServer, waitFor } from "../helpers/built-server";

interface OtlpSpan { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes: { key: string; value: Record<string, unknown> }[] }
interface Receiver { url: string; spans: OtlpSpan[]; paths: string[]; auth: (string | undefined)[]; close(): Promise<void> }

/** An OTLP/HTTP trace receiver (JSON encoding) on loopback. */
async function startReceiver(): Promise<Receiver> {
  const spans: OtlpSpan[] = [];
  const paths: string[] = [];
  const auth: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      paths.push(`${req.method} ${req.url} ${req.headers["content-type"]}`);
      auth.push(req.headers.authorization);
      const doc = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, paths, auth, close: () => new Promise((r) => server.close(() => r())) };
}

const attr = (s: OtlpSpan, key: string) => s.attributes.find((a) => a.key === key)?.value;

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), "orgscim-trace-"));
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TOKEN = `osk_${"ef".repeat(16)}_tracing-test-token-${"y".repeat(20)}`;

describe("tracing", () => {
  it("continues the caller's trace: a server span per request, store calls beneath it, the trace id in the log line", async () => {
    const receiver = await startReceiver();
    const port = await freePort();
    const env = { DATABASE_URL: `sqlite:${join(dir, "t.db")}`, ORGSCIM_BOOTSTRAP_TOKEN: TOKEN };
    const p = spawnServer({ ...env, PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url.replace("http://", "http://otel-user:otel-secret-4711@"), OTEL_SERVICE_NAME: "orgscim-test" });
    const traceId = randomBytes(16).toString("hex");
    const parentId = randomBytes(8).toString("hex");
    const postTrace = randomBytes(16).toString("hex");
    try {
      await waitFor(`http://127.0.0.1:${port}/healthz`);
      const orgId = (JSON.parse(runCli(env, ["orgs", "list"])) as { sid: string }[])[0]!.sid;
      runCli(env, ["orgs", "settings", orgId, "--domain-enforcement", "off"]);
      const r = await fetch(`http://127.0.0.1:${port}/scim/v2/Users?count=1`, {
        headers: { authorization: `Bearer ${TOKEN}`, traceparent: `00-${traceId}-${parentId}-01` },
      });
      expect(r.status).toBe(200);
      // A body is parsed from the request stream's events: the store calls after it stay in the trace.
      const created = await fetch(`http://127.0.0.1:${port}/scim/v2/Users`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, traceparent: `00-${postTrace}-${parentId}-01`, "content-type": "application/scim+json" },
        body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "traced@example.test" }),
      });
      expect(created.status).toBe(201);
      const untraced = await fetch(`http://127.0.0.1:${port}/scim/v2/Users/nobody`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(untraced.status).toBe(404);
      await waitFor(`http://127.0.0.1:${port}/healthz`); // the request lines are written as responses finish
    } finally {
      p.child.kill("SIGTERM"); // shutdown sends what is still buffered
      await p.exited;
      await receiver.close();
    }
    expect(receiver.paths[0]).toMatch(/^POST \/v1\/traces application\/json/);
    // The endpoint's credentials reach the collector, never the log.
    expect(receiver.auth[0]).toBe(`Basic ${Buffer.from("otel-user:otel-secret-4711").toString("base64")}`);
    expect(p.output()).toMatch(/tracing on/);
    expect(p.output()).not.toMatch(/otel-secret-4711/);
    const server = receiver.spans.find((s) => s.traceId === traceId && s.kind === 2);
    expect(server).toMatchObject({ name: "GET /scim/v2/Users", parentSpanId: parentId });
    expect(attr(server!, "http.response.status_code")).toEqual({ intValue: 200 });
    const beneath = receiver.spans.filter((s) => s.parentSpanId === server!.spanId);
    expect(beneath.every((s) => s.traceId === traceId && s.kind === 3 && s.name.startsWith("store "))).toBe(true);
    expect(beneath.map((s) => s.name)).toEqual(expect.arrayContaining(["store tokens.get", "store orgs.get", "store users.listStored"]));
    const post = receiver.spans.find((s) => s.traceId === postTrace && s.kind === 2);
    expect(post?.name).toBe("POST /scim/v2/Users");
    const postStore = receiver.spans.filter((s) => s.parentSpanId === post!.spanId).map((s) => s.name);
    // No tokens.get here: the token was read by the GET before, and the principal cache (src/http/principal-cache.ts) answers it.
    expect(postStore).toEqual(expect.arrayContaining(["store transaction", "store users.insert"]));
    expect(postStore.length).toBeGreaterThan(3);
    // A request without traceparent starts a trace of its own, named by its route template.
    const other = receiver.spans.find((s) => s.kind === 2 && s.name === "GET /scim/v2/Users/:id");
    expect(other?.traceId).not.toBe(traceId);
    expect(other?.parentSpanId ?? "").toBe("");
    // The log line of each request names its trace (written once a turn of the server's loop: wait for both, up to 60 s).
    const hasLine = (path: string) => p.output().split("\n").some((l) => l.includes('"msg":"request"') && l.includes(`"path":"${path}"`));
    for (let i = 0; i < 3000 && !(hasLine("/scim/v2/Users") && hasLine("/scim/v2/Users/nobody")); i++) await new Promise((r) => setTimeout(r, 20));
    const lines = p.output().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { msg: string; path?: string; traceId?: string });
    expect(lines.find((l) => l.msg === "request" && l.path === "/scim/v2/Users")?.traceId).toBe(traceId);
    expect(lines.find((l) => l.msg === "request" && l.path === "/scim/v2/Users/nobody")?.traceId).toBe(other!.traceId);
  }, 60_000);

  it("is off without OTEL_EXPORTER_OTLP_ENDPOINT: no trace id in the log lines", async () => {
    const port = await freePort();
    const p = spawnServer({ PORT: String(port), DATABASE_URL: `sqlite:${join(dir, "off.db")}`, ORGSCIM_BOOTSTRAP_TOKEN: TOKEN });
    try {
      await waitFor(`http://127.0.0.1:${port}/healthz`);
      await fetch(`http://127.0.0.1:${port}/scim/v2/Users`, { headers: { authorization: `Bearer ${TOKEN}`, traceparent: `00-${"1".repeat(32)}-${"2".repeat(16)}-01` } });
      await waitFor(`http://127.0.0.1:${port}/healthz`);
    } finally {
      p.child.kill("SIGTERM");
      await p.exited;
    }
    expect(p.output()).toMatch(/"msg":"request"/);
    expect(p.output()).not.toMatch(/traceId/);
    expect(p.output()).not.toMatch(/tracing on/);
  }, 60_000);
});
