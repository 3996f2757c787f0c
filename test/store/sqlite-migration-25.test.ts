/**
 * Migration 25 (issue 18: the indexes a create writes, only where a query reads them) upgrades a
 * store as migration 24 left it: owners are still counted, from an index holding the owners only;
 * audit events written before are still found by the user their actor acted for, from an index
 * holding only events that name one; the audit index no query read is gone. A new store and an
 * upgraded one end with the same indexes.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate } from "../../src/store/sqlite/migrations";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { migrateBelow } from "../helpers/sqlite-version";

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "orgscim-mig25-")); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hex = (n: number) => n.toString(16).padStart(32, "0");
const USER = `US${hex(7)}`;

/** A database as migration 24 left it (its indexes as 1, 16 and 21 made them), with users of each role and audit events of several actors. */
function version24(file: string): void {
  const raw = new Database(file);
  migrateBelow(raw, 25);
  for (const org of ["ORa", "ORb"]) raw.prepare("INSERT INTO organizations (id, name, settings, created, last_modified) VALUES (?, ?, '{}', 't', 't')").run(org, org);
  const user = raw.prepare(`INSERT INTO users (id, org_id, user_name, user_name_fold, active, status, org_role, data, version, created, last_modified)
    VALUES (?, ?, ?, ?, 1, 'managed', ?, '{}', 1, 't', 't')`);
  const roles = ["owner", "standard", "administrator", "owner", "standard", null];
  for (let i = 0; i < 12; i++) user.run(`US${hex(100 + i)}`, i < 6 ? "ORa" : "ORb", `u${i}`, `u${i}`, roles[i % 6]! === "owner" && i >= 6 ? "standard" : roles[i % 6]);
  const insert = raw.prepare("INSERT INTO audit_events (id, org_id, time, actor, action, target_type, target_id, outcome) VALUES (?, ?, ?, ?, 'user.update', 'User', 'T', 'success')");
  const actors = [`TK${hex(1)}/${USER}`, `TK${hex(2)}`, `TK${hex(3)}/${USER}`, "operator:cli import-csv"];
  for (let i = 0; i < 8; i++) insert.run(`AE${hex(i + 1)}`, i === 7 ? "ORb" : "ORa", `2026-01-01T00:00:0${i}.000Z`, actors[i % 4]);
  raw.close();
}

const indexes = (db: Database.Database) =>
  db.prepare("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('users', 'audit_events') ORDER BY name").all();

describe("sqlite migration 25 (indexes a create writes, only where a query reads them)", () => {
  it("upgrades a store: owners counted and audit events found by actor user as before, from the narrower indexes; as a new store's", async () => {
    const file = join(dir, "v24.db");
    version24(file);
    const store = openSqliteStore({ path: file });
    try {
      expect(await store.users.countByRole("ORa", "owner")).toBe(2);
      expect(await store.users.countByRole("ORb", "owner")).toBe(0);
      const ids = async (q: { actorUser?: string; actorCredential?: string }) => (await store.audit.list("ORa", { limit: 20, ...q })).map((e) => e.id);
      expect(await ids({ actorUser: USER })).toEqual([`AE${hex(7)}`, `AE${hex(5)}`, `AE${hex(3)}`, `AE${hex(1)}`]);
      expect(await ids({ actorCredential: `TK${hex(2)}` })).toEqual([`AE${hex(6)}`, `AE${hex(2)}`]);
    } finally {
      await store.close();
    }
    const upgraded = new Database(file, { readonly: true });
    const fresh = new Database(":memory:");
    try {
      migrate(fresh);
      expect(indexes(upgraded)).toEqual(indexes(fresh));
      const names = indexes(upgraded).map((i) => (i as { name: string }).name);
      expect(names).not.toEqual(expect.arrayContaining(["users_org_role"]));
      expect(names).not.toEqual(expect.arrayContaining(["audit_events_org_seq"]));
      // the owners only, and the events that name a user only
      expect(upgraded.prepare("SELECT count(*) FROM users INDEXED BY users_org_owner WHERE org_role = 'owner'").pluck().get()).toBe(2);
      expect(upgraded.prepare("SELECT count(*) FROM audit_events INDEXED BY audit_events_org_actor_user_time WHERE actor_user IS NOT NULL").pluck().get()).toBe(4);
    } finally {
      upgraded.close();
      fresh.close();
    }
  });
});
