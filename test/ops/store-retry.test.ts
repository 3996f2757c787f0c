/** Start-up waits for a store that is not there yet, says so, and gives up with the reason. */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StoreUnavailable } from "../../src/domain/ports/store";
import { openWithRetry, storeWaitMessage } from "../../src/store/open-with-retry";
import { ensureBuilt, freePort, spawnServer, waitFor } from "../helpers/built-server";

function fakeClock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), slept: () => t };
}

describe("openWithRetry", () => {
  it("retries while the store is unavailable, with pauses growing to 5 s, and answers the store", async () => {
    const clock = fakeClock();
    const lines: string[] = [];
    let tries = 0;
    const store = await openWithRetry(async () => {
      if (++tries < 6) throw new StoreUnavailable(new Error("connect ECONNREFUSED 10.0.0.1:27017"));
      return "store";
    }, { retryForMs: 60_000, onRetry: (i) => lines.push(storeWaitMessage(i)), ...clock });
    expect(store).toBe("store");
    expect(tries).toBe(6);
    expect(clock.slept()).toBe(500 + 1000 + 2000 + 4000 + 5000);
    expect(lines[0]).toBe("store not reachable yet (try 1: connect ECONNREFUSED 10.0.0.1:27017); retrying in 0.5 s, giving up in 60 s (STORE_START_RETRY_MS)");
    expect(lines).toHaveLength(5);
  });

  it("gives up after STORE_START_RETRY_MS with an error naming the reason and the variable", async () => {
    const clock = fakeClock();
    let tries = 0;
    await expect(openWithRetry(async () => {
      tries++;
      throw new StoreUnavailable(new Error("Server selection timed out after 10000 ms"));
    }, { retryForMs: 12_000, onRetry: () => undefined, ...clock })).rejects.toThrow(
      /^the store does not answer after \d+ tries in 12 s \(STORE_START_RETRY_MS\): Server selection timed out after 10000 ms$/,
    );
    expect(clock.slept()).toBe(12_000); // the last pause is cut to the deadline
    expect(tries).toBeGreaterThan(3);
  });

  it("tries once when STORE_START_RETRY_MS is 0", async () => {
    let tries = 0;
    await expect(openWithRetry(async () => {
      tries++;
      throw new StoreUnavailable(new Error("database is locked"));
    }, { retryForMs: 0, onRetry: () => undefined, ...fakeClock() })).rejects.toThrow("(STORE_START_RETRY_MS=0: one try): database is locked");
    expect(tries).toBe(1);
  });

  it("does not retry an error that waiting cannot fix (refused credentials, a bad URL)", async () => {
    let tries = 0;
    const auth = Object.assign(new Error("Authentication failed."), { code: 18 });
    await expect(openWithRetry(async () => {
      tries++;
      throw auth;
    }, { retryForMs: 60_000, onRetry: () => undefined, ...fakeClock() })).rejects.toBe(auth);
    expect(tries).toBe(1);
  });
});

describe("the server process against a store that is busy at start", () => {
  let dir: string;
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), "orgscim-retry-"));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("logs that it waits, then starts once the store answers", async () => {
    const file = join(dir, "locked.db");
    // Another process holds the file locked: an exclusive transaction in a rollback-journal database.
    const holder = new Database(file);
    holder.exec("CREATE TABLE t (x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1)");
    const port = await freePort();
    const p = spawnServer({ PORT: String(port), DATABASE_URL: `sqlite:${file}`, STORE_START_RETRY_MS: "30000" });
    try {
      const end = Date.now() + 20_000;
      while (!/store not reachable yet \(try 1: the SQLite store \/\S+\/locked\.db: SQLITE_BUSY: database is locked\); retrying in 0\.5 s/.test(p.output())) {
        if (Date.now() > end || p.child.exitCode !== null) throw new Error(`no wait line; output:\n${p.output()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      holder.exec("ROLLBACK");
      holder.close();
      await waitFor(`http://127.0.0.1:${port}/readyz`);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      expect(p.output()).toMatch(/"level":40.*store not reachable yet/);
    } finally {
      if (holder.open) holder.close();
      p.child.kill("SIGTERM");
      await p.exited;
    }
  });

  it("exits with the reason when the store stays busy past STORE_START_RETRY_MS", async () => {
    const file = join(dir, "held.db");
    const holder = new Database(file);
    holder.exec("CREATE TABLE t (x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1)");
    try {
      const p = spawnServer({ PORT: String(await freePort()), DATABASE_URL: `sqlite:${file}`, STORE_START_RETRY_MS: "1500" });
      const { code } = await p.exited;
      expect(code).toBe(1);
      expect(p.output()).toMatch(/the store does not answer after \d+ tries in 2 s \(STORE_START_RETRY_MS\): the SQLite store \/\S+\/held\.db: SQLITE_BUSY: database is locked/);
    } finally {
      holder.close();
    }
  });
});
