/**
 * Migration 26 (issue 18: what the audit row costs a write) upgrades a store as migration 25 left it:
 * audit_events is made again without AUTOINCREMENT (no sqlite_sequence row written by every write)
 * and its outcome index holds the refusals only. Every event keeps its seq, id and columns; the
 * log lists as before, by every filter; an event appended after the upgrade takes the next seq and
 * lists first. A new store and an upgraded one end with the same table and indexes.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AuditEvent } from "../../src/domain/types";
import { foldCase } from "../../src/store/sqlite/fold";
import { migrate, MIGRATIONS } from "../../src/store/sqlite/migrations";
import { openSqliteStore } from "../../src/store/sqlite/store";

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "orgscim-mig26-")); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hex = (n: number) => n.toString(16).padStart(32, "0");
const USER = `US${hex(7)}`;
const ACTORS = [`TK${hex(1)}/${USER}`, `TK${hex(2)}`, "operator:cli import-csv"];

/** A database as migration 25 left it (the migrations before 26 run as migrate runs them), with 30 audit events of two organizations. */
function version25(file: string): void {
  const raw = new Database(file);
  raw.function("scim_fold", { deterministic: true }, (s: unknown) => (typeof s === "string" ? foldCase(s) : s)); // as migrate() does
  raw.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  for (const m of MIGRATIONS.filter((x) => x.version < 26)) {
    raw.exec(m.sql);
    raw.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 't')").run(m.version, m.name);
  }
  const insert = raw.prepare(`INSERT INTO audit_events (id, org_id, time, actor, action, target_type, target_id, outcome, before, after, reason, imported)
    VALUES (?, ?, ?, ?, ?, 'User', ?, ?, ?, ?, ?, ?)`);
  for (let i = 0; i < 30; i++) {
    const refused = i % 5 === 0;
    insert.run(`AE${hex(i + 1)}`, i % 10 === 9 ? "ORb" : "ORa", `2026-01-01T00:00:${String(Math.floor(i / 2)).padStart(2, "0")}.000Z`, ACTORS[i % 3],
      i % 2 ? "user.update" : "group.update", `US${hex(100 + (i % 4))}`, refused ? "refused" : "success",
      refused ? null : JSON.stringify({ version: i }), refused ? null : JSON.stringify({ version: i + 1 }), refused ? "not allowed" : null,
      i === 4 ? JSON.stringify({ at: "2025-01-01T00:00:00.000Z", from: "elsewhere" }) : null);
  }
  raw.close();
}

// The columns as migration 26 left them (27 adds org, the organization's number: test/store/sqlite-migration-27-audit.test.ts).
const rows = (db: Database.Database) => db.prepare(`SELECT seq, id, org_id, time, actor, action, target_type, target_id, outcome, before, after, reason, imported,
  actor_user, actor_credential FROM audit_events ORDER BY seq`).all();
const schemaOf = (db: Database.Database) =>
  db.prepare("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'audit_events' ORDER BY type, name").all();

describe("sqlite migration 26 (audit rows without AUTOINCREMENT, refusals indexed apart)", () => {
  it("keeps every event as it was, lists it by every filter as before, and numbers the next one after the largest seq", async () => {
    const file = join(dir, "v25.db");
    version25(file);
    const old = new Database(file, { readonly: true });
    const before = rows(old);
    expect(old.prepare("SELECT sql FROM sqlite_master WHERE name = 'audit_events'").pluck().get()).toMatch(/AUTOINCREMENT/);
    old.close();

    const store = openSqliteStore({ path: file });
    try {
      const ids = async (q: Omit<Parameters<typeof store.audit.list>[1], "limit">) => (await store.audit.list("ORa", { limit: 50, ...q })).map((e) => e.id);
      const ora = (before as { id: string; org_id: string; outcome: string }[]).filter((r) => r.org_id === "ORa").reverse(); // newest first
      expect(await ids({})).toEqual(ora.map((r) => r.id));
      expect(await ids({ outcome: "refused" })).toEqual(ora.filter((r) => r.outcome === "refused").map((r) => r.id));
      expect(await ids({ outcome: "success" })).toEqual(ora.filter((r) => r.outcome === "success").map((r) => r.id));
      expect(await ids({ outcome: "refused", before: `AE${hex(21)}` })).toEqual([`AE${hex(16)}`, `AE${hex(11)}`, `AE${hex(6)}`, `AE${hex(1)}`]);
      expect(await ids({ actorUser: USER, outcome: "success" })).toEqual(
        (before as { id: string; org_id: string; outcome: string; actor_user: string | null }[])
          .filter((r) => r.org_id === "ORa" && r.actor_user === USER && r.outcome === "success").reverse().map((r) => r.id));
      const imported = await store.audit.list("ORa", { limit: 50, imported: true });
      expect(imported.map((e) => [e.id, e.imported])).toEqual([[`AE${hex(5)}`, { at: "2025-01-01T00:00:00.000Z", from: "elsewhere" }]]);

      const next: AuditEvent = { id: `AE${hex(999)}`, orgId: "ORa", time: "2026-01-01T00:00:14.000Z", actor: ACTORS[1]!, action: "group.update",
        targetType: "Group", targetId: null, outcome: "success", before: null, after: { version: 2 } };
      await store.audit.append(next);
      expect((await ids({}))[0]).toBe(next.id); // same time as the newest before it: the larger seq lists first
    } finally {
      await store.close();
    }

    const upgraded = new Database(file, { readonly: true });
    const fresh = new Database(":memory:");
    try {
      const after = rows(upgraded);
      expect(after.slice(0, before.length)).toEqual(before);
      expect(after[before.length]).toMatchObject({ seq: 31, id: `AE${hex(999)}` });
      expect(upgraded.prepare("SELECT count(*) FROM sqlite_sequence WHERE name = 'audit_events'").pluck().get()).toBe(0);
      migrate(fresh);
      expect(schemaOf(upgraded)).toEqual(schemaOf(fresh));
      expect(String(upgraded.prepare("SELECT sql FROM sqlite_master WHERE name = 'audit_events'").pluck().get())).not.toMatch(/AUTOINCREMENT/);
      // the refusals only
      expect(upgraded.prepare("SELECT count(*) FROM audit_events INDEXED BY audit_events_org_refused_time WHERE outcome = 'refused'").pluck().get()).toBe(6);
      expect(upgraded.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'audit_events_org_outcome_time'").pluck().get()).toBe(0);
      expect(upgraded.pragma("integrity_check", { simple: true })).toBe("ok");
    } finally {
      upgraded.close();
      fresh.close();
    }
  });
});
