/**
 * A write is answered only once the fsync that covers it completed (case 28, 55919f9,
 * test/security/acknowledged-durable.test.ts). The same holds for a write answered from what
 * another write committed: an identity provider that sends a DELETE again (its first attempt timed
 * out while the first DELETE's fsync was in flight) and reads 404 takes the user as deprovisioned;
 * were that 404 answered before the first DELETE is on disk, a power cut would bring the user back
 * with the provider sure they are gone. Likewise a create sent again (409: "exists") and a PATCH
 * sent again with the old version (412). The rule (docs/security.md case 49): a write refused
 * because of a commit not yet on disk is answered only after the fsync covering that commit; after
 * a failed fsync it answers 503, never the refusal the lost commit would justify. The one write
 * that needs no bearer token, an invitation's accept sent again (400 6607 "already accepted"),
 * is held the same way (case 54).
 *
 * Real HTTP, the real SQLite store at DURABILITY=full, its fsyncs held or failed through `syncWal`.
 */
import Database from "better-sqlite3";
import { fsync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withEvents } from "../../src/domain/events-capture";
import { openSqliteStore } from "../../src/store/sqlite/store";
import type { SyncFile } from "../../src/store/sqlite/wal-sync";
import { switchableSync } from "../helpers/switchable-sync";
import { aUser, anOrg } from "../helpers/fixtures";
import { call, PATCH_SCHEMA, startTestServer, userBody, type Reply, type TestServer } from "../helpers/server";

jest.setTimeout(120_000);

const tag = () => Math.random().toString(36).slice(2, 8);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Server { s: TestServer; token: string; f: ReturnType<typeof switchableSync>; dir: string; db: string }
async function start(): Promise<Server> {
  const f = switchableSync();
  const dir = mkdtempSync(join(tmpdir(), "orgscim-replayed-"));
  const db = join(dir, "replayed.db");
  const store = withEvents(openSqliteStore({ path: db, durability: "full", syncWal: f.sync }));
  const s = await startTestServer({ DURABILITY: "full" }, { store });
  return { s, f, dir, db, token: (await s.newOrg({ domainEnforcement: false })).token };
}
async function stop(x: Server): Promise<void> {
  x.f.release();
  await x.s.close();
  rmSync(x.dir, { recursive: true, force: true });
}

