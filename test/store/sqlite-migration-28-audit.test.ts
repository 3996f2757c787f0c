/**
 * Migration 28 (issue 18: the WAL pages of the audit row a write appends) drops the index of audit
 * event ids (UNIQUE(id)) and orders the audit indexes by t, the time in milliseconds, instead of its
 * 24-byte ISO text. Rules: every event keeps its seq, id, organization and columns, and its t is its
 * time's instant; each organization lists exactly the events it listed before the upgrade, in the
 * same order, by every filter, and never another's; a page cursor of before the upgrade (an event
 * id, what page tokens sealed) opens the same next page after it, found from one index (audit_ids_27),
 * and so does the position of that event (what tokens seal since); a new store and an upgraded one
 * end with the same tables and indexes; 100,000 events upgrade in bounded time (the figure is
 * printed, not asserted: speed is the bench's).
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AuditListQuery } from "../../src/domain/ports/store";
import { migrate } from "../../src/store/sqlite/migrations";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { migrateBelow } from "../helpers/sqlite-version";

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "orgscim-mig28-")); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hex = (n: number) => n.toString(16).padStart(32, "0");
const USER = `US${hex(7)}`;
const ACTORS = [`TK${hex(1)}/${USER}`, `TK${hex(2)}`, "operator:cli import-csv"];
const ORGS = [`OR${hex(0xa)}`, `OR${hex(0xb)}`, `OR${hex(0xc)}`];

const orgOf = (i: number) => ORGS[(i + Math.floor(i / 3)) % 3]!;

/** A database as migration 27 left it, with `n` audit events of three organizations, interleaved, two to a second. */
function version27(file: string, n: number): void {
  const raw = new Database(file);
  migrateBelow(raw, 28);
  raw.exec(`INSERT INTO audit_orgs (org_id) VALUES ${ORGS.map((o) => `('${o}')`).join(", ")}`);
  const insert = raw.prepare(`INSERT INTO audit_events (id, org, org_id, time, actor, action, target_type, target_id, outcome, before, after, reason, imported)
    SELECT ?, n, org_id, ?, ?, ?, 'User', ?, ?, ?, ?, ?, ? FROM audit_orgs WHERE org_id = ?`);
  raw.transaction(() => {
    for (let i = 0; i < n; i++) {
      const refused = i % 7 === 0;
      // times repeat (two events a second) and are not in the order of seq (every 5th is a second older): (time, seq) orders
      const time = new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 2) * 1000 - (i % 5 === 0 ? 1500 : 0)).toISOString();
      insert.run(`AE${hex(i + 1)}`, time, ACTORS[i % 3], i % 2 ? "user.update" : "group.update", `US${hex(100 + (i % 4))}`, refused ? "refused" : "success",
        refused ? null : JSON.stringify({ version: i }), refused ? null : JSON.stringify({ version: i + 1 }), refused ? "not allowed" : null,
        i % 11 === 4 ? JSON.stringify({ at: "2025-01-01T00:00:00.000Z", from: "elsewhere" }) : null, orgOf(i));
    }
  })();
  raw.close();
}

const COLUMNS = "seq, id, org, org_id, time, actor, action, target_type, target_id, outcome, before, after, reason, imported, actor_user, actor_credential";
const rows = (db: Database.Database) => db.prepare(`SELECT ${COLUMNS} FROM audit_events ORDER BY seq`).all() as Array<Record<string, unknown>>;
const schemaOf = (db: Database.Database) =>
  db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name IN ('audit_events', 'audit_orgs', 'audit_ids_27') ORDER BY type, name").all();

const QUERIES: Array<Omit<AuditListQuery, "limit">> = [
  {}, { outcome: "refused" }, { outcome: "success" }, { action: "user.update" }, { targetId: `US${hex(101)}` }, { actorUser: USER },
  { actorCredential: `TK${hex(2)}` }, { from: "2026-01-01T00:00:10.000Z", to: "2026-01-01T00:00:20.000Z" }, { imported: true }, { imported: false },
];

