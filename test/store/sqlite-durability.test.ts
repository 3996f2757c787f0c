/**
 * Durable acknowledgements: the SQLite store commits with synchronous=FULL unless DURABILITY=normal
 * says otherwise; the setting is read from the connection that serves the writes. (What each
 * costs: node bench/durability.mjs.)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { ConfigError, loadConfig } from "../../src/config/config";
import { openStore } from "../../src/store/open";

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "orgscim-durability-")); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The `synchronous` level of the connection that runs the store's transactions (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA). */
async function synchronousOf(durability: "full" | "normal" | undefined, name: string): Promise<number> {
  const seen: number[] = [];
  const original = Database.prototype.exec;
  const exec = jest.spyOn(Database.prototype, "exec").mockImplementation(function (this: Database.Database, sql: string) {
    if (sql === "BEGIN IMMEDIATE") seen.push(this.pragma("synchronous", { simple: true }) as number);
    return original.call(this, sql);
  });
  const store = await openStore(`sqlite:${join(dir, name)}`, durability ? { durability } : {});
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
  it("commits with synchronous=FULL by default", async () => {
    expect(await synchronousOf(undefined, "default.db")).toBe(2);
    expect(await synchronousOf("full", "full.db")).toBe(2);
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
