/**
 * A /Bulk request commits in slices (src/scim/bulk/run.ts); the next slice runs once the last one
 * committed, while its fsync is still in flight, and the answer waits for every slice's fsync. So
 * with every fsync held back, all the request's operations are committed (readable through the
 * server's reader connection) and still nothing is answered; released, it answers. An fsync failing
 * after a slice committed answers 503 9010 (the writes may be in place), even when a later slice is
 * refused for it: never 200, nor 9002's "nothing was changed". Real HTTP, the real SQLite store at DURABILITY=full, its fsync held or failed
 * through the store's `syncWal` option (as test/security/acknowledged-durable.test.ts does).
 */
import { fsync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withEvents } from "../../src/domain/events-capture";
import { openSqliteStore } from "../../src/store/sqlite/store";
import type { SyncFile } from "../../src/store/sqlite/wal-sync";
import { call, startTestServer, userBody, type Reply, type TestServer } from "../helpers/server";

jest.setTimeout(120_000);

const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
/** Enough user POSTs for many slices of SLICE_MS (10 ms) whatever the machine. */
const OPERATIONS = 300;

const eio = () => Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" });
const held: ((e: NodeJS.ErrnoException | null) => void)[] = [];
let mode: "pass" | "hold" | "fail" = "pass";
const sync: SyncFile = (fd, done) => {
  if (mode === "fail") return done(eio());
  if (mode === "pass") return fsync(fd, done);
  held.push((e) => (e ? done(e) : fsync(fd, done)));
};
const release = () => { mode = "pass"; for (const h of held.splice(0)) h(null); };
const failHeld = () => { mode = "fail"; for (const h of held.splice(0)) h(eio()); };

let dir: string;
let s: TestServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "orgscim-bulk-slices-"));
  const store = withEvents(openSqliteStore({ path: join(dir, "slices.db"), durability: "full", syncWal: sync }));
  s = await startTestServer({ DURABILITY: "full" }, { store });
});
afterAll(async () => {
  release();
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

const bulkOf = (prefix: string) => ({
  schemas: [BULK],
  Operations: Array.from({ length: OPERATIONS }, (_, i) => ({ method: "POST", path: "/Users", bulkId: `u${i}`, data: userBody(`${prefix}-${i}@acme.test`) })),
});
const usersOf = async (token: string): Promise<number> => (await call("GET", `${s.scim}/Users?count=0`, token)).body.totalResults as number;

/** Sends a /Bulk of OPERATIONS creates with fsyncs held; resolves once all of them are committed (or fails after 90 s). */
async function sendWhileHeld(token: string, prefix: string): Promise<{ answer: Promise<Reply>; answered: () => Reply | null }> {
  mode = "hold";
  let reply: Reply | null = null;
  const answer = call("POST", `${s.scim}/Bulk`, token, bulkOf(prefix)).then((r) => (reply = r));
  const until = Date.now() + 90_000;
  let committed = 0;
  while ((committed = await usersOf(token)) < OPERATIONS && reply === null && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  if (committed !== OPERATIONS || reply !== null) release(); // failing: let the request and the tests after it end
  expect([committed, reply]).toEqual([OPERATIONS, null]); // every slice committed though none is on disk, and nothing answered
  return { answer, answered: () => reply };
}

describe("a /Bulk request of many slices", () => {
  it("runs every slice while the fsyncs of those before are in flight, and answers only once all are done", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false });
    const { answer, answered } = await sendWhileHeld(token, "held");
    await new Promise((r) => setTimeout(r, 200)); // an answer sent before the fsyncs would have arrived by now
    expect(answered()).toBeNull();
    expect(held.length).toBeGreaterThan(0);
    release();
    const r = await answer;
    expect(r.status).toBe(200);
    expect((r.body.Operations as { status: string }[]).filter((o) => o.status !== "201")).toEqual([]);
  });

  it("answers 503 9010 (may be in place) when an fsync fails while its later slices still run", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false });
    mode = "hold";
    const answer = call("POST", `${s.scim}/Bulk`, token, bulkOf("failed"));
    const until = Date.now() + 90_000;
    while (held.length === 0 && Date.now() < until) await new Promise((r) => setImmediate(r));
    failHeld(); // the first slice's fsync fails; the slices after it find the store refusing writes
    const r = await answer;
    expect([r.status, r.headers.get("x-orgscim-error-code")]).toEqual([503, "9010"]);
    expect(r.body.detail).toMatch(/may be in place/);
    const users = await usersOf(token);
    expect(users).toBeGreaterThan(0); // some slices are in: 9002's "nothing was changed" would be a lie
    expect(users).toBeLessThan(OPERATIONS);
  });
});
