/**
 * Migration 27 (issue 18: the audit row's index pages) keys the audit indexes by a small integer per
 * organization (audit_orgs.n, the rowid of the organization's row there) instead of its 34-byte id.
 * Rules: every event keeps its seq, id, organization and columns; each organization with events gets
 * one number, and no two organizations share one; each organization lists exactly its own events, by
 * every filter, as before the upgrade, and never another's (its id, not the number, is what a caller
 * names); an organization's first event after the upgrade numbers it in the event's own transaction,
 * so a number taken by a transaction that was undone is never one an event of another organization
 * lists under; a new store and an upgraded one end with the same tables and indexes.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AuditListQuery } from "../../src/domain/ports/store";
import type { AuditEvent } from "../../src/domain/types";
import { migrate } from "../../src/store/sqlite/migrations";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { migrateBelow } from "../helpers/sqlite-version";

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "orgscim-mig27-")); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hex = (n: number) => n.toString(16).padStart(32, "0");
const USER = `US${hex(7)}`;
const ACTORS = [`TK${hex(1)}/${USER}`, `TK${hex(2)}`, "operator:cli import-csv"];
const ORGS = [`OR${hex(0xa)}`, `OR${hex(0xb)}`, `OR${hex(0xc)}`];

/** A database as migration 26 left it, with 60 audit events of three organizations, interleaved. */
function version26(file: string): void {
  const raw = new Database(file);
  migrateBelow(raw, 27);
  const insert = raw.prepare(`INSERT INTO audit_events (id, org_id, time, actor, action, target_type, target_id, outcome, before, after, reason, imported)
    VALUES (?, ?, ?, ?, ?, 'User', ?, ?, ?, ?, ?, ?)`);
  for (let i = 0; i < 60; i++) {
    const refused = i % 7 === 0;
    insert.run(`AE${hex(i + 1)}`, ORGS[(i + Math.floor(i / 3)) % 3], `2026-01-01T00:00:${String(Math.floor(i / 2)).padStart(2, "0")}.000Z`, ACTORS[i % 3],
      i % 2 ? "user.update" : "group.update", `US${hex(100 + (i % 4))}`, refused ? "refused" : "success",
      refused ? null : JSON.stringify({ version: i }), refused ? null : JSON.stringify({ version: i + 1 }), refused ? "not allowed" : null,
      i === 4 ? JSON.stringify({ at: "2025-01-01T00:00:00.000Z", from: "elsewhere" }) : null);
  }
  raw.close();
}

const COLUMNS = "seq, id, org_id, time, actor, action, target_type, target_id, outcome, before, after, reason, imported, actor_user, actor_credential";
const rows = (db: Database.Database) => db.prepare(`SELECT ${COLUMNS} FROM audit_events ORDER BY seq`).all() as Array<Record<string, unknown>>;
const schemaOf = (db: Database.Database) =>
  db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name IN ('audit_events', 'audit_orgs') ORDER BY type, name").all();

const QUERIES: Array<Omit<AuditListQuery, "limit">> = [
  {}, { outcome: "refused" }, { outcome: "success" }, { action: "user.update" }, { targetId: `US${hex(101)}` }, { actorUser: USER },
  { actorCredential: `TK${hex(2)}` }, { from: "2026-01-01T00:00:10.000Z", to: "2026-01-01T00:00:20.000Z" }, { imported: true }, { imported: false },
];

const event = (orgId: string, n: number): AuditEvent => ({
  id: `AE${hex(1000 + n)}`, orgId, time: "2026-01-01T00:00:59.000Z", actor: ACTORS[1]!, action: "group.update",
  targetType: "Group", targetId: null, outcome: "success", before: null, after: { n },
});

