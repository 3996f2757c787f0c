/**
 * Audit search on SQLite is answered from indexes at any depth (issue 14 item 4; the actor, issue 19): for every filter
 * combination of GET /v1/AuditEvents, with and without the page cursor, SQLite's own query plan
 * uses the index of its most selective filter and neither scans the table nor sorts (the index gives the order),
 * on a file with statistics (50,000 events of one organization) as the store leaves it, and on an empty store. Every index
 * leads with the organization's number (migration 27), found by its id in audit_orgs' own index, and orders by the time
 * in milliseconds (migration 28). audit_events has those indexes and no other (none of its ids: a write writes every
 * index, so one no list reads is a page a write for nothing, issue 18), and a page cursor's event is found from one.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AuditListQuery } from "../../src/domain/ports/store";
import { migrate } from "../../src/store/sqlite/migrations";
import { AUDIT_REF_SQL, auditListSql } from "../../src/store/sqlite/misc";
import { openSqliteStore } from "../../src/store/sqlite/store";

let dir: string;
let db: Database.Database;
let empty: Database.Database;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "orgscim-audit-plan-"));
  const file = join(dir, "audit.db");
  const raw = new Database(file);
  migrate(raw);
  raw.exec("INSERT INTO audit_orgs (org_id) VALUES ('ORx'), ('ORother')");
  const insert = raw.prepare(`INSERT INTO audit_events (id, org, org_id, time, t, actor, action, target_type, target_id, outcome)
    SELECT ?, n, org_id, ?, ?, ?, ?, 'User', ?, ? FROM audit_orgs WHERE org_id = ?`);
  raw.transaction(() => {
    for (let i = 0; i < 50_000; i++) {
      const t = Date.UTC(2026, 0, 1) + i * 1000;
      insert.run(`AE${i.toString(16).padStart(32, "0")}`, new Date(t).toISOString(), t,
        i % 4 === 0 ? `TK${i % 20}` : `TK${i % 20}/US${(i % 300).toString(16).padStart(32, "0")}`,
        ["user.create", "user.update", "group.update"][i % 3], `US${i % 5000}`, i % 50 === 0 ? "refused" : "success", i % 100 === 0 ? "ORother" : "ORx");
    }
  })();
  raw.close();
  const store = openSqliteStore({ path: file }); // gathers planner statistics, as in production
  await store.close();
  db = new Database(file, { readonly: true });
  const emptyFile = join(dir, "empty.db");
  await openSqliteStore({ path: emptyFile }).close();
  empty = new Database(emptyFile, { readonly: true });
});
afterAll(() => {
  db.close();
  empty.close();
  rmSync(dir, { recursive: true, force: true });
});

const FILTERS: Array<Omit<AuditListQuery, "limit">> = [];
const ACTORS: Array<Pick<AuditListQuery, "actorUser" | "actorCredential">> = [{}, { actorUser: "US7" }, { actorCredential: "TK3" }];
for (const action of [undefined, "user.update"]) {
  for (const targetId of [undefined, "US42"]) {
    for (const actor of ACTORS) {
      for (const outcome of [undefined, "refused", "success"] as const) {
        for (const range of [{}, { from: "2026-01-01T05:00:00.000Z" }, { to: "2026-01-01T05:00:00.000Z" }, { from: "2026-01-01T01:00:00.000Z", to: "2026-01-01T05:00:00.000Z" }]) {
          // the live log (imported: false, what GET /v1/AuditEvents asks by default) and the imported history
          for (const imported of [false, true]) {
            FILTERS.push({ ...(action ? { action } : {}), ...(targetId ? { targetId } : {}), ...actor, ...(outcome ? { outcome } : {}), ...range, imported });
          }
        }
      }
    }
  }
}

describe("audit search query plans", () => {
  it.each(FILTERS.flatMap((f) => [[JSON.stringify(f), f, false], [`${JSON.stringify(f)} after a cursor`, f, true]] as const)
    .flatMap(([name, f, cursor]) => [[name, f, cursor, "populated"], [`${name} (empty store)`, f, cursor, "empty"]] as const))(
    "%s: an index of audit_events, no scan, no sort",
    (_name, f, cursor, store) => {
      const { sql, params } = auditListSql("ORx", { limit: 50, ...f }, cursor ? { t: Date.parse("2026-01-01T10:00:00.000Z"), seq: 36_000 } : undefined);
      const on = store === "empty" ? empty : db;
      const plan = (on.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(" | ");
      // the most selective filter's index: a target, else an actor (user, credential), else an action, else a refusal (an
      // index of the refusals only), else time alone (Outcome=success too: nearly every event is one, migration 26)
      const index = f.targetId ? "target_time" : f.actorUser ? "actor_user_time" : f.actorCredential ? "actor_credential_time"
        : f.action ? "action_time" : f.outcome === "refused" ? "refused_time" : "time";
      expect(plan).toMatch(new RegExp(`SEARCH audit_events USING (COVERING )?INDEX audit_events_org_${index} \\(org=\\?`));
      expect(plan).toMatch(/SEARCH audit_orgs USING COVERING INDEX sqlite_autoindex_audit_orgs_1 \(org_id=\?\)/);
      expect(plan).not.toMatch(/^SCAN audit_events\b(?! USING)/);
      expect(plan).not.toMatch(/TEMP B-TREE/);
    },
  );

  const INDEXES = { time: ["org", "t", "seq"], action_time: ["org", "action", "t", "seq"], target_time: ["org", "target_id", "t", "seq"],
    refused_time: ["org", "t", "seq"], actor_user_time: ["org", "actor_user", "t", "seq"], actor_credential_time: ["org", "actor_credential", "t", "seq"] };

  it.each([["populated", () => db], ["empty", () => empty]] as const)(
    "audit_events (%s) has the six indexes the lists above take, each ending in (t, seq), and none of ids nor of the ISO time",
    (_store, on) => {
      const indexes = on().prepare("SELECT name FROM pragma_index_list('audit_events') ORDER BY name").pluck().all() as string[];
      expect(indexes).toEqual(Object.keys(INDEXES).map((n) => `audit_events_org_${n}`).sort());
      for (const [name, columns] of Object.entries(INDEXES)) {
        expect({ name, columns: on().prepare(`SELECT name FROM pragma_index_info('audit_events_org_${name}') ORDER BY seqno`).pluck().all() })
          .toEqual({ name, columns });
      }
    },
  );

  it.each([["populated", () => db], ["empty", () => empty]] as const)("finds a cursor's event (%s) from one index: its position by rowid, an old token's id in audit_ids_27", (_store, on) => {
    const plan = (sql: string) => (on().prepare(`EXPLAIN QUERY PLAN ${sql}`).all(1, "ORx") as { detail: string }[]).map((r) => r.detail).join(" | ");
    expect(plan(AUDIT_REF_SQL.at)).toMatch(/^SEARCH audit_events USING INTEGER PRIMARY KEY \(rowid=\?\)$/);
    expect(plan(AUDIT_REF_SQL.byOldId)).toMatch(/^SEARCH i USING PRIMARY KEY \(id=\?\) \| SEARCH e USING INTEGER PRIMARY KEY \(rowid=\?\)$/);
  });
});
