/**
 * Soak: the built server (node dist/main.js) as its own process under steady mixed SCIM traffic,
 * by default 5 minutes at 50 requests/s; reports the server's memory (VmRSS and VmHWM from
 * /proc/<pid>/status) and every error, then kills the server with SIGKILL while requests are in
 * flight and checks the store (./check-invariants.ts, and that every acknowledged create
 * not later deleted is still there). Not part of CI.
 *
 *   npm run soak                                   # build, then 300 s at 50/s on a fresh SQLite file
 *   node dist-scripts/soak.js --seconds 60 --rate 100  # after npm run build
 *   DATABASE_URL=mongodb://... node dist-scripts/soak.js   # (no store checks on MongoDB)
 *
 * Options (or env SOAK_SECONDS, SOAK_RATE): --seconds N, --rate N, --no-crash (skip the SIGKILL step).
 * Exit 0 when no request failed with 5xx or a network error and the store checks pass; 1 otherwise.
 * Memory growth is reported, not judged: compare runs (RSS after warm-up vs at the end, and the slope).
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { z } from "zod";
import { ROOT } from "./built";

const MAIN = join(ROOT, "dist", "main.js");

function option(name: string, fallback: number) {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i >= 0 ? process.argv[i + 1] : process.env[`SOAK_${name.toUpperCase()}`];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
}
const SECONDS = option("seconds", 300);
const RATE = option("rate", 50);
const CRASH = !process.argv.includes("--no-crash");
const REPORT_EVERY_S = Math.min(10, Math.max(1, Math.round(SECONDS / 10)));
const MAX_IN_FLIGHT = 500;

/** One request of the mix; `after` sees the answer. */
interface SoakRequest { method: string; path: string; body?: unknown; after?: (status: number, body: unknown) => void }
/** What the soak reads from a create's answer (checked, not assumed). */
const Created = z.object({ id: z.string() });

const say = (s: string) => process.stdout.write(`${s}\n`);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      if (a === null || typeof a === "string") reject(new Error(`no TCP port: ${String(a)}`));
      else s.close(() => resolve(a.port));
    });
  });
}

function memoryOf(pid: number) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    return { rssMb: kb("VmRSS") / 1024, hwmMb: kb("VmHWM") / 1024 };
  } catch {
    return { rssMb: NaN, hwmMb: NaN };
  }
}

const percentile = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function waitFor(url: string, ms: number = 20_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}

