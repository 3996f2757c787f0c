/**
 * Case 49 for the one write that needs no bearer token: POST /v1/Invitations/Accept (the emailed
 * token is its credential). An invitee whose accept timed out while its fsync was in flight sends
 * it again; the second reads the invitation accepted (committed, not yet on disk) and answers 400
 * 6607 "already accepted: sign in as usual". Answered at once, a power cut before the fsync then
 * leaves the invitation pending and the invitee not a member, sure they are one. So that refusal,
 * like every refused write's, is answered only once what it read is on disk, and 503 if that fsync
 * failed (docs/security.md case 54).
 *
 * Real HTTP, the real SQLite store at DURABILITY=full, its fsyncs held or failed through `syncWal`.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withEvents } from "../../src/domain/events-capture";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { switchableSync } from "../helpers/switchable-sync";
import { call, startTestServer, type Reply, type TestServer } from "../helpers/server";

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const JSON_TYPE = { "content-type": "application/json" };

interface Server { s: TestServer; token: string; f: ReturnType<typeof switchableSync>; dir: string; db: string }
async function start(): Promise<Server> {
  const f = switchableSync();
  const dir = mkdtempSync(join(tmpdir(), "orgscim-accept-replayed-"));
  const db = join(dir, "accept.db");
  const store = withEvents(openSqliteStore({ path: db, durability: "full", syncWal: f.sync }));
  const s = await startTestServer({ DURABILITY: "full" }, { store });
  return { s, f, dir, db, token: (await s.newOrg({ domainEnforcement: false })).token };
}
async function stop(x: Server): Promise<void> {
  x.f.release();
  await x.s.close();
  rmSync(x.dir, { recursive: true, force: true });
}

/** An invitation to the organization, and its token as the unsent mail holds it. */
async function invited(x: Server, path: string): Promise<() => Promise<Reply>> {
  const email = `inv-${Math.random().toString(36).slice(2, 8)}@elsewhere.test`;
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
  return () => call("POST", `${x.s.url}${path}`, null, { token }, JSON_TYPE);
}

// The route as declared, and as express routes it too (case-insensitive, a trailing slash).
describe.each(["/v1/Invitations/Accept", "/v1/invitations/ACCEPT/"])("an invitation's accept (%s) sent again while the first one's fsync is in flight", (path) => {
  let x: Server;
  beforeEach(async () => { x = await start(); });
  afterEach(async () => stop(x));

  it("is not answered before the fsync covering the first one, and then answers 400 6607 (already accepted)", async () => {
    const accept = await invited(x, path);
    x.f.hold();
    let firstAnswer: Reply | null = null;
    const one = accept().then((r) => (firstAnswer = r));
    for (let i = 0; i < 200 && x.f.held.length === 0; i++) await sleep(10);
    expect(x.f.held.length).toBeGreaterThan(0); // the first committed; its fsync is held
    let againAnswer: Reply | null = null;
    const two = accept().then((r) => (againAnswer = r));
    try {
      await sleep(300); // a refusal answered from the commit alone would have arrived by now
      expect([firstAnswer, againAnswer]).toEqual([null, null]);
    } finally {
      x.f.release();
    }
    await Promise.all([one, two]);
    expect(firstAnswer!.status).toBe(200);
    expect(againAnswer!.status).toBe(400);
    expect(againAnswer!.body.code).toBe(6607);
  });

  it("answers 503 once the fsync covering the first one failed, never 'already accepted'", async () => {
    const accept = await invited(x, path);
    x.f.hold();
    const one = accept();
    for (let i = 0; i < 200 && x.f.held.length === 0; i++) await sleep(10);
    const two = accept();
    await sleep(300);
    x.f.fail();
    const [a, b] = await Promise.all([one, two]);
    expect([a.status, b.status]).toEqual([503, 503]);
  });

  it("answers a token that names nothing 400 6605", async () => {
    const r = await call("POST", `${x.s.url}${path}`, null, { token: "oiv_nothing" }, JSON_TYPE);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(6605);
  });
});
