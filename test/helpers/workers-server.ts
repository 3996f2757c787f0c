/**
 * A server under test with a given number of processes: WORKERS=1 is the in-process server of
 * ./server.ts; WORKERS=N>1 is the built server (node dist/main.js) with N worker processes on one
 * port and one SQLite file (src/cluster.ts), and the test's own connection to that file for what
 * tests set up through the domain (organizations, tokens, domains). Tests that must hold whatever
 * the number of processes run `describe.each(WORKER_COUNTS)`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../../src/domain/clock";
import { newId } from "../../src/domain/ids";
import { createOrganization } from "../../src/domain/orgs";
import type { Store } from "../../src/domain/ports/store";
import { issueToken } from "../../src/domain/tokens";
import type { OrgSettings, Organization, Scope } from "../../src/domain/types";
import { openStore } from "../../src/store/open";
import { ensureBuilt, spawnServer, type ServerProcess } from "./built-server";
import { startTestServer } from "./server";
import { listeningUrl } from "../process/drain-helpers";

/** The process counts the concurrency, crash and invariants tests run with. */
export const WORKER_COUNTS = [1, 2];

export interface ServerUnderTest {
  workers: number;
  url: string;
  scim: string;
  dir: string;
  /** The SQLite file. */
  file: string;
  /** The built server's process (WORKERS > 1). */
  process: ServerProcess | null;
  newOrg(settings?: Partial<OrgSettings>, scopes?: Scope[]): Promise<{ org: Organization; token: string }>;
  verifyDomain(orgId: string, name: string): Promise<void>;
  /** Stops the server (SIGTERM to the primary: every worker drains); the store file stays. */
  stop(): Promise<void>;
  /** stop(), then removes the folder. */
  close(): Promise<void>;
}

/** Waits for a line of the process's output matching `re`. */
export async function outputLine(p: ServerProcess, re: RegExp, ms = 90_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const line = p.output().split("\n").find((l) => re.test(l));
    if (line !== undefined) return line;
    if (p.child.exitCode !== null) throw new Error(`the server exited (${p.child.exitCode}):\n${p.output()}`);
    if (Date.now() > end) throw new Error(`no line matching ${re} within ${ms} ms:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The worker whose log line answered request `reqId` (request lines are written once a response finishes). */
export async function servedBy(p: ServerProcess, reqId: string): Promise<number> {
  const line = await outputLine(p, new RegExp(`"reqId":"${reqId}"[^\\n]*"msg":"request"|"worker":\\d+[^\\n]*"reqId":"${reqId}"[^\\n]*"msg":"request"`), 30_000);
  const worker = /"worker":(\d+)/.exec(line)?.[1];
  if (!worker) throw new Error(`request line without a worker: ${line}`);
  return Number(worker);
}

/** Starts N built worker processes on a fresh SQLite store; resolves once every one serves. */
export async function spawnWorkers(workers: number, file: string, env: Record<string, string> = {}): Promise<{ process: ServerProcess; url: string }> {
  ensureBuilt();
  // LOG_LEVEL info at least: the start is read from the "orgscim listening" and "serving" lines.
  const p = spawnServer({ WORKERS: String(workers), PORT: "0", DATABASE_URL: `sqlite:${file}`, INVITATION_ACCEPT_PER_MINUTE: "0", ...env, LOG_LEVEL: "info" });
  try {
    const url = await listeningUrl(p, 90_000);
    await outputLine(p, /worker processes serving/);
    // Each worker writes its own "listening" line (its log stream writes once a turn of its event
    // loop), so it can reach the pipe after the primary heard over IPC that the worker serves.
    for (let n = 1; n <= workers; n++) await outputLine(p, new RegExp(`^(?=.*"msg":"orgscim listening")(?=.*"worker":${n}[,}])`));
    return { process: p, url };
  } catch (e) {
    p.child.kill("SIGKILL"); // never leave a server behind a failed start
    throw e;
  }
}

export async function startServerWith(workers: number, env: Record<string, string> = {}): Promise<ServerUnderTest> {
  if (workers === 1) {
    const s = await startTestServer(env);
    let stopped = false;
    const stop = async () => { if (!stopped) { stopped = true; await s.running.stop(); } };
    return {
      workers, url: s.url, scim: s.scim, dir: s.dir, file: join(s.dir, "test.db"), process: null, newOrg: s.newOrg, verifyDomain: s.verifyDomain,
      stop, close: async () => { await stop(); rmSync(s.dir, { recursive: true, force: true }); },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), "orgscim-workers-"));
  const file = join(dir, "test.db");
  // As ./server.ts: no shedding, no per-address budgets, DURABILITY=normal (see there why).
  const { process: p, url } = await spawnWorkers(workers, file, { WRITES_SHED_LAG_MS: "0", DURABILITY: "normal", ...env });
  // The test's own connection to the file (a third process on it); the server's workers checkpoint.
  const store: Store = await openStore(`sqlite:${file}`, { checkpointsElsewhere: true });
  let stopped: Promise<void> | null = null;
  const stop = () => (stopped ??= (async () => {
    p.child.kill("SIGTERM");
    const { code } = await p.exited;
    await store.close();
    if (code !== 0) throw new Error(`the server exited ${code} on SIGTERM:\n${p.output()}`);
  })());
  return {
    workers, url, scim: `${url}/scim/v2`, dir, file, process: p,
    async newOrg(settings = {}, scopes = ["scim", "admin"]) {
      const org = await createOrganization(store, systemClock, { name: "Test Org", settings });
      const { plaintext } = await issueToken(store, systemClock, { orgId: org.id, name: "test", scopes });
      return { org, token: plaintext };
    },
    async verifyDomain(orgId, name) {
      await store.domains.insert({
        id: newId("DM"), orgId, name, state: "verified", challenge: "orgscim-domain-verification=test",
        created: new Date().toISOString(), verifiedAt: new Date().toISOString(),
      });
    },
    stop,
    close: async () => { await stop(); rmSync(dir, { recursive: true, force: true }); },
  };
}
