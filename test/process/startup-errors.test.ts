/**
 * A SQLite store that cannot be opened stops the start at once (not retried for
 * STORE_START_RETRY_MS: waiting cannot fix it) with a message naming the path and the system's
 * reason, and creates nothing.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { ensureBuilt, spawnServer } from "../helpers/built-server";

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), "orgscim-openerr-"));
}, 120_000);
afterAll(() => {
  try { chmodSync(join(dir, "locked"), 0o755); } catch { /* not made */ }
  rmSync(dir, { recursive: true, force: true });
});

async function startFails(db: string): Promise<string> {
  // A long retry window: the start must end at once anyway.
  const p = spawnServer({ PORT: "0", DATABASE_URL: `sqlite:${db}`, STORE_START_RETRY_MS: "600000" });
  const { code } = await p.exited;
  expect(code).toBe(1);
  expect(p.output()).not.toContain("retrying");
  return p.output();
}

describe("start-up errors of the SQLite store", () => {
  it("names the path and says the file is not a database", async () => {
    const db = join(dir, "garbage.db");
    writeFileSync(db, "this is not a database ".repeat(100));
    const out = await startFails(db);
    expect(out).toContain(`orgscim cannot start. Cannot open the SQLite store ${db}: the file is not a usable SQLite database (SQLITE_NOTADB: file is not a database)`);
  });

  it("names the path and the system's reason when its folder is a file", async () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "x");
    const out = await startFails(join(file, "orgscim.db"));
    expect(out).toMatch(new RegExp(`orgscim cannot start\\. Cannot open the SQLite store ${file}/orgscim\\.db: E(EXIST|NOTDIR)`));
  });

  it("names the folder, the system's reason and the process's user when the folder is not writable", async () => {
    // Root is not stopped by permissions: run as root (CI), the server runs as nobody (65534) here.
    const root = typeof process.getuid === "function" && process.getuid() === 0;
    chmodSync(dir, 0o755);
    const locked = join(dir, "locked");
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    const db = join(locked, "orgscim.db");
    const child = spawn(process.execPath, [join(__dirname, "..", "..", "dist", "main.js")], {
      env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", DATABASE_URL: `sqlite:${db}`, STORE_START_RETRY_MS: "600000" },
      stdio: ["ignore", "pipe", "pipe"],
      ...(root ? { uid: 65534, gid: 65534 } : {}),
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    expect(code).toBe(1);
    expect(out).toContain(`orgscim cannot start. Cannot open the SQLite store ${db}: the folder ${locked} does not let this process create files in it (EACCES: permission denied`);
    expect(out).toMatch(new RegExp(`this process runs as uid ${root ? 65534 : process.getuid!()}`));
    expect(existsSync(db)).toBe(false);
  });
});
