/**
 * A real orgscim server for HTTP tests: real express on a loopback port, a real SQLite file in
 * a temporary folder, organizations and tokens made through the domain's own paths.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/config";
import { systemClock } from "../../src/domain/clock";
import { newId } from "../../src/domain/ids";
import { createOrganization } from "../../src/domain/orgs";
import { issueToken } from "../../src/domain/tokens";
import type { Store } from "../../src/domain/ports/store";
import type { OrgSettings, Organization, Scope } from "../../src/domain/types";
import { startServer, type RunningServer } from "../../src/server";

export interface TestServer {
  running: RunningServer;
  url: string;
  scim: string;
  dir: string;
  newOrg(settings?: Partial<OrgSettings>, scopes?: Scope[]): Promise<{ org: Organization; token: string }>;
  verifyDomain(orgId: string, name: string): Promise<void>;
  close(): Promise<void>;
}

/** `options.store`: serve this store instead of the SQLite file (e.g. the MongoDB store over the mingo double: test/store/mingo-store.ts). */
export async function startTestServer(env: Record<string, string> = {}, options: { store?: Store } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "orgscim-http-"));
  // Write shedding is off unless a test turns it on (test/http/write-shedding.test.ts): jest's
  // workers share two cores, so a test server's event loop runs late for reasons of the test run.
  // So is shedding by queue depth (test/http/overload.test.ts): tests race hundreds of requests on purpose.
  // The per-address budget of invitation accepts likewise (test/v1/accept-budget.test.ts): every
  // test client is 127.0.0.1. So are the per-address budgets of token-less requests and failed
  // authentications (test/hardening/unauthenticated.test.ts turns them on). DURABILITY=normal: these
  // servers test behaviour (some with latency bounds), and an fsync at every commit on a disk shared
  // by loaded test workers takes up to hundreds of ms; synchronous=FULL, the default, is tested in
  // test/store/sqlite-durability.test.ts, and every built-server test (test/process, test/ops) runs with it.
  const config = loadConfig({ PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", WRITES_SHED_LAG_MS: "0", OVERLOAD_QUEUE_DEPTH: "0", INVITATION_ACCEPT_PER_MINUTE: "0", ANONYMOUS_PER_MINUTE: "0", AUTH_FAILURES_PER_MINUTE: "0", DURABILITY: "normal", DATABASE_URL: `sqlite:${join(dir, "test.db")}`, ...env });
  const running = await startServer(config, options.store ? { store: options.store } : {});
  const server: TestServer = {
    running,
    url: running.url,
    scim: `${running.url}/scim/v2`,
    dir,
    async newOrg(settings = {}, scopes = ["scim", "admin"]) {
      const org = await createOrganization(running.store, systemClock, { name: "Test Org", settings });
      const { plaintext } = await issueToken(running.store, systemClock, { orgId: org.id, name: "test", scopes });
      return { org, token: plaintext };
    },
    async verifyDomain(orgId, name) {
      await running.store.domains.insert({
        id: newId("DM"), orgId, name, state: "verified", challenge: "orgscim-domain-verification=test",
        created: new Date().toISOString(), verifiedAt: new Date().toISOString(),
      });
    },
    async close() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

export interface Reply {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test code reads arbitrary JSON
  text: string;
}

/** A SCIM call over real HTTP. */
export async function call(method: string, url: string, token: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const h: Record<string, string> = { ...headers };
  if (token !== null) h.authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === "string" ? body : JSON.stringify(body);
    h["content-type"] ??= "application/scim+json";
  }
  const res = await fetch(url, payload === undefined ? { method, headers: h } : { method, headers: h, body: payload });
  const text = await res.text();
  let parsed: unknown = undefined;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const ORG_EXT = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";

export function userBody(userName: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemas: [USER_SCHEMA],
    userName,
    name: { givenName: "Given", familyName: "Family" },
    emails: [{ value: userName.includes("@") ? userName : `${userName}@acme.test`, type: "work", primary: true }],
    active: true,
    ...over,
  };
}
