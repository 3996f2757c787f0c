/**
 * `orgscim backup` while the server takes writes, and the documented restore: the restored store
 * holds every write acknowledged before the backup started and passes scripts/check-invariants.ts.
 */
import Database from "better-sqlite3";
import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { builtScript, ensureBuilt, freePort, runCli, spawnServer, waitFor } from "../helpers/built-server";

const ROOT = join(__dirname, "..", "..");
const run = promisify(execFile);
const TOKEN = `osk_${"cd".repeat(16)}_backup-test-token-${"x".repeat(20)}`;

let dir: string;
let checkInvariants: string;
beforeAll(() => {
  ensureBuilt();
  checkInvariants = builtScript("check-invariants");
  dir = mkdtempSync(join(tmpdir(), "orgscim-backup-"));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (env: Record<string, string>, ...args: string[]) =>
  run(process.execPath, [join(ROOT, "bin", "orgscim.js"), ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env } });

describe("orgscim backup", () => {
  it("copies the store during a write load; the restore holds every write acknowledged before it and passes the invariants", async () => {
    const port = await freePort();
    const env = { DATABASE_URL: `sqlite:${join(dir, "live.db")}`, ORGSCIM_BOOTSTRAP_TOKEN: TOKEN };
    const server = spawnServer({ ...env, PORT: String(port), LOG_LEVEL: "warn" });
    const acked: { id: string; at: number }[] = [];
    let backupStarted = 0;
    let backupEnded = 0;
    try {
      await waitFor(`http://127.0.0.1:${port}/healthz`);
      const orgId = (JSON.parse(runCli(env, ["orgs", "list"])) as { sid: string }[])[0]!.sid;
      runCli(env, ["orgs", "settings", orgId, "--domain-enforcement", "off"]);
      // A long reader (an export, say) keeps checkpoints from moving the WAL into the file: the
      // writes of the load stay in the WAL, where a copy of the file alone would miss them.
      const reader = new Database(join(dir, "live.db"), { readonly: true });
      reader.exec("BEGIN");
      reader.prepare("SELECT count(*) FROM users").get();
      let stop = false;
      let n = 0;
      const writer = async () => {
        while (!stop) {
          const i = n++;
          const r = await fetch(`http://127.0.0.1:${port}/scim/v2/Users`, {
            method: "POST",
            headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/scim+json" },
            body: JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: `load${i}@backup.test`, emails: [{ value: `load${i}@backup.test`, primary: true }] }),
          });
          const body = (await r.json()) as { id: string };
          if (r.status === 201) acked.push({ id: body.id, at: Date.now() });
        }
      };
      const writers = Array.from({ length: 4 }, writer);
      // At least 1.5 s and 21 acknowledged writes (each commit waits for its fsync: synchronous=FULL).
      const loadStarted = Date.now();
      while (Date.now() - loadStarted < 1500 || acked.length <= 20) await new Promise((r) => setTimeout(r, 50));
      backupStarted = Date.now();
      const out = await cli(env, "backup", "--out", join(dir, "backup.db"));
      backupEnded = Date.now();
      // Off a terminal the CLI answers JSON (src/cli/io.ts); on one, the sentence "Backed up ... quick_check ok."
      expect(JSON.parse(out.stdout)).toMatchObject({
        source: expect.stringMatching(/live\.db$/), out: expect.stringMatching(/backup\.db$/), schema_version: expect.any(Number),
        users: expect.any(Number), groups: expect.any(Number), bytes: expect.any(Number), ms: expect.any(Number), quick_check: "ok",
      });
      const waitedFrom = Date.now();
      while (Date.now() - waitedFrom < 500 || !acked.some((a) => a.at > backupEnded)) await new Promise((r) => setTimeout(r, 50));
      stop = true;
      await Promise.all(writers);
      reader.exec("COMMIT");
      reader.close();
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
    const before = acked.filter((a) => a.at < backupStarted);
    const after = acked.filter((a) => a.at > backupEnded);
    expect(before.length).toBeGreaterThan(20);
    expect(after.length).toBeGreaterThan(0); // the load ran on through the backup

    // The restore, as the README says: with the server stopped, the backup becomes the store file.
    const restored = join(dir, "restored", "orgscim.db");
    execFileSync("mkdir", ["-p", join(dir, "restored")]);
    copyFileSync(join(dir, "backup.db"), restored);
    expect(existsSync(`${restored}-wal`)).toBe(false);
    execFileSync(process.execPath, [checkInvariants, "--quiet"], { env: { ...process.env, DATABASE_URL: `sqlite:${restored}` } });
    const db = new Database(restored, { readonly: true });
    const ids = new Set((db.prepare("SELECT id FROM users").pluck().all() as string[]));
    db.close();
    expect(before.filter((a) => !ids.has(a.id))).toEqual([]);
    expect(ids.size).toBeLessThan(acked.length + 1); // a moment of the store, not its end

    const port2 = await freePort();
    const again = spawnServer({ DATABASE_URL: `sqlite:${restored}`, PORT: String(port2) });
    try {
      await waitFor(`http://127.0.0.1:${port2}/healthz`);
      const list = await fetch(`http://127.0.0.1:${port2}/scim/v2/Users?count=1`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(((await list.json()) as { totalResults: number }).totalResults).toBe(ids.size);
    } finally {
      again.child.kill("SIGTERM");
      await again.exited;
    }
  }, 120_000);

  it("refuses, with the reason, to overwrite a file, to run without --out, and on MongoDB", async () => {
    const env = { DATABASE_URL: `sqlite:${join(dir, "small.db")}`, ORGSCIM_BOOTSTRAP_TOKEN: TOKEN };
    runCli(env, ["orgs", "list", "--create"]); // creates the store (a command that only reads creates none without --create)
    writeFileSync(join(dir, "taken.db"), "x");
    await expect(cli(env, "backup", "--out", join(dir, "taken.db"))).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/taken\.db exists; choose another file, or pass --force/) });
    await expect(cli(env, "backup")).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/required option '--out <file>' not specified/) });
    await expect(cli({ DATABASE_URL: "mongodb://127.0.0.1:1/x" }, "backup", "--out", join(dir, "m.db"))).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/use mongodump and mongorestore/) });
    const forced = await cli(env, "backup", "--out", join(dir, "taken.db"), "--force");
    expect(JSON.parse(forced.stdout)).toMatchObject({ quick_check: "ok" });
    expect(existsSync(join(dir, "small.db-wal.partial"))).toBe(false);
  });
});
