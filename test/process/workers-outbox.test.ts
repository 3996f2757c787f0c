/**
 * WORKERS=2 and the mail outbox (issue 23: background workers never do one job twice): the built
 * server with two worker processes on one SQLite file and a real SMTP server on loopback. Mail is
 * queued by requests both workers answer, and sent by exactly one of them (the outbox runs in
 * worker 1, src/cluster.ts); when that worker is killed, its replacement takes the outbox over.
 * Every invitation's mail must arrive, and arrive once.
 */
import { request as httpRequest } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBuilt, runCli, type ServerProcess } from "../helpers/built-server";
import { startSmtpServer, type TestSmtpServer } from "../helpers/smtp-server";
import { outputLine, servedBy, spawnWorkers } from "../helpers/workers-server";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const INTERVAL_MS = 100;

interface Answer { status: number; body: string; reqId: string }

/** One request on a fresh connection (no keep-alive), so that the kernel spreads them over both workers. */
function send(url: string, method: string, path: string, token: string, body: unknown, type: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = httpRequest(`${url}${path}`, {
      method, agent: false,
      headers: { authorization: `Bearer ${token}`, "content-type": type, "content-length": Buffer.byteLength(data) },
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

/** How many messages each of `addresses` received, once `addresses` all did and the outbox ran several more rounds. */
async function deliveries(smtp: TestSmtpServer, addresses: string[]): Promise<Record<string, number>> {
  const count = () => Object.fromEntries(addresses.map((a) => [a, smtp.messages.filter((m) => m.to.includes(a)).length]));
  const deadline = Date.now() + 60_000;
  while (Object.values(count()).some((n) => n === 0)) {
    if (Date.now() > deadline) throw new Error(`not every mail arrived within 60 s: ${JSON.stringify(count())}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 20 * INTERVAL_MS)); // a second sender would have sent again by now
  return count();
}

let dir: string;
let smtp: TestSmtpServer;
let p: ServerProcess;
let url: string;
let token: string;
let account: string;

beforeAll(() => ensureBuilt());
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "orgscim-workers-outbox-"));
  smtp = await startSmtpServer();
  const file = join(dir, "outbox.db");
  ({ process: p, url } = await spawnWorkers(2, file, { SMTP_URL: smtp.url, OUTBOX_INTERVAL_MS: String(INTERVAL_MS) }));
  token = /^\s+(osk_[0-9a-f]{32}_\S+)$/m.exec(p.output())?.[1] ?? "";
  const env = { DATABASE_URL: `sqlite:${file}` };
  const orgId = (JSON.parse(runCli(env, ["orgs", "list", "--json"])) as { sid: string }[])[0]!.sid;
  runCli(env, ["orgs", "settings", orgId, "--domain-enforcement", "off"]);
  const owner = await send(url, "POST", "/scim/v2/Users", token, { schemas: [USER], userName: "owner@outbox.test", emails: [{ value: "owner@outbox.test", primary: true }] }, "application/scim+json");
  expect(owner.status).toBe(201);
  const acct = await send(url, "POST", "/v1/Accounts", token, { friendly_name: "Outbox", owner_sid: (JSON.parse(owner.body) as { id: string }).id }, "application/json");
  expect(acct.status).toBe(201);
  account = (JSON.parse(acct.body) as { sid: string }).sid;
}, 180_000);

afterAll(async () => {
  if (p && p.child.exitCode === null) { p.child.kill("SIGKILL"); await p.exited; }
  await smtp?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function invite(prefix: string, n: number): Promise<{ addresses: string[]; workers: Set<number> }> {
  const addresses: string[] = [];
  const workers = new Set<number>();
  for (let i = 0; i < n; i++) {
    const email = `${prefix}${i}@contractor.test`;
    const r = await send(url, "POST", `/v1/Accounts/${account}/Invitations`, token, { email, roles: ["support"] }, "application/json");
    expect([email, r.status]).toEqual([email, 201]);
    addresses.push(email);
    workers.add(await servedBy(p, r.reqId));
  }
  return { addresses, workers };
}

describe("WORKERS=2: the outbox", () => {
  it("sends each invitation's mail exactly once, whichever worker queued it", async () => {
    const { addresses, workers } = await invite("first", 16);
    expect(workers).toEqual(new Set([1, 2]));
    const got = await deliveries(smtp, addresses);
    expect(Object.entries(got).filter(([, n]) => n !== 1)).toEqual([]);
  }, 120_000);

  it("keeps sending after the worker that ran it is killed: its replacement takes the outbox over, each mail once", async () => {
    const pids = JSON.parse(/"pids":(\[[^\]]*\])/.exec(p.output())![1]!) as number[];
    process.kill(pids[0]!, "SIGKILL"); // worker 1: the one with the background work
    await outputLine(p, /a worker process exited; starting another/);
    const deadline = Date.now() + 90_000;
    while (p.output().split("\n").filter((l) => l.includes('"msg":"orgscim listening"')).length < 3) {
      if (Date.now() > deadline) throw new Error(`no replacement worker:\n${p.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const { addresses } = await invite("second", 8);
    const got = await deliveries(smtp, addresses);
    expect(Object.entries(got).filter(([, n]) => n !== 1)).toEqual([]);
  }, 180_000);
});
