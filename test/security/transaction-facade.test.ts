/**
 * A transaction's work goes through the repositories it is handed (`tx`), never through the store
 * itself (docs/security.md case 81). Issue 18 takes the AsyncLocalStorage off the write path: the
 * store no longer knows that a call made through its facade comes from inside a running
 * transaction. Such a call then reads committed data only (a check made on it is made on another
 * state than the one written: a policy or uniqueness question answered stale), a write through it
 * waits for the transaction that waits for it (every write of the process stuck behind the
 * writer's mutex), and `durable()` waits for the group the transaction is in. Batches (/Bulk,
 * imports) keep their scope and call the facade on purpose; a plain transaction must not.
 *
 * The server here runs over a SQLite store wrapped under the events capture (as src/store/open.ts
 * wraps it) by a recorder with an AsyncLocalStorage of its own: every facade call, nested
 * transaction and durable() made while a plain transaction's fn runs is recorded with its stack.
 * Attacked through the writes of every kind over SCIM and /v1, refused ones included (a refusal
 * appends an audit event, a 409 reads what collided, a 412 reads the version). Held when nothing
 * is recorded, and the recorder sees the transactions (so it can fail).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../../src/domain/clock";
import { withEvents } from "../../src/domain/events-capture";
import type { Repos, Store } from "../../src/domain/ports/store";
import { issueToken } from "../../src/domain/tokens";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { call, ORG_EXT, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";

jest.setTimeout(120_000);

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const REPOS = ["orgs", "tokens", "users", "groups", "accounts", "domains", "invitations", "outbox", "audit", "events", "provisioningErrors"] as const;

type Scope = { kind: "transaction" | "batch" };
const scope = new AsyncLocalStorage<Scope>();
const seen: string[] = [];
let transactions = 0;

const where = (): string => (new Error().stack ?? "").split("\n").slice(3, 9).map((l) => l.trim()).filter((l) => !l.includes("node_modules") && !l.includes("node:")).join(" < ");
const inPlainTransaction = () => scope.getStore()?.kind === "transaction";

/** The bare store, every call through its facade made inside a plain transaction recorded. */
function recorded(bare: Store): Store {
  const out: Record<string, unknown> = { ...bare };
  for (const name of REPOS) {
    const repo = (bare as unknown as Record<string, Record<string, unknown> | undefined>)[name];
    if (!repo) continue;
    const wrapped: Record<string, unknown> = {};
    for (const [method, fn] of Object.entries(repo)) {
      if (typeof fn !== "function") continue;
      wrapped[method] = (...args: unknown[]) => {
        if (inPlainTransaction()) seen.push(`store.${name}.${method} inside a transaction: ${where()}`);
        return (fn as (...a: unknown[]) => unknown).apply(repo, args);
      };
    }
    out[name] = wrapped;
  }
  out.transaction = <T>(fn: (tx: Repos) => Promise<T>): Promise<T> => {
    if (inPlainTransaction()) seen.push(`a transaction inside a transaction: ${where()}`);
    return bare.transaction((tx) => {
      transactions += 1;
      // Inside a batch, a transaction is the batch's savepoint: the batch's facade calls stay allowed.
      return scope.getStore()?.kind === "batch" ? fn(tx) : scope.run({ kind: "transaction" }, () => fn(tx));
    });
  };
  if (bare.batch) out.batch = <T>(fn: () => Promise<T>) => bare.batch!(() => scope.run({ kind: "batch" }, fn));
  if (bare.commitBatch) out.commitBatch = <T>(fn: () => Promise<T>) => bare.commitBatch!(() => scope.run({ kind: "batch" }, fn));
  if (bare.durable) {
    out.durable = () => {
      if (inPlainTransaction()) seen.push(`durable() inside a transaction: ${where()}`);
      return bare.durable!();
    };
  }
  return out as unknown as Store;
}

