/**
 * Durable acknowledgements: with DURABILITY=full (the default) and group commit, the writer commits
 * at synchronous=NORMAL and the WAL is fsynced off the event loop before each acknowledgement
 * (test/store/sqlite-wal-sync.test.ts holds those rules); with group commit off, synchronous=FULL
 * (the fsync inside COMMIT); DURABILITY=normal, synchronous=NORMAL and no fsync per commit. The
 * setting is read from the connection that serves the writes. (What each costs: node bench/durability.mjs.)
 */
import fs from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { ConfigError, loadConfig } from "../../src/config/config";
import { openStore } from "../../src/store/open";

const fsyncReal = fs.fsync;
let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "orgscim-durability-")); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The `synchronous` level of the connection that runs the store's transactions (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA). */
async function synchronousOf(durability: "full" | "normal" | undefined, name: string, groupCommit?: boolean): Promise<number> {
  const seen: number[] = [];
  const original = Database.prototype.exec;
  const exec = jest.spyOn(Database.prototype, "exec").mockImplementation(function (this: Database.Database, sql: string) {
    if (sql === "BEGIN IMMEDIATE") seen.push(this.pragma("synchronous", { simple: true }) as number);
    return original.call(this, sql);
  });
  const store = await openStore(`sqlite:${join(dir, name)}`, { ...(durability ? { durability } : {}), ...(groupCommit === undefined ? {} : { groupCommit }) });
  try {
    await store.transaction(async () => undefined);
  } finally {
    exec.mockRestore();
    await store.close();
  }
  expect(seen).toHaveLength(1);
  return seen[0]!;
}

describe("SQLite durability", () => {
  it("commits with synchronous=NORMAL and the WAL's fsync off the event loop by default (DURABILITY=full, group commit on)", async () => {
    expect(await synchronousOf(undefined, "default.db")).toBe(1);
    expect(await synchronousOf("full", "full.db")).toBe(1);
  });

  it("fsyncs the store's own WAL file through fs.fsync before acknowledging, by default", async () => {
    const file = join(dir, "fsynced.db");
    const synced: Array<[number, number]> = [];
    const spy = jest.spyOn(fs, "fsync").mockImplementation(((fd: number, done: (e: NodeJS.ErrnoException | null) => void) => {
      const s = fs.fstatSync(fd);
      synced.push([s.dev, s.ino]);
      return fsyncReal(fd, done);
    }) as typeof fs.fsync);
    const store = await openStore(`sqlite:${file}`);
    try {
      synced.length = 0;
      await store.transaction(async () => undefined);
      const wal = fs.statSync(`${file}-wal`);
      expect(synced).toEqual([[wal.dev, wal.ino]]);
    } finally {
      spy.mockRestore();
      await store.close();
    }
  });

  it("commits with synchronous=FULL when DURABILITY=full and group commit is off", async () => {
    expect(await synchronousOf("full", "alone.db", false)).toBe(2);
    expect(await synchronousOf(undefined, "alone-default.db", false)).toBe(2);
  });

  it("commits with synchronous=NORMAL when DURABILITY=normal", async () => {
    expect(await synchronousOf("normal", "normal.db")).toBe(1);
  });

  it("reads DURABILITY as full by default, and refuses a value it does not know, naming it", () => {
    expect(loadConfig({}).DURABILITY).toBe("full");
    expect(loadConfig({ DURABILITY: "normal" }).DURABILITY).toBe("normal");
    expect(() => loadConfig({ DURABILITY: "off" })).toThrow(ConfigError);
    expect(() => loadConfig({ DURABILITY: "off" })).toThrow(/DURABILITY="off".*full.*normal/);
  });
});
