/**
 * The load generator: a child process (pinned to its own core by run.ts) that takes one scenario
 * at a time over IPC and answers its figures. Two measurements per scenario:
 * - autocannon with a fixed number of connections (throughput, p50/p99 in whole milliseconds);
 * - optionally, a sequential client on one keep-alive connection timing each request with
 *   performance.now(), for sub-millisecond p50/p99.
 */
import autocannon from "autocannon";
import http from "node:http";
import type { BenchContext } from "./context";
import { counters, scenario, type Step, type StepContext } from "./scenarios";
import { percentile } from "./stats";

export interface LoadJob {
  scenario: string;
  url: string;
  ctx: BenchContext;
  connections: number;
  /** Seconds. */
  duration: number;
  warmup: number;
  /** Requests of the sequential client (0: none); it also stops after `sequentialSeconds`. */
  sequential: number;
  sequentialSeconds: number;
}

export interface LoadResult {
  scenario: string;
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  /** Completed cycles a second, for cycle scenarios (else equal to rps). */
  unitsPerSec: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  /** 429 answers that carried Retry-After. */
  retryAfter429: number;
  /** p99 of the 2xx answers alone (ms, from the request's write to its response), so refused
   * requests answered at once do not flatter the latency of the accepted ones. */
  acceptedP99: number;
  seq?: { n: number; p50: number; p99: number; mean: number };
}

const headersOf = (token: string) => ({
  authorization: `Bearer ${token}`,
  "content-type": "application/scim+json",
  accept: "application/scim+json",
});

async function runAutocannon(job: LoadJob, steps: Step[], seconds: number, connections: number) {
  const base = new URL(job.url);
  let retryAfter429 = 0;
  const accepted: number[] = [];
  // autocannon calls setupRequest right before writing a request and onResponse with the same
  // per-connection context, one request at a time per connection (no pipelining): the time
  // between the two is the request's latency.
  const sentAt = Symbol("sentAt");
  type Timed = { [sentAt]?: number };
  const requests = steps.map((s) => ({
    method: s.method,
    headers: headersOf(job.ctx.token),
    setupRequest: (req: autocannon.Request, ctx: object) => {
      (ctx as Timed)[sentAt] = performance.now();
      const r = s.setup(ctx as StepContext);
      if (!r) return null as unknown as autocannon.Request;
      return { ...req, method: s.method, path: r.path, body: r.body === undefined ? undefined : JSON.stringify(r.body) } as autocannon.Request;
    },
    onResponse: (status: number, body: string, ctx: object, headers: http.IncomingHttpHeaders | undefined) => {
      if (status === 429 && Object.keys(headers ?? {}).some((h) => h.toLowerCase() === "retry-after")) retryAfter429 += 1;
      const t0 = (ctx as Timed)[sentAt];
      if (status >= 200 && status < 300 && t0 !== undefined) accepted.push(performance.now() - t0);
      s.onResponse?.(status, body, ctx as StepContext);
    },
  }));
  counters.cycles = 0;
  const result = await autocannon({
    url: `${base.protocol}//${base.host}`,
    connections,
    duration: seconds,
    requests,
    timeout: 10,
  });
  return { result, retryAfter429, acceptedP99: accepted.length > 0 ? percentile(accepted, 99) : Number.NaN, cycles: counters.cycles };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function send(url: URL, method: string, path: string, headers: Record<string, string>, body: string | undefined) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path, agent, headers: body === undefined ? headers : { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Runs the steps in a loop on one connection, timing each request. */
async function runSequential(job: LoadJob, steps: Step[], n: number, maxSeconds: number): Promise<LoadResult["seq"]> {
  const url = new URL(job.url);
  const headers = headersOf(job.ctx.token);
  const times: number[] = [];
  const warm = Math.min(50, Math.ceil(n / 5));
  let ctx: StepContext = {};
  const end = performance.now() + maxSeconds * 1000;
  for (let i = 0, s = 0; i < n + warm && performance.now() < end; s = (s + 1) % steps.length) {
    if (s === 0) ctx = {};
    const step = steps[s] as Step;
    const r = step.setup(ctx);
    if (!r) { s = steps.length - 1; continue; }
    const body = r.body === undefined ? undefined : JSON.stringify(r.body);
    const t0 = performance.now();
    const res = await send(url, step.method, r.path, headers, body);
    const ms = performance.now() - t0;
    step.onResponse?.(res.status, res.body, ctx);
    if (i >= warm) times.push(ms);
    i++;
  }
  return { n: times.length, p50: percentile(times, 50), p99: percentile(times, 99), mean: times.reduce((a, b) => a + b, 0) / times.length };
}

export async function runJob(job: LoadJob): Promise<LoadResult> {
  const steps = scenario(job.scenario).steps(job.ctx);
  const isCycle = scenario(job.scenario).unit === "cycle";
  if (job.warmup > 0) await runAutocannon(job, steps, job.warmup, job.connections);
  const { result, retryAfter429, acceptedP99, cycles } = await runAutocannon(job, steps, job.duration, job.connections);
  const statuses: Record<string, number> = {};
  for (const [code, v] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = (v as { count: number }).count;
  const seconds = result.duration;
  const out: LoadResult = {
    scenario: job.scenario,
    connections: job.connections,
    seconds,
    requests: result.requests.total,
    rps: result.requests.total / seconds,
    unitsPerSec: isCycle ? cycles / seconds : result.requests.total / seconds,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    retryAfter429,
    acceptedP99,
  };
  if (result.requests.total === 0) {
    // Nothing completed within the run: autocannon's zeros would read as "instant".
    out.p50 = out.p90 = out.p99 = out.max = Number.NaN;
  }
  if (job.sequential > 0) out.seq = await runSequential(job, steps, job.sequential, job.sequentialSeconds);
  return out;
}

if (require.main === module) {
  process.on("message", (job: LoadJob) => {
    runJob(job).then(
      (r) => process.send?.({ ok: true, result: r }),
      (e: unknown) => process.send?.({ ok: false, error: e instanceof Error ? e.stack ?? e.message : String(e) }),
    );
  });
  process.on("disconnect", () => process.exit(0));
}
