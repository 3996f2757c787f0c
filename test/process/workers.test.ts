/**
 * WORKERS=2 (src/cluster.ts): two server processes on one port and one SQLite file, attacked where
 * two processes could get around a rule. Real processes (node dist/main.js), real HTTP; every
 * request on a connection of its own, so the kernel spreads them over both processes, and each
 * answer is traced to the process that wrote it through its request id in the log.
 */
import { Agent, request as httpRequest } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBuilt, runCli, type ServerProcess } from "../helpers/built-server";
import { outputLine, servedBy, spawnWorkers } from "../helpers/workers-server";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

interface Answer { status: number; body: string; reqId: string }

/** One request on a fresh connection (no keep-alive) unless an agent is given, answered in full. */
function send(url: string, method: string, path: string, token: string | null, body?: unknown, agent: Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(`${url}${path}`, {
      method, agent,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(data ? { "content-type": "application/scim+json", "content-length": Buffer.byteLength(data) } : {}) },
    }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, reqId: String(res.headers["x-request-id"] ?? "") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(data);
  });
}


const adminToken = (p: ServerProcess): string => {
  const t = /^\s+(osk_[0-9a-f]{32}_\S+)$/m.exec(p.output())?.[1];
  if (!t) throw new Error(`no admin token printed:\n${p.output()}`);
  return t;
};

