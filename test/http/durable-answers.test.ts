/**
 * Over real HTTP, with the SQLite store at DURABILITY=full (the default) and its WAL fsynced off the
 * event loop (src/store/sqlite/wal-sync.ts): a write is answered only once the fsync covering its
 * commit completed, and a failed fsync answers every waiting write 503 9010 (committed, outcome
 * unknown: read before retrying) and every later one 503 9002, with Retry-After, and /readyz 503. The fsync is the real one, held back or failed through the store's
 * `syncWal` option.
 */
import { fsync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withEvents } from "../../src/domain/events-capture";
import { openSqliteStore } from "../../src/store/sqlite/store";
import type { SyncFile } from "../../src/store/sqlite/wal-sync";
import { makeStream, poll } from "../events/helpers";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";

/** Passes fsyncs through until told to hold them; held ones are released or failed by the test. */
function switchableSync() {
  const held: { fd: number; done: (e: NodeJS.ErrnoException | null) => void }[] = [];
  let holding = false;
  let wake: (() => void) | null = null;
  const sync: SyncFile = (fd, done) => {
    if (!holding) return fsync(fd, done);
    held.push({ fd, done });
    wake?.();
  };
  return {
    sync,
    hold() { holding = true; },
    async holding(n: number) { while (held.length < n) await new Promise<void>((r) => { wake = r; }); },
    release() { holding = false; for (const h of held.splice(0)) fsync(h.fd, h.done); },
    fail() { for (const h of held.splice(0)) h.done(Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" })); },
  };
}

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "orgscim-durable-answers-")); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function serverWith(sync: SyncFile, name: string): Promise<TestServer> {
  const store = withEvents(openSqliteStore({ path: join(dir, name), durability: "full", syncWal: sync }));
  return startTestServer({ DURABILITY: "full" }, { store });
}

describe("writes answered only once durable (SQLite, DURABILITY=full)", () => {
  it("answers POST /Users only after the fsync covering its commit completed", async () => {
    const f = switchableSync();
    const s = await serverWith(f.sync, "answer.db");
    try {
      const { token } = await s.newOrg({ domainEnforcement: false });
      f.hold();
      let answered = false;
      const created = call("POST", `${s.scim}/Users`, token, userBody("held@acme.test")).then((r) => { answered = true; return r; });
      await f.holding(1);
      await new Promise((r) => setTimeout(r, 200)); // the answer would have arrived by now if sent on COMMIT
      expect(answered).toBe(false);
      f.release();
      expect((await created).status).toBe(201);
    } finally {
      f.release();
      await s.close();
    }
  });

  it("sends no SET by poll for a change whose commit is readable but not yet fsynced", async () => {
    const f = switchableSync();
    const s = await serverWith(f.sync, "poll.db");
    try {
      const { token } = await s.newOrg({ domainEnforcement: false });
      const stream = await makeStream(s, token, { delivery: "poll" });
      expect((await call("POST", `${s.scim}/Users`, token, userBody("first@acme.test"))).status).toBe(201);
      const first = await poll(s, stream.credential!); // the signing key is made (a write) by the first SET signed
      expect(Object.keys(first.body.sets).length).toBeGreaterThan(0);
      await poll(s, stream.credential!, { returnImmediately: true, maxEvents: 0, ack: Object.keys(first.body.sets) });
      f.hold();
      const created = call("POST", `${s.scim}/Users`, token, userBody("polled@acme.test"));
      await f.holding(1); // committed (readable), its fsync held
      let polled = false;
      const answer = poll(s, stream.credential!).then((r) => { polled = true; return r; });
      await new Promise((r) => setTimeout(r, 200)); // a poll that read without waiting for the fsync would have answered by now
      expect(polled).toBe(false);
      f.release();
      const r = await answer;
      expect(r.status).toBe(200);
      expect(Object.keys(r.body.sets).length).toBeGreaterThan(0);
      expect((await created).status).toBe(201);
    } finally {
      f.release();
      await s.close();
    }
  });

  it("answers 503 9010 'may be in place' to the writes waiting on a failed fsync, 503 9002 to every later one, and /readyz 503", async () => {
    const f = switchableSync();
    const s = await serverWith(f.sync, "fails.db");
    try {
      const { token } = await s.newOrg({ domainEnforcement: false });
      f.hold();
      const waiting = [1, 2, 3].map((i) => call("POST", `${s.scim}/Users`, token, userBody(`w${i}@acme.test`)));
      await f.holding(1);
      f.fail();
      const answers = await Promise.all(waiting);
      for (const r of answers) {
        expect(r.status).toBe(503);
        expect(r.headers.get("retry-after")).not.toBeNull();
      }
      const later = await call("POST", `${s.scim}/Users`, token, userBody("later@acme.test"));
      expect(later.status).toBe(503);
      expect(later.headers.get("x-orgscim-error-code")).toBe("9002");
      expect((await fetch(`${s.url}/readyz`)).status).toBe(503);
      expect((await call("GET", `${s.scim}/Users?filter=${encodeURIComponent('userName eq "later@acme.test"')}`, token)).body.totalResults).toBe(0);
      // Each waiting write is told the truth: 9010 "may be in place" when it had committed before the
      // flush failed (it is readable), 9002 when it had not (it is absent). The first one's fsync was held.
      const codes: string[] = [];
      for (const [i, r] of answers.entries()) {
        const code = r.headers.get("x-orgscim-error-code") ?? "";
        codes.push(code);
        const found = (await call("GET", `${s.scim}/Users?filter=${encodeURIComponent(`userName eq "w${i + 1}@acme.test"`)}`, token)).body.totalResults;
        if (code === "9010") {
          expect(r.body.detail).toMatch(/may be in place: read the resource before sending the write again/);
          expect(found).toBe(1);
        } else {
          expect(code).toBe("9002");
          expect(found).toBe(0);
        }
      }
      expect(codes).toContain("9010");
    } finally {
      await s.close();
    }
  });
});