/** A first write and the same write sent again, on a server whose fsyncs pass until `send` starts. */
type Replay = (x: Server) => Promise<{ first: () => Promise<Reply>; again: () => Promise<Reply>; refusal: number; code?: number }>;
const made = async (x: Server) => {
  const r = await call("POST", `${x.s.scim}/Users`, x.token, userBody(`r-${tag()}@acme.test`));
  expect(r.status).toBe(201);
  return r.body as { id: string; userName: string; meta: { version: string } };
};
const JSON_TYPE = { "content-type": "application/json" };
/** An invitation's accept at `path` (its token as the unsent mail holds it): no bearer token, the emailed one is its credential. */
const acceptAt = (path: string): Replay => async (x) => {
  const email = `inv-${tag()}@elsewhere.test`;
  const r = await call("POST", `${x.s.url}/v1/Invitations`, x.token, { email, org_role: "standard" }, JSON_TYPE);
  expect(r.status).toBe(201);
  const db = new Database(x.db, { readonly: true, fileMustExist: true });
  let token: string;
  try {
    const bodies = db.prepare("SELECT body FROM outbox").all() as { body: string | null }[];
    token = /oiv_[A-Za-z0-9_-]+/.exec(bodies.map((b) => b.body ?? "").join("\n"))![0];
  } finally {
    db.close();
  }
  const accept = () => call("POST", `${x.s.url}${path}`, null, { token }, JSON_TYPE);
  return { first: accept, again: accept, refusal: 400, code: 6607 };
};
const REPLAYS: [string, Replay][] = [
  ["a DELETE sent again (404)", async (x) => {
    const u = await made(x);
    const del = () => call("DELETE", `${x.s.scim}/Users/${u.id}`, x.token);
    return { first: del, again: del, refusal: 404 };
  }],
  ["a create sent again (409)", async (x) => {
    const body = userBody(`r-${tag()}@acme.test`);
    const post = () => call("POST", `${x.s.scim}/Users`, x.token, body);
    return { first: post, again: post, refusal: 409 };
  }],
  ["a PATCH sent again with the version it was made on (412)", async (x) => {
    const u = await made(x);
    const patch = () => call("PATCH", `${x.s.scim}/Users/${u.id}`, x.token,
      { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "active", value: false }] }, { "If-Match": u.meta.version });
    return { first: patch, again: patch, refusal: 412 };
  }],
  ["a deactivation sent again (204, nothing left to change)", async (x) => {
    const u = await made(x);
    const patch = () => call("PATCH", `${x.s.scim}/Users/${u.id}`, x.token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "active", value: false }] });
    return { first: patch, again: patch, refusal: 204 };
  }],
  ["a member's removal sent again (204, nothing left to change)", async (x) => {
    const u = await made(x);
    const g = await call("POST", `${x.s.scim}/Groups`, x.token, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: `G ${tag()}`, members: [{ value: u.id }] });
    expect(g.status).toBe(201);
    const patch = () => call("PATCH", `${x.s.scim}/Groups/${g.body.id as string}`, x.token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "remove", path: `members[value eq "${u.id}"]` }] });
    return { first: patch, again: patch, refusal: 204 };
  }],
  ["a PUT sent again (200, nothing left to change)", async (x) => {
    const u = await made(x);
    const put = () => call("PUT", `${x.s.scim}/Users/${u.id}`, x.token, userBody(u.userName, { nickName: "again" }));
    return { first: put, again: put, refusal: 200 };
  }],
  ["a member's addition sent again (204, nothing left to change)", async (x) => {
    const u = await made(x);
    const g = await call("POST", `${x.s.scim}/Groups`, x.token, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: `G ${tag()}` });
    expect(g.status).toBe(201);
    const patch = () => call("PATCH", `${x.s.scim}/Groups/${g.body.id as string}`, x.token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: [{ value: u.id }] }] });
    return { first: patch, again: patch, refusal: 204 };
  }],
  ["a /v1 change sent again (200, nothing left to change)", async (x) => {
    const u = await made(x);
    const post = () => call("POST", `${x.s.url}/v1/Users/${u.id}`, x.token, { display_name: "Again" }, { "content-type": "application/json" });
    return { first: post, again: post, refusal: 200 };
  }],
  ["a DELETE sent again through /Bulk (200, the operation 404; one /Bulk at a time per organization)", async (x) => {
    const u = await made(x);
    const del = () => call("DELETE", `${x.s.scim}/Users/${u.id}`, x.token);
    const bulk = () => call("POST", `${x.s.scim}/Bulk`, x.token, { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations: [{ method: "DELETE", path: `/Users/${u.id}` }] });
    return { first: del, again: bulk, refusal: 200 };
  }],
  ["a /v1 removal sent again (404)", async (x) => {
    const u = await made(x);
    const remove = () => call("POST", `${x.s.url}/v1/Users/${u.id}/Remove`, x.token, { acknowledge: true }, { "content-type": "application/json" });
    return { first: remove, again: remove, refusal: 404 };
  }],
  ["a /v1 token revocation sent again (404)", async (x) => {
    const t = await call("POST", `${x.s.url}/v1/Tokens`, x.token, { friendly_name: `t-${tag()}`, scopes: ["scim"] }, { "content-type": "application/json" });
    expect(t.status).toBe(201);
    const revoke = () => call("DELETE", `${x.s.url}/v1/Tokens/${t.body.sid as string}`, x.token);
    return { first: revoke, again: revoke, refusal: 404 };
  }],
  // The route as declared, and as express routes it too (case-insensitive, a trailing slash).
  ["an invitation's accept sent again (400 6607), /v1/Invitations/Accept", acceptAt("/v1/Invitations/Accept")],
  ["an invitation's accept sent again (400 6607), /v1/invitations/ACCEPT/", acceptAt("/v1/invitations/ACCEPT/")],
];