let dir: string;
beforeAll(() => ensureBuilt());
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "orgscim-workers-")); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("WORKERS=2 on one SQLite store", () => {
  let p: ServerProcess;
  let url: string;
  let token: string;
  let orgId: string;
  const file = () => join(dir, "two.db");
  const env = () => ({ DATABASE_URL: `sqlite:${file()}` });

  beforeAll(async () => {
    ({ process: p, url } = await spawnWorkers(2, file()));
    token = adminToken(p);
    orgId = (JSON.parse(runCli(env(), ["orgs", "list", "--json"])) as { sid: string }[])[0]!.sid;
    runCli(env(), ["orgs", "settings", orgId, "--domain-enforcement", "off"]);
  }, 120_000);
  afterAll(async () => {
    if (p.child.exitCode === null) { p.child.kill("SIGKILL"); await p.exited; }
  });

  it("starts both workers on one port, makes one organization and prints its token exactly once", async () => {
    const out = p.output();
    expect(out.match(/orgscim created your first organization/g)).toHaveLength(1);
    expect(out.match(/osk_[0-9a-f]{32}_\S+/g)).toHaveLength(1);
    expect(out).not.toMatch(/never shown/);
    const listening = out.split("\n").filter((l) => l.includes('"msg":"orgscim listening"'));
    expect(listening.map((l) => /"worker":(\d+)/.exec(l)?.[1]).sort()).toEqual(["1", "2"]);
    expect(new Set(listening.map((l) => /"url":"([^"]+)"/.exec(l)?.[1]))).toEqual(new Set([url]));
    expect(JSON.parse(runCli(env(), ["orgs", "list", "--json"]))).toHaveLength(1);
    // Background work in one process: the outbox says once (and only worker 1) how it sends mail.
    await outputLine(p, /SMTP_URL is not set/);
    const outboxLines = p.output().split("\n").filter((l) => l.includes("SMTP_URL is not set"));
    expect(outboxLines).toHaveLength(1);
    expect(outboxLines[0]).toContain('"worker":1');
  });

  /** Sends requests with `t` on fresh connections until both workers have answered; answers their statuses. */
  async function fromBoth(t: string): Promise<{ statuses: number[]; workers: Set<number> }> {
    const statuses: number[] = [];
    const workers = new Set<number>();
    for (let i = 0; i < 200 && workers.size < 2; i++) {
      const a = await send(url, "GET", "/scim/v2/Users?count=1", t);
      statuses.push(a.status);
      workers.add(await servedBy(p, a.reqId));
    }
    return { statuses, workers };
  }

  for (const door of ["/v1", "the CLI"] as const) {
    it(`refuses a token revoked through ${door} on every process from the next request on`, async () => {
      const made = runCli(env(), ["tokens", "create", "--org", orgId, "--scopes", "scim,admin", "--name", `revoked-${door}`, "--quiet"]).trim();
      const sid = `TK${/^osk_([0-9a-f]{32})_/.exec(made)![1]}`;
      const before = await fromBoth(made);
      expect(before.workers).toEqual(new Set([1, 2]));
      expect(new Set(before.statuses)).toEqual(new Set([200]));
      if (door === "/v1") expect((await send(url, "DELETE", `/v1/Tokens/${sid}`, token)).status).toBe(204);
      else runCli(env(), ["tokens", "revoke", "--org", orgId, sid]);
      const after = await fromBoth(made);
      expect(after.workers).toEqual(new Set([1, 2]));
      expect(new Set(after.statuses)).toEqual(new Set([401]));
    });
  }

  it("replaces a worker that dies, and keeps serving meanwhile", async () => {
    const pids = JSON.parse(/"pids":(\[[^\]]*\])/.exec(p.output())![1]!) as number[];
    process.kill(pids[1]!, "SIGKILL");
    await outputLine(p, /a worker process exited; starting another/);
    for (let i = 0; i < 10; i++) expect((await send(url, "GET", "/scim/v2/Users?count=1", token)).status).toBe(200);
    const deadline = Date.now() + 90_000;
    while (p.output().split("\n").filter((l) => l.includes('"msg":"orgscim listening"')).length < 3) {
      if (Date.now() > deadline) throw new Error(`no replacement worker:\n${p.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await fromBoth(token)).workers).toEqual(new Set([1, 2]));
  }, 120_000);

  it("drains both processes on SIGTERM to the primary: every request in flight answered in full, exit 0", async () => {
    const bulk = { schemas: [BULK], Operations: Array.from({ length: 300 }, (_, i) => ({ method: "POST", path: "/Users", bulkId: `u${i}`, data: { schemas: [USER], userName: `drain${i}@workers.test` } })) };
    expect((await send(url, "POST", "/scim/v2/Bulk", token, bulk)).status).toBe(200);
    // At least 60 kept-alive connections, each traced to the process that took it by a first
    // request, until both processes hold some: the kernel may hand one process every connection of
    // a burst (a loaded machine does), and then the drain of the other would go untested.
    const conns: { agent: Agent; worker: number }[] = [];
    for (let i = 0; i < 400 && (conns.length < 60 || new Set(conns.map((c) => c.worker)).size < 2); i++) {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const a = await send(url, "GET", "/scim/v2/Users?count=1", token, undefined, agent);
      expect(a.status).toBe(200);
      conns.push({ agent, worker: await servedBy(p, a.reqId) });
    }
    expect(new Set(conns.map((c) => c.worker))).toEqual(new Set([1, 2]));
    // A page of 300 users on each, every request written whole before the signal.
    const inFlight = conns.map(({ agent }) => new Promise<Promise<Answer>>((sent) => {
      const req = httpRequest(`${url}/scim/v2/Users?count=300`, { agent, headers: { authorization: `Bearer ${token}` } });
      const answer = new Promise<Answer>((resolve, reject) => {
        req.on("response", (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, reqId: String(res.headers["x-request-id"] ?? "") }));
          res.on("error", reject);
        });
        req.on("error", reject);
      });
      req.on("finish", () => sent(answer));
      req.end();
    }));
    const answers = await Promise.all(inFlight);
    p.child.kill("SIGTERM");
    const got = await Promise.all(answers);
    for (const c of conns) c.agent.destroy();
    for (const a of got) {
      expect(a.status).toBe(200);
      expect((JSON.parse(a.body) as { Resources: unknown[] }).Resources).toHaveLength(300);
    }
    const { code } = await p.exited;
    expect(code).toBe(0);
    const workers = new Set(await Promise.all(got.map((a) => servedBy(p, a.reqId))));
    expect(workers).toEqual(new Set([1, 2]));
    const drained = p.output().split("\n").filter((l) => l.includes("shutting down: finishing in-flight requests"));
    expect(drained.map((l) => /"worker":(\d+)/.exec(l)?.[1]).sort()).toEqual(["1", "2"]);
    expect(p.output()).not.toMatch(/ran out|cut off/);
  }, 180_000);
});

describe("WORKERS=2: a token's request budget is one budget across the processes", () => {
  it("admits no more than the budget allows in the windows the requests took, however they spread", async () => {
    const file = join(dir, "budget.db");
    // 1 request a second plus a burst pool of 10 per 10 s, per token; the organization unlimited.
    const { process: p, url } = await spawnWorkers(2, file, { RATE_LIMIT_TOKEN_RPS: "1", RATE_LIMIT_TOKEN_BURST: "11", RATE_LIMIT_ORG_RPS: "0" });
    try {
      const env = { DATABASE_URL: `sqlite:${file}` };
      const orgId = (JSON.parse(runCli(env, ["orgs", "list", "--json"])) as { sid: string }[])[0]!.sid;
      let token = adminToken(p);
      // The kernel wakes one worker for a burst of connections, and a woken worker accepts every
      // one queued by then: a burst served by one process tests nothing shared. Such a burst is
      // sent again with a new token (a fresh budget), up to 5 times.
      let started = 0;
      let ended = 0;
      let answers: Answer[] = [];
      for (let attempt = 1; ; attempt++) {
        started = Date.now();
        answers = await Promise.all(Array.from({ length: 40 }, () => send(url, "GET", "/scim/v2/Users?count=1", token)));
        ended = Date.now();
        const workers = new Set(await Promise.all(answers.map((a) => servedBy(p, a.reqId))));
        if (workers.size === 2 || attempt === 5) {
          expect(workers).toEqual(new Set([1, 2]));
          break;
        }
        token = runCli(env, ["tokens", "create", "--org", orgId, "--scopes", "scim,admin", "--name", `budget-${attempt}`, "--quiet"]).trim();
      }
      const admitted = answers.filter((a) => a.status === 200).length;
      expect(answers.filter((a) => a.status !== 200).every((a) => a.status === 429)).toBe(true);
      // Windows are wall-clock seconds and 10-second spans (src/http/rate-limit-shared.ts).
      const spanned = (ms: number) => Math.floor(ended / ms) - Math.floor(started / ms) + 1;
      const bound = 1 * spanned(1000) + 10 * spanned(10_000);
      expect(admitted).toBeGreaterThan(0);
      expect(admitted).toBeLessThanOrEqual(bound);
    } finally {
      p.child.kill("SIGTERM");
      await p.exited;
    }
  }, 180_000);
});
