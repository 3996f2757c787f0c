/**
 * Versioned schema migrations for the SQLite store. Each entry runs once, in order, inside a
 * transaction, and is recorded in schema_migrations. Never edit a migration that has shipped:
 * add a new one.
 */
import type Database from "better-sqlite3";
import { foldCase } from "./fold";

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * Runs before `sql`, in its transaction: answers why the data cannot take the migration (for
   * example rows a new unique index would refuse), in words an operator can act on, or null.
   */
  precheck?: (db: Database.Database) => string | null;
}

/** Thrown when a migration's precheck refuses the data: start-up stops with its message. */
export class MigrationRefused extends Error {
  constructor(readonly version: number, reason: string) {
    super(`SQLite migration ${version} cannot run: ${reason}`);
    this.name = "MigrationRefused";
  }
}

/** Migrations after the first, appended in order by the features that need them. */
const MIGRATIONS_EXTRA: Migration[] = [];

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "organizations, tokens, users, groups, memberships, domains, invitations, audit",
    sql: `
      CREATE TABLE organizations (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        settings TEXT NOT NULL,
        created TEXT NOT NULL,
        last_modified TEXT NOT NULL
      );
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES organizations(id),
        name TEXT NOT NULL,
        scopes TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        user_id TEXT,
        created TEXT NOT NULL,
        revoked TEXT
      );
      CREATE INDEX api_tokens_org ON api_tokens(org_id);
      CREATE TABLE users (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        org_id TEXT NOT NULL REFERENCES organizations(id),
        user_name TEXT NOT NULL COLLATE NOCASE,
        external_id TEXT,
        display_name TEXT,
        active INTEGER NOT NULL,
        status TEXT NOT NULL,
        org_role TEXT,
        two_factor_required INTEGER NOT NULL DEFAULT 0,
        password_reset_required INTEGER NOT NULL DEFAULT 0,
        primary_email TEXT COLLATE NOCASE,
        data TEXT NOT NULL,
        version INTEGER NOT NULL,
        created TEXT NOT NULL,
        last_modified TEXT NOT NULL
      );
      CREATE UNIQUE INDEX users_org_user_name ON users(org_id, user_name COLLATE NOCASE);
      CREATE INDEX users_org_external_id ON users(org_id, external_id);
      CREATE INDEX users_primary_email ON users(primary_email COLLATE NOCASE, status);
      CREATE INDEX users_org_role ON users(org_id, org_role);
      CREATE TABLE user_emails (
        user_seq INTEGER NOT NULL REFERENCES users(seq) ON DELETE CASCADE,
        org_id TEXT NOT NULL,
        value TEXT NOT NULL COLLATE NOCASE,
        type TEXT,
        is_primary INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX user_emails_org_value ON user_emails(org_id, value COLLATE NOCASE);
      CREATE INDEX user_emails_user ON user_emails(user_seq);
      CREATE TABLE groups (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        org_id TEXT NOT NULL REFERENCES organizations(id),
        display_name TEXT NOT NULL COLLATE NOCASE,
        external_id TEXT,
        builtin INTEGER NOT NULL DEFAULT 0,
        binding TEXT,
        data TEXT NOT NULL,
        version INTEGER NOT NULL,
        created TEXT NOT NULL,
        last_modified TEXT NOT NULL
      );
      CREATE UNIQUE INDEX groups_org_display_name ON groups(org_id, display_name COLLATE NOCASE);
      CREATE INDEX groups_org_external_id ON groups(org_id, external_id);
      CREATE TABLE group_members (
        group_seq INTEGER NOT NULL REFERENCES groups(seq) ON DELETE CASCADE,
        user_seq INTEGER NOT NULL REFERENCES users(seq) ON DELETE CASCADE,
        org_id TEXT NOT NULL,
        PRIMARY KEY (group_seq, user_seq)
      ) WITHOUT ROWID;
      CREATE INDEX group_members_user ON group_members(user_seq);
      CREATE TABLE domains (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES organizations(id),
        name TEXT NOT NULL COLLATE NOCASE,
        state TEXT NOT NULL,
        challenge TEXT NOT NULL,
        created TEXT NOT NULL,
        verified_at TEXT
      );
      CREATE UNIQUE INDEX domains_name ON domains(name COLLATE NOCASE) WHERE state <> 'removed';
      CREATE INDEX domains_org ON domains(org_id);
      CREATE TABLE invitations (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES organizations(id),
        user_id TEXT NOT NULL,
        email TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        expires TEXT NOT NULL,
        created TEXT NOT NULL,
        accepted_at TEXT,
        revoked_at TEXT
      );
      CREATE INDEX invitations_org_user ON invitations(org_id, user_id);
      CREATE TABLE audit_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
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
        reason TEXT
      );
      CREATE INDEX audit_events_org_seq ON audit_events(org_id, seq);
    `,
  },
];

