/**
 * A store that cannot vanish unnoticed (built server, SQLite): the file at DATABASE_URL deleted or
 * replaced under the running server turns writes into 503 and /readyz not ready at once (the check
 * runs before every commit and on every probe; a timer logs it loudly when nothing writes), reads
 * go on from the file still held open, and neither a restart nor the CLI creates an empty store
 * where one was.
 */
import { copyFileSync, existsSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBuilt, runCli, spawnServer, type ServerProcess } from "../helpers/built-server";
import { listeningUrl } from "./drain-helpers";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), "orgscim-vanish-"));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Running { p: ServerProcess; base: string; token: string; env: Record<string, string>; db: string }

async function start(name: string): Promise<Running> {
  const token = `osk_${"ab".repeat(16)}_${"V".repeat(43)}`;
  const db = join(dir, name, "orgscim.db");
  const env = { PORT: "0", DATABASE_URL: `sqlite:${db}`, ORGSCIM_BOOTSTRAP_TOKEN: token };
  const p = spawnServer(env);
  const base = await listeningUrl(p);
  const orgId = (JSON.parse(runCli(env, ["orgs", "list"])) as { sid: string }[])[0]!.sid;
  runCli(env, ["orgs", "settings", orgId, "--domain-enforcement", "off"]);
  return { p, base, token, env, db };
}

const create = (r: Running, userName: string) => fetch(`${r.base}/scim/v2/Users`, {
  method: "POST",
  headers: { authorization: `Bearer ${r.token}`, "content-type": "application/scim+json" },
  body: JSON.stringify({ schemas: [USER], userName }),
});
const ready = async (r: Running) => (await fetch(`${r.base}/readyz`)).status;
const list = async (r: Running) => {
  const res = await fetch(`${r.base}/scim/v2/Users?count=100`, { headers: { authorization: `Bearer ${r.token}` } });
  return { status: res.status, total: ((await res.json()) as { totalResults?: number }).totalResults };
};

async function logged(p: ServerProcess, pattern: RegExp): Promise<string> {
  // The timer checks every 250 ms; the wait here is long only so that a loaded machine cannot fail it.
  for (let i = 0; i < 600; i++) {
    const line = p.output().split("\n").find((l) => pattern.test(l));
    if (line) return line;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no log line matching ${pattern}:\n${p.output()}`);
}

function cliFails(env: Record<string, string>, args: string[]): string {
  try {
    runCli(env, args);
  } catch (e) {
    return String((e as { stderr?: string }).stderr);
  }
  throw new Error(`orgscim ${args.join(" ")} succeeded`);
}

describe("a store that cannot vanish", () => {
  it("deleted under the running server: writes 503 at once, /readyz 503, a loud log, reads go on; no restart or CLI command makes an empty store there", async () => {
    const r = await start("deleted");
    try {
      expect((await create(r, "before@example.com")).status).toBe(201);
      expect(await ready(r)).toBe(200);
      for (const suffix of ["", "-wal", "-shm"]) rmSync(r.db + suffix, { force: true });

      // Before any timer could have run: the commit itself checks.
      const refused = await create(r, "after@example.com");
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("5");
      expect(await ready(r)).toBe(503);
      const line = await logged(r.p, /STORE LOST/);
      expect(JSON.parse(line)).toMatchObject({ level: 50, store: r.db });
      expect(line).toContain(`the store file ${r.db} was deleted`);
      // Reads are served from the file the process still holds.
      expect(await list(r)).toEqual({ status: 200, total: 1 });

      // The CLI, reading or writing, creates nothing there.
      const orgId = "OR" + "0".repeat(32);
      expect(cliFails(r.env, ["orgs", "list"])).toMatch(/is missing, but a store was created there before/);
      expect(cliFails(r.env, ["orgs", "settings", orgId, "--domain-enforcement", "off"])).toMatch(/is missing, but a store was created there before/);
      expect(existsSync(r.db)).toBe(false);
    } finally {
      r.p.child.kill("SIGTERM");
      await r.p.exited;
    }
    // A restart refuses, naming the path, the marker and what to do; it creates nothing.
    const again = spawnServer(r.env);
    const { code } = await again.exited;
    expect(code).toBe(1);
    expect(again.output()).toContain(`orgscim cannot start. The SQLite store ${r.db} is missing, but a store was created there before`);
    expect(again.output()).toMatch(/Restore the file from a backup.*delete .*\.orgscim\.db\.created/);
    expect(existsSync(r.db)).toBe(false);
  }, 120_000);

  it("replaced by another file under the running server: writes 503 and /readyz 503", async () => {
    const r = await start("replaced");
    try {
      expect((await create(r, "before@example.com")).status).toBe(201);
      copyFileSync(r.db, `${r.db}.copy`);
      renameSync(`${r.db}.copy`, r.db); // same content, another file
      expect((await create(r, "after@example.com")).status).toBe(503);
      expect(await ready(r)).toBe(503);
      expect(await logged(r.p, /STORE LOST/)).toContain(`the store file ${r.db} was replaced by another file`);
    } finally {
      r.p.child.kill("SIGTERM");
      await r.p.exited;
    }
  }, 120_000);

  it("moved away and back (the same file): writes are taken again", async () => {
    const r = await start("moved");
    try {
      renameSync(r.db, `${r.db}.away`);
      expect((await create(r, "while-away@example.com")).status).toBe(503);
      renameSync(`${r.db}.away`, r.db);
      expect(await ready(r)).toBe(200);
      expect((await create(r, "back@example.com")).status).toBe(201);
      expect(await list(r)).toEqual({ status: 200, total: 1 });
    } finally {
      r.p.child.kill("SIGTERM");
      await r.p.exited;
    }
  }, 120_000);
});
