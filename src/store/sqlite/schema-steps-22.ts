/**
 * SQLite migrations from version 22 on (./schema-steps.ts holds 2 to 21 and reached the size bound
 * of a source file). Same rules: append the next version here, never edit one that has shipped.
 */
import type { Migration } from "./migration";

export const SCHEMA_STEPS_22: readonly Migration[] = [
  {
    version: 22,
    name: "SCIM event streams and their undelivered SETs (RFC 9967)",
    // event_streams: an organization's receivers (push: endpoint; poll: the hash of its poll
    // secret); lease_until: the delivery worker holding a push stream. security_events: one row per
    // SET per stream, written in the transaction of the change; seq is the order of delivery.
    // A row is deleted once acknowledged; a stream's deletion drops its rows.
    sql: `
      CREATE TABLE event_streams (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL,
        name TEXT NOT NULL,
        delivery TEXT NOT NULL,
        endpoint TEXT,
        poll_secret_hash TEXT,
        created TEXT NOT NULL,
        created_by TEXT NOT NULL,
        deleted TEXT,
        lease_until TEXT
      );
      CREATE INDEX event_streams_org ON event_streams(org_id, created, id);
      CREATE TABLE security_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        jti TEXT NOT NULL UNIQUE,
        org_id TEXT NOT NULL,
        stream_id TEXT NOT NULL,
        subject TEXT NOT NULL,
        claims TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        created TEXT NOT NULL
      );
      CREATE INDEX security_events_stream ON security_events(stream_id, status, seq);
    `,
  },
  {
    version: 23,
    name: "last use of tokens",
    // When and from where each token (or OAuth client) was last used, written at most once a
    // minute per token and instance (src/domain/tokens.ts noteTokenUse). A table of its own: a
    // write to api_tokens raises the organization's principal version (migration 19) and would
    // empty every principal cache of the organization once a minute.
    sql: `
      CREATE TABLE token_uses (
        token_id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL,
        last_used TEXT NOT NULL,
        last_address TEXT NOT NULL
      );
      CREATE INDEX token_uses_org ON token_uses(org_id);
    `,
  },
  {
    version: 24,
    name: "provisioning errors, bounded per organization",
    // SCIM requests and /Bulk operations refused for their content (src/domain/provisioning-errors.ts):
    // one row each, numbered per organization (seq, from provisioning_error_counts.recorded, which
    // also counts the dropped ones). Never a body. The row's key leads with the organization, so the
    // bound (the newest N, none older than D days) deletes one index range of that organization only.
    sql: `
      CREATE TABLE provisioning_errors (
        org_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        time TEXT NOT NULL,
        status INTEGER NOT NULL,
        scim_type TEXT,
        code INTEGER NOT NULL,
        reason TEXT NOT NULL,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        bulk INTEGER NOT NULL,
        credential TEXT NOT NULL,
        target_name TEXT,
        external_id TEXT,
        PRIMARY KEY (org_id, seq)
      ) WITHOUT ROWID;
      CREATE TABLE provisioning_error_counts (
        org_id TEXT PRIMARY KEY,
        recorded INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 25,
    name: "indexes a create writes, only where a query reads them",
    // Every create writes every index of users and audit_events (issue 18: a POST was ~27 WAL pages).
    // users_org_role held every user for one query, the count of an organization's owners
    // (countByRole takes "owner" only): users_org_owner holds the owners alone. audit_events_org_seq
    // served no statement (the log lists by (time, seq), migration 16). The actor-user index holds
    // the events whose actor acted for a user only: a search by actor user names one, so it implies
    // actor_user IS NOT NULL, and a token acting for nobody (an IdP's) writes no entry in it.
    // Tests: test/store/sqlite-users-index-uses.test.ts, sqlite-audit-plan.test.ts, sqlite-migration-25.test.ts.
    sql: `
      CREATE INDEX users_org_owner ON users(org_id) WHERE org_role = 'owner';
      DROP INDEX users_org_role;
      DROP INDEX audit_events_org_seq;
      DROP INDEX audit_events_org_actor_user_time;
      CREATE INDEX audit_events_org_actor_user_time ON audit_events(org_id, actor_user, time, seq) WHERE actor_user IS NOT NULL;
    `,
  },
  {
    version: 26,
    name: "audit rows without AUTOINCREMENT, refusals indexed apart",
    // Every write appends an audit row in its transaction, and it wrote 8 B-trees (issue 18: 11 of a
    // member PATCH's 16 WAL pages, bench/write-cost.mjs --list). Two of them went:
    // - sqlite_sequence: AUTOINCREMENT kept seq from being reused after the newest row is deleted;
    //   no audit row is ever deleted, so seq = the largest + 1 (SQLite's rowid) is the same order. A
    //   table keeps or loses AUTOINCREMENT only when made, so the table is made again (same columns,
    //   same seq and ids) with its indexes.
    // - the outcome index held every event, for a filter whose one other value (success) is nearly
    //   every event: it holds the refusals alone now; Outcome=success reads (org_id, time, seq)
    //   (src/store/sqlite/misc.ts auditListSql; plans: test/store/sqlite-audit-plan.test.ts).
    // Tests: test/store/sqlite-migration-26-audit.test.ts.
    sql: `
      CREATE TABLE audit_events_26 (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        org_id TEXT NOT NULL,
        time TEXT NOT NULL,
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
      INSERT INTO audit_events_26 (seq, id, org_id, time, actor, action, target_type, target_id, outcome, before, after, reason, imported)
        SELECT seq, id, org_id, time, actor, action, target_type, target_id, outcome, before, after, reason, imported FROM audit_events ORDER BY seq;
      DROP TABLE audit_events;
      ALTER TABLE audit_events_26 RENAME TO audit_events;
      CREATE INDEX audit_events_org_time ON audit_events(org_id, time, seq);
      CREATE INDEX audit_events_org_action_time ON audit_events(org_id, action, time, seq);
      CREATE INDEX audit_events_org_target_time ON audit_events(org_id, target_id, time, seq);
      CREATE INDEX audit_events_org_refused_time ON audit_events(org_id, time, seq) WHERE outcome = 'refused';
      CREATE INDEX audit_events_org_actor_user_time ON audit_events(org_id, actor_user, time, seq) WHERE actor_user IS NOT NULL;
      CREATE INDEX audit_events_org_actor_credential_time ON audit_events(org_id, actor_credential, time, seq);
    `,
  },
  {
    version: 27,
    name: "audit indexes keyed by a small integer per organization",
    // Every write appends an audit row, and each of its indexes (org_time, org_action_time,
    // org_target_time, org_actor_credential_time; actor_user and refused when they apply) led with
    // the 34-byte organization id: ~40% of an ~85-byte entry, so of the pages a commit writes (issue 18).
    // audit_orgs numbers the organizations that have events (n: the rowid, stable; a row is never
    // deleted nor changed); audit_events.org holds that number, and the indexes lead with it (1-2
    // bytes). org_id stays in the row (every reader and check of the row reads it; list queries match
    // both, src/store/sqlite/misc.ts). An append takes n from audit_orgs in its own INSERT and numbers
    // an organization the first time it has none. The table is made again (a NOT NULL column cannot
    // be added to rows that exist), same seq and ids, no AUTOINCREMENT (migration 26).
    // Tests: test/store/sqlite-migration-27-audit.test.ts, sqlite-audit-plan.test.ts.
    sql: `
      CREATE TABLE audit_orgs (
        n INTEGER PRIMARY KEY,
        org_id TEXT NOT NULL UNIQUE
      );
      INSERT INTO audit_orgs (org_id) SELECT org_id FROM audit_events GROUP BY org_id ORDER BY min(seq);
      CREATE TABLE audit_events_27 (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        org INTEGER NOT NULL,
        org_id TEXT NOT NULL,
        time TEXT NOT NULL,
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
      INSERT INTO audit_events_27 (seq, id, org, org_id, time, actor, action, target_type, target_id, outcome, before, after, reason, imported)
        SELECT e.seq, e.id, o.n, e.org_id, e.time, e.actor, e.action, e.target_type, e.target_id, e.outcome, e.before, e.after, e.reason, e.imported
        FROM audit_events e JOIN audit_orgs o ON o.org_id = e.org_id ORDER BY e.seq;
      DROP TABLE audit_events;
      ALTER TABLE audit_events_27 RENAME TO audit_events;
      CREATE INDEX audit_events_org_time ON audit_events(org, time, seq);
      CREATE INDEX audit_events_org_action_time ON audit_events(org, action, time, seq);
      CREATE INDEX audit_events_org_target_time ON audit_events(org, target_id, time, seq);
      CREATE INDEX audit_events_org_refused_time ON audit_events(org, time, seq) WHERE outcome = 'refused';
      CREATE INDEX audit_events_org_actor_user_time ON audit_events(org, actor_user, time, seq) WHERE actor_user IS NOT NULL;
      CREATE INDEX audit_events_org_actor_credential_time ON audit_events(org, actor_credential, time, seq);
    `,
  },
];