MIGRATIONS_EXTRA.push({
  version: 2,
  name: "domain re-validation: when the DNS token stopped being found",
  sql: `
    ALTER TABLE domains ADD COLUMN revalidating_since TEXT;
  `,
});

MIGRATIONS_EXTRA.push({
  version: 3,
  name: "managed accounts",
  sql: `
    CREATE TABLE accounts (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      org_id TEXT NOT NULL REFERENCES organizations(id),
      name TEXT NOT NULL,
      owner_id TEXT NOT NULL,
      status TEXT NOT NULL,
      created TEXT NOT NULL,
      last_modified TEXT NOT NULL
    );
    CREATE INDEX accounts_org ON accounts(org_id, status, seq);
    CREATE INDEX accounts_owner ON accounts(org_id, owner_id);
    CREATE INDEX groups_org_account_binding ON groups(org_id, json_extract(binding, '$.accountId'));
  `,
});

MIGRATIONS_EXTRA.push({
  version: 5,
  name: "invitations to the organization and to accounts; the mail outbox; members by status",
  sql: `
    ALTER TABLE invitations ADD COLUMN kind TEXT;
    ALTER TABLE invitations ADD COLUMN org_role TEXT;
    ALTER TABLE invitations ADD COLUMN account_id TEXT;
    ALTER TABLE invitations ADD COLUMN account_roles TEXT;
    ALTER TABLE invitations ADD COLUMN created_member INTEGER;
    ALTER TABLE invitations ADD COLUMN new_login INTEGER;
    ALTER TABLE invitations ADD COLUMN prior_status TEXT;
    CREATE INDEX invitations_org_created ON invitations(org_id, created, id);
    CREATE INDEX users_org_status ON users(org_id, status, seq);
    CREATE TABLE outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      org_id TEXT,
      kind TEXT NOT NULL,
      ref TEXT,
      recipient TEXT NOT NULL,
      subject TEXT NOT NULL,
      body TEXT,
      status TEXT NOT NULL,
      created TEXT NOT NULL,
      sent_at TEXT,
      attempts INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      next_attempt_at TEXT NOT NULL
    );
    CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
    CREATE INDEX outbox_ref ON outbox(ref, status);
    CREATE INDEX outbox_org ON outbox(org_id, seq);
  `,
});

MIGRATIONS_EXTRA.push({
  version: 6,
  name: "userName unique without regard to case beyond ASCII",
  // NOCASE folds ASCII only ("zoë" and "ZOË" passed it). user_name_fold holds the store-side fold
  // (JavaScript toLowerCase, as the MongoDB store's userNameLower); rows before this migration are
  // backfilled with lower(), which is exact for ASCII names.
  sql: `
    ALTER TABLE users ADD COLUMN user_name_fold TEXT;
    UPDATE users SET user_name_fold = lower(user_name);
    CREATE UNIQUE INDEX users_org_user_name_fold ON users(org_id, user_name_fold);
  `,
});

MIGRATIONS_EXTRA.push({
  version: 7,
  name: "organization members in insertion order, for deep pages",
  // Pages (startIndex and cursor) list an organization's non-independent users in seq order:
  // users_org_status has status between org_id and seq, so that order cost a sort of the whole
  // organization on every page (figures: bench/README.md).
  sql: `
    CREATE INDEX users_org_member_seq ON users(org_id, seq) WHERE status <> 'independent';
  `,
});

