/**
 * SQLite migrations from version 28 on (./schema-steps-22.ts holds 22 to 27). Same rules: append the
 * next version here, never edit one that has shipped.
 */
import type { Migration } from "./migration";

/**
 * JavaScript's \s as code points: what looksLikeEmail (src/domain/user-checks.ts) refused in an
 * address when migration 29 was written. Frozen here, as a migration never changes once shipped.
 */
const JS_WHITESPACE_29 = [9, 10, 11, 12, 13, 32, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288, 65279];

/**
 * SQL true exactly when `col` matches /^[^@\s]+@[^@\s]+\.[^@\s]+$/ (looksLikeEmail when migration
 * 29 was written): one "@", not first; after it a "." with a character on each side; no whitespace.
 * Exported for its test, which holds it to the regular expression over generated names.
 */
export const EMAIL_SHAPED_29 = (col: string): string =>
  `(${col} GLOB '?*@?*' AND ${col} NOT GLOB '*@*@*' AND substr(${col}, instr(${col}, '@') + 1) GLOB '?*.?*'` +
  ` AND ${col} NOT GLOB ('*[' || char(${JS_WHITESPACE_29.join(", ")}) || ']*'))`;

export const SCHEMA_STEPS_28: readonly Migration[] = [
  {
    version: 28,
    name: "audit rows without an index of their ids, indexed by time in milliseconds",
    // Every write appends an audit row, and its B-trees were 8 of a member PATCH's 13.1 WAL pages
    // (issue 18, bench/write-cost.mjs --list: 11.5 after this):
    // - UNIQUE(id) kept a B-tree of every event's id (~1.2 pages a write) that no list reads. The one
    //   read by id was a page cursor (GET /v1/AuditEvents, export, import planning): a cursor is now
    //   the event's position, its seq, found by rowid (src/store/sqlite/misc.ts). Page tokens issued
    //   before the upgrade name an event id: audit_ids_27 keeps each event of then by id, written here
    //   once and never by a write after, so such a token opens the same next page, from one index.
    //   Ids stay unique without it: made of the time and 80 random bits (src/domain/ids.ts), and an
    //   import skips the ids its organization holds (src/domain/portability/plan-records.ts).
    // - The indexes ordered by the 24-byte ISO text of the time: they order by t, the same instant in
    //   milliseconds (1-8 bytes; misc.ts auditTimeMs, here by the function migrate() registers). Every
    //   time orgscim writes is toISOString's, whose text order is t's order: the same lists. An import
    //   may bring other ISO forms (no fraction, or not 3 digits): those sort by their instant now (by
    //   their text before: '...:00.500Z' before '...:00Z'; finer than 1 ms ties, then seq), so within
    //   such a second Imported=true lists may change order, and a token held across the upgrade there
    //   may skip or repeat such an event.
    // A table keeps or loses a UNIQUE constraint only when made, so it is made again (same seq, ids,
    // organizations, columns, and t) with its six indexes, in the order of seq.
    // Tests: test/store/sqlite-migration-28-audit.test.ts, sqlite-audit-plan.test.ts.
    sql: `
      CREATE TABLE audit_ids_27 (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO audit_ids_27 (id, seq) SELECT id, seq FROM audit_events ORDER BY id;
      CREATE TABLE audit_events_28 (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        org INTEGER NOT NULL,
        org_id TEXT NOT NULL,
        time TEXT NOT NULL,
        t INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target_type TEXT NOT NULL,
        target_id TEXT,
        outcome TEXT NOT NULL,
        before TEXT,
        after TEXT,
        reason TEXT,
        imported TEXT,
        actor_user TEXT GENERATED ALWAYS AS (CASE WHEN substr(actor, -35, 3) = '/US' AND substr(actor, -32) NOT GLOB '*[^0-9a-f]*' THEN substr(actor, -34) END) VIRTUAL,
        actor_credential TEXT GENERATED ALWAYS AS (CASE WHEN substr(actor, -35, 3) = '/US' AND substr(actor, -32) NOT GLOB '*[^0-9a-f]*' THEN substr(actor, 1, length(actor) - 35) ELSE actor END) VIRTUAL
      );
      INSERT INTO audit_events_28 (seq, id, org, org_id, time, t, actor, action, target_type, target_id, outcome, before, after, reason, imported)
        SELECT seq, id, org, org_id, time, scim_audit_time_ms(time), actor, action, target_type, target_id, outcome, before, after, reason, imported FROM audit_events ORDER BY seq;
      DROP TABLE audit_events;
      ALTER TABLE audit_events_28 RENAME TO audit_events;
      CREATE INDEX audit_events_org_time ON audit_events(org, t, seq);
      CREATE INDEX audit_events_org_action_time ON audit_events(org, action, t, seq);
      CREATE INDEX audit_events_org_target_time ON audit_events(org, target_id, t, seq);
      CREATE INDEX audit_events_org_refused_time ON audit_events(org, t, seq) WHERE outcome = 'refused';
      CREATE INDEX audit_events_org_actor_user_time ON audit_events(org, actor_user, t, seq) WHERE actor_user IS NOT NULL;
      CREATE INDEX audit_events_org_actor_credential_time ON audit_events(org, actor_credential, t, seq);
    `,
  },
  {
    version: 29,
    name: "a user without emails whose userName is an email address holds that address",
    // docs/security.md case 85: primary_email, what "managed elsewhere" and the invitation accept
    // read, held the emails' primary only, so a managed user made with an email userName and no
    // emails held no address against other organizations. Writes since keep the user's address
    // (src/domain/user-address.ts: the primary email, else an email userName); the rows written
    // before get it here. No trigger watches primary_email: nothing else changes.
    sql: `UPDATE users SET primary_email = user_name WHERE primary_email IS NULL AND ${EMAIL_SHAPED_29("user_name")};`,
  },
];