let dir: string;
let s: TestServer;
let admin = "";
let orgId = "";
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "orgscim-facade-"));
  const store = withEvents(recorded(openSqliteStore({ path: join(dir, "f.db"), durability: "normal" })));
  s = await startTestServer({}, { store });
  const o = await s.newOrg({ domainEnforcement: false });
  admin = o.token;
  orgId = o.org.id;
});
afterAll(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a transaction's store work", () => {
  it("goes through its own repositories at every write door, refusals included", async () => {
    const statuses: Record<string, number> = {};
    const note = <R extends { status: number }>(door: string, r: R): R => { statuses[door] = r.status; return r; };
    const a = note("POST /Users", await call("POST", `${s.scim}/Users`, admin, userBody("facade-a@acme.test")));
    const b = note("POST /Users 2", await call("POST", `${s.scim}/Users`, admin, userBody("facade-b@acme.test", { [ORG_EXT]: { orgRole: "administrator" } })));
    note("POST /Users taken", await call("POST", `${s.scim}/Users`, admin, userBody("FACADE-A@acme.test")));
    const ida = a.body.id as string;
    const idb = b.body.id as string;
    note("PUT /Users", await call("PUT", `${s.scim}/Users/${ida}`, admin, userBody("facade-a@acme.test", { title: "t" })));
    note("PUT /Users If-Match stale", await call("PUT", `${s.scim}/Users/${ida}`, admin, userBody("facade-a@acme.test", { title: "u" }), { "if-match": 'W/"1"' }));
    note("PATCH /Users", await call("PATCH", `${s.scim}/Users/${ida}`, admin, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "active", value: false }] }));
    note("PATCH /Users role", await call("PATCH", `${s.scim}/Users/${ida}`, admin, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: `${ORG_EXT}:orgRole`, value: "administrator" }] }));
    const g = note("POST /Groups", await call("POST", `${s.scim}/Groups`, admin, { schemas: [GROUP], displayName: "Facade", members: [{ value: ida }] }));
    const gid = g.body.id as string;
    note("POST /Groups taken", await call("POST", `${s.scim}/Groups`, admin, { schemas: [GROUP], displayName: "facade" }));
    note("PATCH /Groups add", await call("PATCH", `${s.scim}/Groups/${gid}`, admin, { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: [{ value: idb }] }] }));
    note("PATCH /Groups unknown member", await call("PATCH", `${s.scim}/Groups/${gid}`, admin, { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: [{ value: "US00000000000000000000000000000000" }] }] }));
    note("PUT /Groups", await call("PUT", `${s.scim}/Groups/${gid}`, admin, { schemas: [GROUP], displayName: "Facade", members: [{ value: idb }] }));
    const bound = note("POST /Groups bound", await call("POST", `${s.scim}/Groups`, admin, { schemas: [GROUP], displayName: "Administrators of facade", members: [] }));
    note("POST /Bulk", await call("POST", `${s.scim}/Bulk`, admin, { schemas: [BULK], Operations: [
      { method: "POST", path: "/Users", bulkId: "c", data: userBody("facade-c@acme.test") },
      { method: "PATCH", path: `/Groups/${gid}`, data: { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: [{ value: "bulkId:c" }] }] } },
      { method: "POST", path: "/Users", bulkId: "d", data: userBody("facade-a@acme.test") },
    ] }));
    // A Standard User's token: refused by the policy (a refusal appends its audit event).
    const std = note("POST /Users standard", await call("POST", `${s.scim}/Users`, admin, userBody("facade-std@acme.test")));
    const stdToken = (await issueToken(s.running.store, systemClock, { orgId, name: "std", scopes: ["scim", "admin"], userId: std.body.id as string })).plaintext;
    note("PATCH /Users refused", await call("PATCH", `${s.scim}/Users/${idb}`, stdToken, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "title", value: "x" }] }));
    note("PATCH /Groups refused", await call("PATCH", `${s.scim}/Groups/${gid}`, stdToken, { schemas: [PATCH_SCHEMA], Operations: [{ op: "remove", path: "members" }] }));
    note("DELETE /Users refused", await call("DELETE", `${s.scim}/Users/${idb}`, stdToken));
    // /v1
    note("/v1 POST /Tokens", await v1("POST", `${s.url}/v1/Tokens`, admin, { friendly_name: "t", scopes: ["scim"] }));
    const inv = note("/v1 POST /Invitations", await v1("POST", `${s.url}/v1/Invitations`, admin, { email: "facade-inv@acme.test", org_role: "standard" }));
    note("/v1 DELETE /Invitations", await v1("DELETE", `${s.url}/v1/Invitations/${inv.body?.sid as string}`, admin));
    // An accept (the managed-once check asks inside its transaction), and one refused (another organization manages the person).
    for (const [door, email] of [["/v1 POST /Invitations/Accept", "facade-join@acme.test"], ["/v1 POST /Invitations/Accept refused", "facade-b@acme.test"]] as const) {
      const other = await s.newOrg({ domainEnforcement: false });
      const made = await v1("POST", `${s.url}/v1/Invitations`, other.token, { email, org_role: "standard" });
      const mail = (await s.running.store.outbox.list({ ref: made.body.sid as string, limit: 5 })).find((m) => m.kind === "invitation")?.text ?? "";
      note(door, await v1("POST", `${s.url}/v1/Invitations/Accept`, null, { token: /oiv_[A-Za-z0-9_-]{43}/.exec(mail)?.[0] }));
    }
    note("/v1 POST /Accounts", await v1("POST", `${s.url}/v1/Accounts`, admin, { friendly_name: "Acct", owner_sid: idb }));
    note("/v1 POST /EventStreams", await v1("POST", `${s.url}/v1/EventStreams`, admin, { friendly_name: "Facade", delivery: "poll" }));
    note("/v1 POST /Users/{sid}", await v1("POST", `${s.url}/v1/Users/${ida}`, admin, { org_role: "standard" }));
    note("DELETE /Groups", await call("DELETE", `${s.scim}/Groups/${(bound.body?.id as string | undefined) ?? gid}`, admin));
    note("DELETE /Users", await call("DELETE", `${s.scim}/Users/${ida}`, admin));
    note("DELETE /Users again", await call("DELETE", `${s.scim}/Users/${ida}`, admin));

    if (process.env.SHOW_STATUSES) console.log(statuses);
    expect(transactions).toBeGreaterThan(20);
    expect(Object.values(statuses).filter((st) => st >= 500)).toEqual([]);
    expect(seen).toEqual([]);
  });

  it("is recorded when it goes through the store (the check can fail)", async () => {
    const before = seen.length;
    await s.running.store.transaction(async () => { await s.running.store.users.get(orgId, "US00000000000000000000000000000000"); });
    expect(seen.slice(before)).toEqual([expect.stringContaining("store.users.get inside a transaction")]);
    seen.length = before;
  });
});