MIGRATIONS_EXTRA.push({
  version: 8,
  name: "a membership row carries the member's id and display",
  // Reading a group's members was one rowid lookup into the wide users table per member; with the
  // id and display in the membership row it is one range of group_members' primary key (figures:
  // bench/README.md). The trigger keeps display true when a user is renamed:
  // one indexed update per group the user is in (group_members_user).
  sql: `
    ALTER TABLE group_members ADD COLUMN user_id TEXT;
    ALTER TABLE group_members ADD COLUMN display TEXT;
    UPDATE group_members SET (user_id, display) =
      (SELECT id, coalesce(display_name, user_name) FROM users WHERE users.seq = group_members.user_seq);
    CREATE TRIGGER users_member_display AFTER UPDATE OF display_name, user_name ON users
      WHEN coalesce(OLD.display_name, OLD.user_name) IS NOT coalesce(NEW.display_name, NEW.user_name)
      BEGIN
        UPDATE group_members SET display = coalesce(NEW.display_name, NEW.user_name) WHERE user_seq = NEW.seq;
      END;
  `,
});

MIGRATIONS_EXTRA.push({
  version: 9,
  name: "email values folded as the rest of orgscim folds case",
  // user_emails.value compared with NOCASE, which folds ASCII only: `emails.value eq "ZOË@x"` did
  // not find zoë@x. value_fold holds JavaScript's toLowerCase of the value (as users.user_name_fold
  // does for userName, and filter-eval and the MongoDB store do), filled here by scim_fold().
  sql: `
    ALTER TABLE user_emails ADD COLUMN value_fold TEXT;
    UPDATE user_emails SET value_fold = scim_fold(value);
    CREATE INDEX user_emails_org_value_fold ON user_emails(org_id, value_fold);
    DROP INDEX user_emails_org_value;
  `,
});

MIGRATIONS_EXTRA.push({
  version: 10,
  name: "each organization's member count, kept by triggers",
  // An unfiltered list answers totalResults; count(*) walked the organization's member index
  // (most of a deep page's cost in a large organization). The count of users that are not
  // independent (the ones SCIM lists) is kept here by triggers, in the writer's transaction.
  sql: `
    CREATE TABLE org_member_counts (org_id TEXT PRIMARY KEY, members INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO org_member_counts (org_id, members) SELECT org_id, count(*) FROM users WHERE status <> 'independent' GROUP BY org_id;
    CREATE TRIGGER users_count_insert AFTER INSERT ON users WHEN NEW.status <> 'independent'
      BEGIN
        INSERT INTO org_member_counts (org_id, members) VALUES (NEW.org_id, 1)
          ON CONFLICT (org_id) DO UPDATE SET members = members + 1;
      END;
    CREATE TRIGGER users_count_delete AFTER DELETE ON users WHEN OLD.status <> 'independent'
      BEGIN
        UPDATE org_member_counts SET members = members - 1 WHERE org_id = OLD.org_id;
      END;
    CREATE TRIGGER users_count_update AFTER UPDATE OF status, org_id ON users
      WHEN (OLD.status <> 'independent') <> (NEW.status <> 'independent') OR OLD.org_id <> NEW.org_id
      BEGIN
        UPDATE org_member_counts SET members = members - 1 WHERE org_id = OLD.org_id AND OLD.status <> 'independent';
        INSERT INTO org_member_counts (org_id, members) SELECT NEW.org_id, 1 WHERE NEW.status <> 'independent'
          ON CONFLICT (org_id) DO UPDATE SET members = members + 1;
      END;
  `,
});

