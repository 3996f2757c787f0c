/**
 * Upgrades: today's orgscim opens a store written by the previous schema version (a fixture made
 * by that version's own server: scripts/upgrade-fixture/make.sh), migrates it and serves it; and a
 * store written by a newer schema is refused with a message that says what to do, unchanged.
 */
import Database from "better-sqlite3";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/config";
import { startServer, type RunningServer } from "../../src/server";
import { latestSchemaVersion, NewerSchemaError } from "../../src/store/sqlite/migrations";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { builtScript, ensureBuilt, freePort, spawnServer } from "../helpers/built-server";
import { call } from "../helpers/server";

const ROOT = join(__dirname, "..", "..");
const FIXTURES = join(ROOT, "test", "fixtures");
const fixture = readdirSync(FIXTURES).map((f) => /^store-schema-(\d+)\.sql$/.exec(f)).filter((m) => m !== null)
  .map((m) => ({ file: join(FIXTURES, m[0]), version: Number(m[1]) })).sort((a, b) => b.version - a.version)[0]!;
const TOKEN = `osk_${"0f".repeat(16)}_upgrade-fixture-token-not-a-secret-0001`; // scripts/upgrade-fixture/seed.ts

let dir: string;
let checkInvariants: string;
beforeAll(() => ensureBuilt()); // for the process test
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "orgscim-upgrade-"));
  checkInvariants = builtScript("check-invariants");
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(name: string): string {
  const file = join(dir, name);
  const db = new Database(file);
  db.exec(readFileSync(fixture.file, "utf8"));
  db.close();
  return file;
}

const versionsOf = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("SELECT version FROM schema_migrations ORDER BY version").all() as { version: number }[]).map((r) => r.version);
  } finally {
    db.close();
  }
};

async function serve(file: string): Promise<RunningServer> {
  return startServer(loadConfig({ PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent", WRITES_SHED_LAG_MS: "0", DATABASE_URL: `sqlite:${file}`, DOMAIN_RECHECK_INTERVAL_MS: "0" }));
}

describe("a store written by the previous schema version", () => {
  it("is an older schema than today's", () => {
    expect(fixture.version).toBeLessThan(latestSchemaVersion());
    expect(versionsOf(load("check.db")).pop()).toBe(fixture.version);
  });

  it("is migrated at start and served: users, folded userName filters, groups, counts, tokens", async () => {
    const file = load("upgraded.db");
    const stored = new Database(file, { readonly: true });
    const events = stored.prepare("SELECT id, imported FROM audit_events ORDER BY seq DESC").all() as { id: string; imported: string | null }[];
    stored.close();
    const running = await serve(file);
    try {
      const scim = `${running.url}/scim/v2`;
      expect(versionsOf(file).pop()).toBe(latestSchemaVersion());
      const all = await call("GET", `${scim}/Users?count=100`, TOKEN);
      expect(all.status).toBe(200);
      expect(all.body.totalResults).toBe(13); // 13 created, 1 deleted, 1 invited (pending)
      expect(all.body.Resources).toHaveLength(13);
      const zoe = await call("GET", `${scim}/Users?filter=${encodeURIComponent('userName eq "ZOË.ÜNÏCODE@fixture.test"')}`, TOKEN);
      expect(zoe.body.totalResults).toBe(1);
      const groups = await call("GET", `${scim}/Groups?filter=${encodeURIComponent('displayName eq "Engineering"')}`, TOKEN);
      expect(groups.body.Resources[0].members).toHaveLength(5);
      const created = await call("POST", `${scim}/Users`, TOKEN, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "after-upgrade@fixture.test" });
      expect(created.status).toBe(201);
      expect((await call("GET", `${scim}/Users?count=1`, TOKEN)).body.totalResults).toBe(14);
      // The audit trail, copied by the migrations since (26, 27: new indexes), lists every event the old server recorded.
      const recorded = events.filter((e) => e.imported === null).map((e) => e.id);
      expect(recorded.length).toBeGreaterThan(10);
      const trail = await call("GET", `${running.url}/v1/AuditEvents?PageSize=100`, TOKEN);
      expect(trail.status).toBe(200);
      const listed = (trail.body.audit_events as { sid: string }[]).map((e) => e.sid);
      expect(listed.filter((sid) => recorded.includes(sid))).toEqual(recorded);
      expect(listed.length).toBe(recorded.length + 1); // and the create above
    } finally {
      await running.stop();
    }
    execFileSync(process.execPath, [checkInvariants, "--quiet"], { env: { ...process.env, DATABASE_URL: `sqlite:${file}` } });
    // Migration 29 (case 85): the user made without emails holds its email userName as its address; the others keep theirs.
    const after = new Database(file, { readonly: true });
    const addresses = after.prepare("SELECT user_name, primary_email FROM users WHERE user_name IN ('no.emails@fixture.test', 'user3@fixture.test')").all();
    after.close();
    expect(addresses).toEqual(expect.arrayContaining([
      { user_name: "no.emails@fixture.test", primary_email: "no.emails@fixture.test" }, { user_name: "user3@fixture.test", primary_email: "user3@fixture.test" },
    ]));
    expect(addresses).toHaveLength(2);
  });
});

describe("a store written by a newer schema (a downgrade attempt)", () => {
  const future = (file: string) => {
    const db = new Database(file);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from a newer orgscim', '2027-01-01T00:00:00.000Z')").run(latestSchemaVersion() + 1);
    db.close();
  };

  it("is refused, naming the versions and what to do, and left unchanged", async () => {
    const file = load("newer.db");
    await openSqliteStore({ path: file, backgroundCheckpoints: false }).close();
    future(file);
    const before = versionsOf(file);
    let error: unknown;
    try {
      openSqliteStore({ path: file, backgroundCheckpoints: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NewerSchemaError);
    expect((error as Error).message).toBe(
      `This SQLite store was written by a newer orgscim: it has schema migration(s) ${latestSchemaVersion() + 1}, and this orgscim knows ` +
      `migrations up to ${latestSchemaVersion()}. Downgrading is not supported. Run the newer orgscim again, or restore a backup taken ` +
      "before the upgrade (README: Upgrades). The store was not changed.",
    );
    expect(versionsOf(file)).toEqual(before);
  });

  it("stops the server process at start with that message, without retrying", async () => {
    const file = load("newer-process.db");
    await openSqliteStore({ path: file, backgroundCheckpoints: false }).close();
    future(file);
    const p = spawnServer({ PORT: String(await freePort()), DATABASE_URL: `sqlite:${file}`, STORE_START_RETRY_MS: "60000" });
    const { code } = await p.exited;
    expect(code).toBe(1);
    expect(p.output()).toMatch(/orgscim failed to start: This SQLite store was written by a newer orgscim/);
    expect(p.output()).not.toMatch(/store not reachable yet/);
  }, 60_000);
});