describe("sqlite migration 28 (audit rows without an index of their ids, indexed by time in milliseconds)", () => {
  it("keeps every event, lists each organization's own as before by every filter, and opens a cursor of before the upgrade", async () => {
    const file = join(dir, "v27.db");
    version27(file, 90);
    // What the store listed at 27, by every filter, whole and page by page (the id of each page's last event: what a token sealed).
    const listed = new Map<string, string[]>();
    const old = new Database(file, { readonly: true });
    const before = rows(old);
    try {
      for (const orgId of ORGS) {
        for (const q of QUERIES) {
          listed.set(JSON.stringify({ orgId, q }), old.prepare(`SELECT id FROM audit_events WHERE org_id = ?
            ${q.outcome ? `AND outcome = '${q.outcome}'` : ""} ${q.action ? `AND action = '${q.action}'` : ""} ${q.targetId ? `AND target_id = '${q.targetId}'` : ""}
            ${q.actorUser ? `AND actor_user = '${q.actorUser}'` : ""} ${q.actorCredential ? `AND actor_credential = '${q.actorCredential}'` : ""}
            ${q.from ? `AND time >= '${q.from}'` : ""} ${q.to ? `AND time < '${q.to}'` : ""} ${q.imported === undefined ? "" : q.imported ? "AND imported IS NOT NULL" : "AND imported IS NULL"}
            ORDER BY time DESC, seq DESC`).pluck().all(orgId) as string[]);
        }
      }
    } finally {
      old.close();
    }

    const store = openSqliteStore({ path: file });
    try {
      for (const orgId of ORGS) {
        for (const q of QUERIES) {
          const wanted = listed.get(JSON.stringify({ orgId, q }))!;
          expect(wanted.length).toBeGreaterThan(0);
          const ids = async (more: Partial<AuditListQuery> = {}) => (await store.audit.list(orgId, { limit: 1000, ...q, ...more })).map((e) => e.id);
          expect({ orgId, q, ids: await ids() }).toEqual({ orgId, q, ids: wanted });
          // a cursor of before the upgrade (the id of a page's last event) and the position of that event list the same rest
          const at = Math.floor(wanted.length / 2);
          expect({ orgId, q, rest: await ids({ before: wanted[at]! }) }).toEqual({ orgId, q, rest: wanted.slice(at + 1) });
          const paged = await store.audit.page(orgId, { limit: at + 1, ...q });
          expect(paged.events.map((e) => e.id)).toEqual(wanted.slice(0, at + 1));
          expect({ orgId, q, rest: await ids({ after: paged.positions[at]! }) }).toEqual({ orgId, q, rest: wanted.slice(at + 1) });
        }
        // another organization's event, by id or by position, names no place here
        const other = before.find((r) => r.org_id !== orgId)!;
        expect(await store.audit.list(orgId, { limit: 100, before: String(other.id) })).toEqual([]);
        expect(await store.audit.list(orgId, { limit: 100, after: String(other.seq) })).toEqual([]);
        for (const e of await store.audit.list(orgId, { limit: 100 })) expect(e.orgId).toBe(orgId);
      }
    } finally {
      await store.close();
    }

    const upgraded = new Database(file, { readonly: true });
    const fresh = new Database(":memory:");
    try {
      expect(rows(upgraded)).toEqual(before);
      expect(upgraded.prepare("SELECT count(*) FROM audit_events").pluck().get()).toBe(90);
      for (const r of upgraded.prepare("SELECT time, t FROM audit_events").all() as { time: string; t: number }[]) expect(r.t).toBe(Date.parse(r.time));
      expect(upgraded.prepare("SELECT count(*) FROM audit_ids_27 i JOIN audit_events e ON e.seq = i.seq AND e.id = i.id").pluck().get()).toBe(90);
      migrate(fresh);
      expect(schemaOf(upgraded)).toEqual(schemaOf(fresh));
      expect(upgraded.pragma("integrity_check", { simple: true })).toBe("ok");
    } finally {
      upgraded.close();
      fresh.close();
    }
  });

  it("orders events this store recorded by their instant, as their toISOString text ordered them, and an imported time of another form by its instant", async () => {
    const store = openSqliteStore({ path: join(dir, "forms.db") });
    try {
      const e = (n: number, time: string, imported = false) => ({
        id: `AE${hex(n)}`, orgId: ORGS[0]!, time, actor: ACTORS[1]!, action: "group.update", targetType: "Group", targetId: null,
        outcome: "success" as const, before: null, after: null, ...(imported ? { imported: { at: "2026-02-01T00:00:00.000Z", from: "file" } } : {}),
      });
      for (const x of [e(1, "2026-01-01T00:00:00.500Z"), e(2, "2026-01-01T00:00:00.000Z"), e(3, "1969-12-31T23:59:59.999Z"), e(4, "2026-01-01T00:00:00.500Z")]) await store.audit.append(x);
      expect((await store.audit.list(ORGS[0]!, { limit: 10, imported: false })).map((x) => x.id)).toEqual([4, 1, 2, 3].map((n) => `AE${hex(n)}`));
      expect((await store.audit.list(ORGS[0]!, { limit: 10, from: "2026-01-01T00:00:00.500Z" })).map((x) => x.id)).toEqual([4, 1].map((n) => `AE${hex(n)}`));
      // imported history may carry other forms (no fraction, microseconds): each sorts by when it was (by their text, 10 was the newest)
      for (const x of [e(10, "2025-01-01T00:00:00Z", true), e(11, "2025-01-01T00:00:00.250000Z", true), e(12, "2025-01-01T00:00:00.9Z", true)]) await store.audit.append(x);
      expect((await store.audit.list(ORGS[0]!, { limit: 10, imported: true })).map((x) => x.id)).toEqual([12, 11, 10].map((n) => `AE${hex(n)}`));
    } finally {
      await store.close();
    }
  });

  it("upgrades 100,000 events (the time it took is printed)", async () => {
    const file = join(dir, "big.db");
    version27(file, 100_000);
    const started = process.hrtime.bigint();
    const store = openSqliteStore({ path: file });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    try {
      console.log(`migration 28: 100,000 audit events upgraded (store opened) in ${ms.toFixed(0)} ms`);
      // the event before the newest of the organization of event 99,997 (a cursor of before the upgrade), by its id
      expect(await store.audit.list(orgOf(99_996), { limit: 1, before: `AE${hex(99_997)}` })).toHaveLength(1);
    } finally {
      await store.close();
    }
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare("SELECT count(*) FROM audit_events").pluck().get()).toBe(100_000);
      expect(db.prepare("SELECT count(*) FROM audit_ids_27").pluck().get()).toBe(100_000);
    } finally {
      db.close();
    }
  }, 300_000);
});