MIGRATIONS_EXTRA.push({
  version: 11,
  name: "names unique as the rest of orgscim folds case, NUL included",
  // users_org_user_name (NOCASE) duplicated users_org_user_name_fold and was wrong besides: NOCASE
  // stops comparing at a NUL, so "a\0b" and "A\0C" clashed. Group names were unique under NOCASE,
  // which folds ASCII only ("Équipe" and "équipe" passed, MongoDB refused them): display_name_fold
  // holds JavaScript's toLowerCase, as user_name_fold does.
  precheck: (db) => {
    const clash = db.prepare(`SELECT org_id, group_concat(id, ', ') AS ids, group_concat(display_name, ' / ') AS names FROM groups
      GROUP BY org_id, scim_fold(display_name) HAVING count(*) > 1 LIMIT 5`).all() as { org_id: string; ids: string; names: string }[];
    if (clash.length === 0) return null;
    return `groups whose names differ only in case would share a name: ${clash.map((c) => `organization ${c.org_id}: ${c.ids} (${c.names})`).join("; ")}. `
      + "Rename all but one of each (PATCH /scim/v2/Groups/<id> displayName) with the previous release, then start this one.";
  },
  sql: `
    DROP INDEX users_org_user_name;
    ALTER TABLE groups ADD COLUMN display_name_fold TEXT;
    UPDATE groups SET display_name_fold = scim_fold(display_name);
    CREATE UNIQUE INDEX groups_org_display_name_fold ON groups(org_id, display_name_fold);
    DROP INDEX groups_org_display_name;
  `,
});

MIGRATIONS_EXTRA.push({
  version: 12,
  name: "tokens record who made them and their ceiling",
  // A token carries at most the rights of whoever made it (src/domain/policy/principal.ts). Tokens
  // made before this through /v1/Tokens left a token.create audit event naming the maker
  // ("TK..." or "TK.../US..."): they get that maker and an Administrator's ceiling (an Owner or an
  // Administrator made them; which, the log does not say). Tokens without such an event were made
  // by the operator (the CLI, the bootstrap): ceiling Owner. A token acting for a user that someone
  // else made through /v1 is what issue 13 found (an Administrator acting as the Owner): only the
  // user themself or the operator makes those now, so they are revoked, each with an audit event.
  sql: `
    ALTER TABLE api_tokens ADD COLUMN created_by TEXT;
    ALTER TABLE api_tokens ADD COLUMN creator_user_id TEXT;
    ALTER TABLE api_tokens ADD COLUMN ceiling TEXT;
    UPDATE api_tokens SET created_by = (
      SELECT substr(a.actor, 1, 34) FROM audit_events a
      WHERE a.org_id = api_tokens.org_id AND a.action = 'token.create' AND a.outcome = 'success' AND a.target_id = api_tokens.id
      ORDER BY a.seq LIMIT 1);
    UPDATE api_tokens SET creator_user_id = (
      SELECT CASE WHEN length(a.actor) >= 69 THEN substr(a.actor, 36, 34) END FROM audit_events a
      WHERE a.org_id = api_tokens.org_id AND a.action = 'token.create' AND a.outcome = 'success' AND a.target_id = api_tokens.id
      ORDER BY a.seq LIMIT 1)
    WHERE created_by IS NOT NULL;
    UPDATE api_tokens SET creator_user_id = (SELECT m.creator_user_id FROM api_tokens m WHERE m.id = api_tokens.created_by)
    WHERE created_by IS NOT NULL AND creator_user_id IS NULL;
    UPDATE api_tokens SET ceiling = CASE WHEN created_by IS NULL THEN 'owner' ELSE 'administrator' END;
    UPDATE api_tokens SET created_by = 'operator' WHERE created_by IS NULL;
    INSERT INTO audit_events (id, org_id, time, actor, action, target_type, target_id, outcome, before, after, reason)
      SELECT 'AE' || lower(hex(randomblob(16))), org_id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'system:migration-12', 'token.revoke', 'Token', id,
        'success', json_object('userId', user_id, 'createdBy', created_by, 'creatorUserId', creator_user_id), NULL,
        'A token acting for a user is made only by that user or the operator; this one was made by another token through /v1/Tokens.'
      FROM api_tokens
      WHERE revoked IS NULL AND user_id IS NOT NULL AND created_by <> 'operator' AND (creator_user_id IS NULL OR creator_user_id <> user_id);
    UPDATE api_tokens SET revoked = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
      WHERE revoked IS NULL AND user_id IS NOT NULL AND created_by <> 'operator' AND (creator_user_id IS NULL OR creator_user_id <> user_id);
  `,
});


