/**
 * Overload shedding by queue depth (OVERLOAD_QUEUE_DEPTH, src/http/overload.ts and
 * write-shedding.ts), over real HTTP on the built server (its own process, so the flood's client
 * does not share its event loop): writes beyond the depth are answered 429 with Retry-After at
 * once, before their body is read; what is admitted completes; nothing shed leaves anything
 * behind; another organization sending less than its share is not shed; reads, health and
 * readiness are never shed; the depth is given back when clients go away.
 */
import { spawnServer, ensureBuilt, type ServerProcess } from "../helpers/built-server";
import { listeningUrl } from "../process/drain-helpers";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request as httpRequest } from "node:http";
import { USER_SCHEMA } from "../helpers/server";

const DEPTH = 8;
const TOKEN = `osk_${"ab".repeat(16)}_${"Q".repeat(43)}`;
let dir: string;
let p: ServerProcess;
let url: string;
let quietToken: string;

beforeAll(() => ensureBuilt());
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "orgscim-overload-"));
  p = spawnServer({ PORT: "0", DATABASE_URL: `sqlite:${join(dir, "o.db")}`, ORGSCIM_BOOTSTRAP_TOKEN: TOKEN, OVERLOAD_QUEUE_DEPTH: String(DEPTH), LOG_LEVEL: "info" });
  url = await listeningUrl(p, 90_000);
  // The bootstrap organization provisions any domain (no verified domain on a test machine).
  const cli = (args: string[]) => execFileSync(process.execPath, [join(__dirname, "..", "..", "bin", "orgscim.js"), ...args], { env: { PATH: process.env.PATH ?? "", DATABASE_URL: `sqlite:${join(dir, "o.db")}` }, encoding: "utf8" });
  const orgId = (JSON.parse(cli(["orgs", "list"])) as { sid: string }[])[0]!.sid;
  cli(["orgs", "settings", orgId, "--domain-enforcement", "off"]);
  const quiet = JSON.parse(cli(["orgs", "create", "--name", "Quiet", "--domain-enforcement", "off", "--json"])) as { sid: string };
  quietToken = (JSON.parse(cli(["tokens", "create", "--org", quiet.sid, "--scopes", "scim,admin", "--json"])) as { token: string }).token;
}, 120_000);
afterAll(async () => {
  p.child.kill("SIGTERM");
  await p.exited;
  rmSync(dir, { recursive: true, force: true });
});

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** One request on its own connection (a flood of distinct clients). */
function send(method: string, path: string, body?: string, token: string | null = TOKEN, signal?: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, {
      method, agent: new Agent({ keepAlive: false }), signal,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": path.startsWith("/v1") ? "application/json" : "application/scim+json", "content-length": Buffer.byteLength(body) } : {}) },
    }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const userBody = (name: string) => JSON.stringify({ schemas: [USER_SCHEMA], userName: name, emails: [{ value: name, type: "work", primary: true }] });
let serial = 0;

/** The server's request log lines (LOG_LEVEL info) for `path`, from index `from` of the output. */
function logLines(from: number): { status: number; ms: number; path: string; method: string }[] {
  return p.output().slice(from).split("\n").flatMap((l) => {
    try {
      const o = JSON.parse(l) as { status?: number; ms?: number; path?: string; method?: string };
      return typeof o.status === "number" && typeof o.ms === "number" ? [{ status: o.status, ms: o.ms, path: o.path ?? "", method: o.method ?? "" }] : [];
    } catch { return []; }
  });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe("a flood beyond OVERLOAD_QUEUE_DEPTH", () => {
  it("is answered 429 with Retry-After and a SCIM error at once, while every admitted POST completes and nothing shed is created", async () => {
    const names = Array.from({ length: 150 }, () => `flood${serial++}@acme.test`);
    const from = p.output().length;
    const replies = await Promise.all(names.map((n) => send("POST", "/scim/v2/Users", userBody(n))));
    const statuses = new Set(replies.map((r) => r.status));
    expect([...statuses].filter((s) => s !== 201 && s !== 429)).toEqual([]);
    const shed = replies.filter((r) => r.status === 429);
    const admitted = names.filter((_, i) => replies[i]!.status === 201);
    expect(shed.length).toBeGreaterThan(0);
    expect(admitted.length).toBeGreaterThanOrEqual(DEPTH);
    for (const r of shed) {
      expect(r.headers["retry-after"]).toBe("1");
      const body = JSON.parse(r.body) as { schemas: string[]; status: string; detail: string };
      expect(body.schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
      expect(body.status).toBe("429");
      expect(body.detail).toMatch(/OVERLOAD_QUEUE_DEPTH/);
    }
    // What was admitted is there; what was shed is not (a shed request did nothing).
    const list = await send("GET", `/scim/v2/Users?count=1000&filter=${encodeURIComponent('userName sw "flood"')}`);
    expect(list.status).toBe(200);
    const there = (JSON.parse(list.body) as { Resources: { userName: string }[] }).Resources.map((u) => u.userName).sort();
    expect(there).toEqual([...admitted].sort());
    // Fast: the server's own request log (ms from the request's arrival to its answer). A shed
    // answer costs no store work and waits for no commit; an admitted create does both.
    const lines = logLines(from).filter((l) => l.path === "/scim/v2/Users" && l.method === "POST");
    const shedMs = lines.filter((l) => l.status === 429).map((l) => l.ms);
    const admittedMs = lines.filter((l) => l.status === 201).map((l) => l.ms);
    expect(shedMs).toHaveLength(shed.length);
    expect(admittedMs).toHaveLength(admitted.length);
    console.log(`overload flood: ${shed.length} shed (median ${median(shedMs)} ms), ${admitted.length} admitted (median ${median(admittedMs)} ms), server time`);
    expect(median(shedMs)).toBeLessThan(median(admittedMs));
  }, 60_000);

  it("sheds before the body is read: a malformed body gets 429 when shed, 400 only when admitted", async () => {
    // A quarter malformed, among valid creates that hold the depth until their group commits.
    const malformed = (i: number) => i % 4 === 0;
    const replies = await Promise.all(Array.from({ length: 160 }, (_, i) =>
      malformed(i) ? send("POST", "/scim/v2/Users", "{ not json") : send("POST", "/scim/v2/Users", userBody(`x${serial++}@acme.test`))));
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s !== 201 && s !== 400 && s !== 429)).toEqual([]);
    expect(replies.filter((r, i) => malformed(i) && r.status === 429).length).toBeGreaterThan(0);
    expect(replies.filter((r, i) => !malformed(i) && r.status === 400)).toEqual([]);
    expect(replies.filter((r, i) => malformed(i) && r.status === 201)).toEqual([]);
  }, 60_000);

  it("serves another organization sending less than its share, and reads, /healthz and /readyz, while one organization floods", async () => {
    const flood = Array.from({ length: 150 }, () => send("POST", "/scim/v2/Users", userBody(`f${serial++}@acme.test`)));
    const quietWrites = Array.from({ length: 3 }, () => send("POST", "/scim/v2/Users", userBody(`quiet${serial++}@acme.test`), quietToken));
    const reads = Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? send("GET", i % 8 ? "/healthz" : "/readyz", undefined, null) : send("GET", "/scim/v2/Users?count=1")));
    const [f, q, r] = await Promise.all([Promise.all(flood), Promise.all(quietWrites), Promise.all(reads)]);
    expect(f.filter((x) => x.status === 429).length).toBeGreaterThan(0);
    expect(q.map((x) => x.status)).toEqual([201, 201, 201]);
    expect(r.map((x) => x.status).filter((x) => x !== 200)).toEqual([]);
  }, 60_000);

  it("renders the refusal as /v1 does on /v1 (code 9009)", async () => {
    const replies = await Promise.all(Array.from({ length: 120 }, () => send("POST", "/v1/Invitations", JSON.stringify({ email: `v${serial++}@acme.test`, org_role: "standard" }))));
    expect(replies.map((r) => r.status).filter((x) => x !== 201 && x !== 429)).toEqual([]);
    const shed = replies.filter((r) => r.status === 429);
    expect(shed.length).toBeGreaterThan(0);
    for (const r of shed) {
      expect(r.headers["retry-after"]).toBe("1");
      expect((JSON.parse(r.body) as { code: number }).code).toBe(9009);
    }
  }, 60_000);

  it("gives the depth back when clients go away before their answer, so the next requests are served", async () => {
    const controllers = Array.from({ length: 60 }, () => new AbortController());
    const sent = controllers.map((c) => send("POST", "/scim/v2/Users", userBody(`gone${serial++}@acme.test`), TOKEN, c.signal).catch(() => null));
    for (const c of controllers) c.abort();
    await Promise.all(sent);
    // One at a time, nothing else in flight: each is admitted.
    for (let i = 0; i < 2 * DEPTH; i++) {
      const r = await send("GET", "/scim/v2/Users?count=1");
      expect(r.status).toBe(200);
    }
  }, 60_000);
});