describe("sqlite migration 27 (audit indexes keyed by a small integer per organization)", () => {
  it("keeps every event, numbers each organization once, and lists each organization's own events by every filter as before", async () => {
    const file = join(dir, "v26.db");
    version26(file);
    const old = new Database(file, { readonly: true });
    const before = rows(old);
    old.close();

    const store = openSqliteStore({ path: file });
    try {
      for (const orgId of ORGS) {
        const own = before.filter((r) => r.org_id === orgId).reverse(); // newest first
        const ids = async (q: Omit<AuditListQuery, "limit">) => (await store.audit.list(orgId, { limit: 100, ...q })).map((e) => e.id);
        expect(own.length).toBe(20);
        for (const q of QUERIES) {
          const wanted = own.filter((r) => (q.outcome === undefined || r.outcome === q.outcome) && (q.action === undefined || r.action === q.action)
            && (q.targetId === undefined || r.target_id === q.targetId) && (q.actorUser === undefined || r.actor_user === q.actorUser)
            && (q.actorCredential === undefined || r.actor_credential === q.actorCredential)
            && (q.from === undefined || String(r.time) >= q.from) && (q.to === undefined || String(r.time) < q.to)
            && (q.imported === undefined || (r.imported !== null) === q.imported)).map((r) => r.id);
          expect({ orgId, q, ids: await ids(q) }).toEqual({ orgId, q, ids: wanted });
        }
        // a page cursor: the events after the 5th, in the organization only
        expect(await ids({ before: String(own[4]!.id) })).toEqual(own.slice(5).map((r) => r.id));
        // another organization's event names no position here
        const other = before.find((r) => r.org_id !== orgId)!;
        expect(await ids({ before: String(other.id) })).toEqual([]);
        for (const e of await store.audit.list(orgId, { limit: 100 })) expect(e.orgId).toBe(orgId);
      }
      // an organization the store never numbered: its first event numbers it, and lists first
      await store.audit.append(event("ORnew", 1));
      await store.audit.append(event(ORGS[0]!, 2));
      expect((await store.audit.list("ORnew", { limit: 100 })).map((e) => e.id)).toEqual([`AE${hex(1001)}`]);
      expect((await store.audit.list(ORGS[0]!, { limit: 1 })).map((e) => e.id)).toEqual([`AE${hex(1002)}`]);
      expect(await store.audit.list("ORnever", { limit: 100 })).toEqual([]);
    } finally {
      await store.close();
    }

    const upgraded = new Database(file, { readonly: true });
    const fresh = new Database(":memory:");
    try {
      expect(rows(upgraded).slice(0, before.length)).toEqual(before);
      // one number per organization, in the order of its first event; every row carries its organization's
      expect(upgraded.prepare("SELECT n, org_id FROM audit_orgs ORDER BY n").all()).toEqual(
        [ORGS[0], ORGS[1], ORGS[2], "ORnew"].map((org_id, i) => ({ n: i + 1, org_id })));
      expect(upgraded.prepare("SELECT count(*) FROM audit_events e LEFT JOIN audit_orgs o ON o.n = e.org WHERE o.org_id IS NOT e.org_id").pluck().get()).toBe(0);
      for (const name of ["time", "action_time", "target_time", "refused_time", "actor_user_time", "actor_credential_time"]) {
        const cols = (upgraded.prepare(`SELECT name FROM pragma_index_info('audit_events_org_${name}')`).pluck().all() as string[]);
        expect({ name, first: cols[0] }).toEqual({ name, first: "org" });
      }
      migrate(fresh);
      expect(schemaOf(upgraded)).toEqual(schemaOf(fresh));
      expect(upgraded.pragma("integrity_check", { simple: true })).toBe("ok");
    } finally {
      upgraded.close();
      fresh.close();
    }
  });

  it("gives a number taken by an undone transaction to no event another organization lists", async () => {
    const store = openSqliteStore({ path: join(dir, "undone.db") });
    try {
      await expect(store.transaction(async (tx) => {
        await tx.audit.append(event("ORundone", 1)); // numbers ORundone, then is undone with it
        throw new Error("undone");
      })).rejects.toThrow("undone");
      await store.audit.append(event("ORnext", 2)); // may take the number ORundone had in its undone transaction
      await store.audit.append(event("ORundone", 3));
      expect((await store.audit.list("ORundone", { limit: 100 })).map((e) => e.id)).toEqual([`AE${hex(1003)}`]);
      expect((await store.audit.list("ORnext", { limit: 100 })).map((e) => e.id)).toEqual([`AE${hex(1002)}`]);
    } finally {
      await store.close();
    }
  });
});