async function main() {
  if (!existsSync(MAIN)) throw new Error("dist/main.js is missing: run `npm run build` (npm run soak does it)");
  const dir = mkdtempSync(join(tmpdir(), "orgscim-soak-"));
  const dbFile = join(dir, "soak.db");
  const databaseUrl = process.env.DATABASE_URL ?? `sqlite:${dbFile}`;
  const sqlitePath = databaseUrl.startsWith("sqlite:") ? databaseUrl.slice("sqlite:".length) : null;
  const token = `osk_${randomBytes(16).toString("hex")}_${randomBytes(32).toString("base64url")}`;
  const port = await freePort();
  const env = { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: String(port), DATABASE_URL: databaseUrl, ORGSCIM_BOOTSTRAP_TOKEN: token, LOG_LEVEL: "warn" };
  const cli = (args: string[]) => spawnSync(process.execPath, [join(ROOT, "bin", "orgscim.js"), ...args], { cwd: ROOT, env, encoding: "utf8" });

  let serverLog = "";
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d: Buffer) => { serverLog = (serverLog + d.toString()).slice(-20_000) });
  child.stderr.on("data", (d: Buffer) => { serverLog = (serverLog + d.toString()).slice(-20_000) });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${MAIN} did not start`);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/healthz`);
  // The bootstrap organization enforces verified domains; the soak's users are on acme.test.
  const orgs = JSON.parse(cli(["orgs", "list"]).stdout || "[]");
  if (orgs[0]?.sid) cli(["orgs", "settings", orgs[0].sid, "--domain-enforcement", "off"]);

  const scim = `${base}/scim/v2`;
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/scim+json" };
  const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
  const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
  const tag = Date.now().toString(36);
  let serial = 0;
  const live: { id: string; userName: string }[] = [];
  /** Ids answered 201 and never sent a DELETE: they must survive the crash. */
  const acknowledged = new Set<string>();
  const groups: string[] = [];
  const pick = <T>(xs: readonly T[]): T | undefined => xs[Math.floor(Math.random() * xs.length)];
  /** A request about a live user picked at random, or none while there is none. */
  const withUser = (make: (u: { id: string; userName: string }) => SoakRequest) => (): SoakRequest | null => {
    const u = pick(live);
    return u ? make(u) : null;
  };
  const userBody = (userName: string, extra: Record<string, unknown> = {}) => ({
    schemas: [USER], userName, name: { givenName: "Soak", familyName: "Test" },
    emails: [{ value: userName, type: "work", primary: true }], active: true, ...extra,
  });

  // A starting population, and three groups.
  for (let i = 0; i < 200; i++) {
    const userName = `seed${i}-${tag}@acme.test`;
    const r = await fetch(`${scim}/Users`, { method: "POST", headers, body: JSON.stringify(userBody(userName)) });
    const body: unknown = await r.json();
    if (r.status !== 201) throw new Error(`seeding: ${r.status} ${JSON.stringify(body)}`);
    const { id } = Created.parse(body);
    live.push({ id, userName });
    acknowledged.add(id);
  }
  for (let i = 0; i < 3; i++) {
    const r = await fetch(`${scim}/Groups`, { method: "POST", headers, body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: `soak-${tag}-${i}` }) });
    groups.push(Created.parse(await r.json()).id);
  }

  /** The mix: [weight, make request]. `after` sees the answer. */
  const MIX: [number, () => SoakRequest | null][] = [
    [20, () => ({ method: "GET", path: `/Users?filter=${encodeURIComponent(`userName eq "${pick(live)?.userName ?? "x"}"`)}` })],
    [10, () => ({ method: "GET", path: `/Users?filter=${encodeURIComponent(`userName eq "nobody-${serial++}@acme.test"`)}` })],
    [10, withUser((u) => ({ method: "GET", path: `/Users/${u.id}` }))],
    [5, () => ({ method: "GET", path: `/Users?startIndex=${1 + Math.floor(Math.random() * Math.max(1, live.length))}&count=50` })],
    [5, () => ({ method: "GET", path: `/Groups/${pick(groups)}?excludedAttributes=members` })],
    [15, () => {
      const userName = `u${serial++}-${tag}@acme.test`;
      return {
        method: "POST", path: "/Users", body: userBody(userName),
        after: (status, body) => {
          const created = Created.safeParse(body);
          if (status === 201 && created.success) { live.push({ id: created.data.id, userName }); acknowledged.add(created.data.id); }
        },
      };
    }],
    [10, withUser((u) => ({ method: "PATCH", path: `/Users/${u.id}`, body: { schemas: [PATCH], Operations: [{ op: "replace", path: "title", value: `t${serial++}` }] } }))],
    [3, withUser((u) => ({ method: "PATCH", path: `/Users/${u.id}`, body: { schemas: [PATCH], Operations: [{ op: "add", path: "phoneNumbers", value: [{ value: `+1555${String(serial++ % 1e7).padStart(7, "0")}`, type: "work" }] }] } }))],
    [5, () => {
      const u = pick(live);
      return u ? { method: "PUT", path: `/Users/${u.id}`, body: userBody(u.userName, { displayName: `d${serial++}` }) } : null;
    }],
    [12, () => {
      const u = pick(live);
      if (!u) return null;
      const add = Math.random() < 0.6;
      return { method: "PATCH", path: `/Groups/${pick(groups)}`, body: { schemas: [PATCH], Operations: [add ? { op: "add", path: "members", value: [{ value: u.id }] } : { op: "remove", path: `members[value eq "${u.id}"]` }] } };
    }],
    [5, () => {
      if (live.length < 100) return null;
      const u = live.splice(Math.floor(Math.random() * live.length), 1)[0];
      if (!u) return null;
      acknowledged.delete(u.id);
      return { method: "DELETE", path: `/Users/${u.id}` };
    }],
  ];
  const totalWeight = MIX.reduce((a, [w]) => a + w, 0);
  const next = () => {
    for (;;) {
      let x = Math.random() * totalWeight;
      for (const [w, make] of MIX) {
        x -= w;
        if (x <= 0) {
          const req = make();
          if (req) return req;
          break;
        }
      }
    }
  };

  const statusCounts: Map<string, number> = new Map();
  let inFlight = 0;
  let skipped = 0;
  let windowLatencies: number[] = [];
  const failures: string[] = [];
  let stopTraffic = false;

  const fire = () => {
    if (inFlight >= MAX_IN_FLIGHT) { skipped++; return; }
    const req = next();
    inFlight++;
    const t0 = performance.now();
    fetch(`${scim}${req.path}`, { method: req.method, headers, body: req.body === undefined ? undefined : JSON.stringify(req.body) })
      .then(async (r) => {
        const text = await r.text();
        windowLatencies.push(performance.now() - t0);
        const key = String(r.status);
        statusCounts.set(key, (statusCounts.get(key) ?? 0) + 1);
        if (r.status >= 500) failures.push(`${r.status} ${req.method} ${req.path}: ${text.slice(0, 200)}`);
        let body: unknown = null;
        try { body = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
        req.after?.(r.status, body);
      }, (e) => {
        if (stopTraffic) return;
        statusCounts.set("network error", (statusCounts.get("network error") ?? 0) + 1);
        failures.push(`network error ${req.method} ${req.path}: ${e instanceof Error ? e.message : String(e)}`);
      })
      .finally(() => { inFlight--; });
  };

  /** Open loop: requests go out on the clock whether or not earlier ones were answered. */
  const runTraffic = async (seconds: number, onSecond: (t: number) => void, rate = RATE) => {
    const start = performance.now();
    let sent = 0;
    let lastSecond = 0;
    while (!stopTraffic) {
      const t = (performance.now() - start) / 1000;
      if (t >= seconds) break;
      const due = Math.floor(t * rate) - sent;
      for (let i = 0; i < due; i++) { fire(); sent++; }
      if (Math.floor(t) > lastSecond) { lastSecond = Math.floor(t); onSecond(lastSecond); }
      await new Promise((r) => setTimeout(r, 5));
    }
    return sent;
  };

  say(`soak: ${SECONDS} s at ${RATE} requests/s against ${databaseUrl.startsWith("sqlite:") ? databaseUrl : "MongoDB"} (server pid ${child.pid})`);
  const start = memoryOf(pid);
  say(`memory at start (after seeding): VmRSS ${start.rssMb.toFixed(1)} MB`);
  say("   t(s)     sent  in-flight  p50 ms  p99 ms  VmRSS MB  VmHWM MB  statuses so far");
  const samples: { t: number; rssMb: number }[] = [];
  let sentSoFar = 0;
  const sent = await runTraffic(SECONDS, (t) => {
    if (t % REPORT_EVERY_S !== 0) return;
    const m = memoryOf(pid);
    samples.push({ t, rssMb: m.rssMb });
    sentSoFar = Math.floor(t * RATE);
    const statuses = [...statusCounts.entries()].sort().map(([k, n]) => `${k}×${n}`).join(" ");
    say(`${String(t).padStart(7)} ${String(sentSoFar).padStart(8)} ${String(inFlight).padStart(10)} ${percentile(windowLatencies, 50).toFixed(1).padStart(7)} ${percentile(windowLatencies, 99).toFixed(1).padStart(7)} ${m.rssMb.toFixed(1).padStart(9)} ${m.hwmMb.toFixed(1).padStart(9)}  ${statuses}`);
    windowLatencies = [];
  });
  const deadline = Date.now() + 10_000;
  while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const end = memoryOf(pid);

  // Growth after warm-up: the first 20% of the run (at least one sample) is not counted.
  const steady = samples.filter((s) => s.t >= SECONDS * 0.2);
  const first = steady[0] ?? samples[0];
  let slope = NaN;
  if (steady.length >= 3) {
    const mt = steady.reduce((a, s) => a + s.t, 0) / steady.length;
    const mr = steady.reduce((a, s) => a + s.rssMb, 0) / steady.length;
    slope = (steady.reduce((a, s) => a + (s.t - mt) * (s.rssMb - mr), 0) / steady.reduce((a, s) => a + (s.t - mt) ** 2, 0)) * 60;
  }
  const errors5xx = [...statusCounts.entries()].filter(([k]) => k.startsWith("5")).reduce((a, [, n]) => a + n, 0);
  const network = statusCounts.get("network error") ?? 0;
  say("");
  say(`sent ${sent} requests in ${SECONDS} s (${(sent / SECONDS).toFixed(1)}/s); not sent because ${MAX_IN_FLIGHT} were in flight: ${skipped}`);
  say(`statuses: ${[...statusCounts.entries()].sort().map(([k, n]) => `${k}×${n}`).join(" ")}`);
  say(`5xx: ${errors5xx}; network errors: ${network}; still unanswered: ${inFlight}`);
  say(`memory: VmRSS ${start.rssMb.toFixed(1)} MB at start, ${first ? first.rssMb.toFixed(1) : "?"} MB after warm-up (t=${first?.t ?? "?"} s), ${end.rssMb.toFixed(1)} MB at the end; ` +
    `growth after warm-up ${first ? (end.rssMb - first.rssMb).toFixed(1) : "?"} MB, slope ${Number.isFinite(slope) ? slope.toFixed(2) : "n/a"} MB/min; peak VmHWM ${end.hwmMb.toFixed(1)} MB`);
  for (const f of failures.slice(0, 10)) say(`  ${f}`);

  let storeOk = true;
  if (CRASH) {
    // SIGKILL while requests are in flight (a burst at 10x the rate, at least 500/s), then look at
    // the store as a restart would find it.
    const burst = runTraffic(3, () => undefined, Math.max(500, RATE * 10));
    const killBy = Date.now() + 2500;
    await new Promise((r) => setTimeout(r, 500));
    while (inFlight < 5 && Date.now() < killBy) await new Promise((r) => setTimeout(r, 1));
    const inFlightAtKill = inFlight;
    child.kill("SIGKILL");
    stopTraffic = true;
    await burst;
    await exited;
    say("");
    say(`killed the server with SIGKILL with ${inFlightAtKill} request(s) in flight`);
    if (sqlitePath) {
      const check = spawnSync(process.execPath, [join(__dirname, "check-invariants.js")], { env: { ...env, DATABASE_URL: `sqlite:${sqlitePath}` }, encoding: "utf8" });
      process.stdout.write(check.stdout + check.stderr);
      const db = new Database(sqlitePath, { readonly: true });
      const has = db.prepare("SELECT 1 FROM users WHERE id = ?").pluck();
      const missing = [...acknowledged].filter((id) => has.get(id) !== 1);
      db.close();
      say(`acknowledged creates not deleted: ${acknowledged.size}; missing after the crash: ${missing.length}${missing.length ? ` (${missing.slice(0, 5).join(", ")})` : ""}`);
      storeOk = check.status === 0 && missing.length === 0;
    } else {
      say("(MongoDB: the store checks read SQLite files only; skipped)");
    }
  } else {
    child.kill("SIGTERM");
    const { code } = await exited;
    say(`SIGTERM: exit code ${code}`);
  }
  if (errors5xx + network > 0) say(`server log (tail):\n${serverLog.slice(-2000)}`);
  rmSync(dir, { recursive: true, force: true });
  const ok = errors5xx === 0 && network === 0 && storeOk;
  say(ok ? "soak: OK" : "soak: FAILED");
  process.exit(ok ? 0 : 1);
}

main().catch((e: unknown) => {
  process.stderr.write(`soak: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