MIGRATIONS_EXTRA.push({
  version: 13,
  name: "a domain name has one verified owner; pending claims do not block one another",
  // A domain name was unique among every organization's live claims, so an unverified claim
  // blocked the real owner. Now several organizations may claim a name; the store keeps it
  // unique among verified (and revalidating) domains only, the owners, and once per organization.
  sql: `
    DROP INDEX domains_name;
    CREATE UNIQUE INDEX domains_owner ON domains(name COLLATE NOCASE) WHERE state IN ('verified', 'revalidating');
    CREATE UNIQUE INDEX domains_org_name ON domains(org_id, name COLLATE NOCASE) WHERE state <> 'removed';
    CREATE INDEX domains_name_any ON domains(name COLLATE NOCASE);
  `,
});

MIGRATIONS_EXTRA.push({
  version: 14,
  name: "server secrets",
  // Secrets every instance shares, such as the key that seals page tokens (src/domain/page-tokens.ts).
  sql: `CREATE TABLE server_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;`,
});

MIGRATIONS_EXTRA.push({
  version: 15,
  name: "imported audit history marked",
  // Audit events an import copied from another store or file carry when and from where (JSON);
  // the live log (GET /v1/AuditEvents) lists the others only.
  sql: "ALTER TABLE audit_events ADD COLUMN imported TEXT;",
});

MIGRATIONS_EXTRA.push({
  version: 16,
  name: "audit search from indexes",
  // GET /v1/AuditEvents filters by action, target, outcome and time range, newest first by
  // (time, seq): one index per filter, each ending in (time, seq), so any page at any depth reads
  // its own rows (a filter used to read the newest events in batches and stop after 4,000).
  sql: `
    CREATE INDEX audit_events_org_time ON audit_events(org_id, time, seq);
    CREATE INDEX audit_events_org_action_time ON audit_events(org_id, action, time, seq);
    CREATE INDEX audit_events_org_target_time ON audit_events(org_id, target_id, time, seq);
    CREATE INDEX audit_events_org_outcome_time ON audit_events(org_id, outcome, time, seq);
  `,
});

/** The latest schema version this orgscim writes. */
export function latestSchemaVersion(): number {
  return Math.max(...[...MIGRATIONS, ...MIGRATIONS_EXTRA].map((m) => m.version));
}

/**
 * The store holds migrations this orgscim does not know: a newer orgscim wrote it. Opening it
 * would let old code write rows without what the newer schema keeps (triggers, folded columns), so
 * the store is refused, unchanged.
 */
export class NewerSchemaError extends Error {
  constructor(readonly storeVersion: number, readonly knownVersion: number, readonly unknown: number[]) {
    super(
      `This SQLite store was written by a newer orgscim: it has schema migration(s) ${unknown.join(", ")}, and this ` +
      `orgscim knows migrations up to ${knownVersion}. Downgrading is not supported. Run the newer orgscim again, or ` +
      "restore a backup taken before the upgrade (README: Upgrades). The store was not changed.",
    );
    this.name = "NewerSchemaError";
  }
}

/** Applies the migrations the database has not seen yet, in version order; answers the versions applied. */
export function migrate(db: Database.Database): number[] {
  // For backfills only: never used in an index or a trigger, so other tools can write the file.
  db.function("scim_fold", { deterministic: true }, (s: unknown) => (typeof s === "string" ? foldCase(s) : s));
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  const done = new Set(
    (db.prepare("SELECT version FROM schema_migrations").all() as { version: number }[]).map((r) => r.version),
  );
  const known = [...MIGRATIONS, ...MIGRATIONS_EXTRA].sort((a, b) => a.version - b.version);
  const newer = [...done].filter((v) => !known.some((m) => m.version === v)).sort((a, b) => a - b);
  if (newer.length > 0) throw new NewerSchemaError(Math.max(...done), known[known.length - 1]!.version, newer);
  const applied: number[] = [];
  for (const m of known) {
    if (done.has(m.version)) continue;
    const ran = db.transaction(() => {
      // Read again under the write lock: another process opening the same file may have applied it meanwhile.
      if (db.prepare("SELECT 1 FROM schema_migrations WHERE version = ?").get(m.version) !== undefined) return false;
      const refused = m.precheck?.(db) ?? null;
      if (refused !== null) throw new MigrationRefused(m.version, refused);
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        m.version, m.name, new Date().toISOString(),
      );
      return true;
    }).immediate();
    if (ran) applied.push(m.version);
  }
  return applied;
}