describe.each(REPLAYS)("%s", (_name, replay) => {
  let x: Server;
  beforeEach(async () => { x = await start(); });
  afterEach(async () => stop(x));

  it("is not answered before the fsync covering the first one, and then answers its refusal", async () => {
    const { first, again, refusal, code } = await replay(x);
    x.f.hold();
    let firstAnswer: Reply | null = null;
    const one = first().then((r) => (firstAnswer = r));
    for (let i = 0; i < 200 && x.f.held.length === 0; i++) await sleep(10);
    expect(x.f.held.length).toBeGreaterThan(0); // the first committed; its fsync is held
    let againAnswer: Reply | null = null;
    const two = again().then((r) => (againAnswer = r));
    try {
      await sleep(300); // a refusal answered from the commit alone would have arrived by now
      expect([firstAnswer, againAnswer]).toEqual([null, null]);
    } finally {
      x.f.release();
    }
    await Promise.all([one, two]);
    expect(firstAnswer!.status).toBeLessThan(300);
    expect(againAnswer!.status).toBe(refusal);
    if (code !== undefined) expect(againAnswer!.body.code).toBe(code);
  });

  it("answers 503 once the fsync covering the first one failed, never the refusal", async () => {
    const { first, again } = await replay(x);
    x.f.hold();
    const one = first();
    for (let i = 0; i < 200 && x.f.held.length === 0; i++) await sleep(10);
    const two = again();
    await sleep(300);
    x.f.fail();
    const [a, b] = await Promise.all([one, two]);
    expect([a.status, b.status]).toEqual([503, 503]);
  });
});

describe("a refusal read inside a transaction, from an earlier member of its group commit", () => {
  it("is durable only once that group committed and an fsync after its COMMIT completed (Store.durable)", async () => {
    // Each fsync is held until released one by one, in the order they started.
    const queue: { fd: number; done: (e: NodeJS.ErrnoException | null) => void }[] = [];
    let holding = false;
    const sync: SyncFile = (fd, done) => (holding ? queue.push({ fd, done }) : fsync(fd, done));
    const releaseFirst = () => { const h = queue.shift(); if (h) fsync(h.fd, h.done); };
    const dir = mkdtempSync(join(tmpdir(), "orgscim-replayed-group-"));
    const store = openSqliteStore({ path: join(dir, "group.db"), durability: "full", syncWal: sync });
    try {
      const org = anOrg();
      await store.orgs.insert(org);
      const u = aUser(org.id);
      await store.users.insert(u);
      holding = true;
      // One turn: the delete and the read that finds the user gone join one group.
      let deleteAcknowledged = false;
      const deleted = store.transaction((tx) => tx.users.delete(org.id, u.id)).then(() => { deleteAcknowledged = true; });
      const refused = store.transaction(async (tx) => {
        if (!(await tx.users.get(org.id, u.id))) throw new Error("gone");
      });
      await expect(refused).rejects.toThrow("gone");
      let durable = false;
      const d = store.durable!().then(() => { durable = true; });
      // Released one by one: durable() may not resolve while the delete it read is not acknowledged (on disk).
      const seen: [boolean, boolean][] = [];
      for (let step = 0; step < 5 && !(durable && deleteAcknowledged); step++) {
        for (let i = 0; i < 50 && queue.length === 0; i++) await sleep(10);
        releaseFirst();
        await sleep(100);
        seen.push([durable, deleteAcknowledged]);
      }
      expect(seen.filter(([dur, ack]) => dur && !ack)).toEqual([]);
      holding = false;
      while (queue.length > 0) releaseFirst();
      await Promise.all([d, deleted]);
      expect(durable).toBe(true);
    } finally {
      holding = false;
      while (queue.length > 0) releaseFirst();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
