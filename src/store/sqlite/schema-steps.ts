/**
 * SQLite schema migrations after the first, in version order (./migrations.ts runs them). Never
 * edit one that has shipped: add the next. Version 4 was never used (./migrations.ts HISTORIC_GAPS).
 */
import type { Migration } from "./migration";

export const SCHEMA_STEPS: readonly Migration[] = [
  {
    version: 2,
    name: "domain re-validation: when the DNS token stopped being found",
    sql: `
      ALTER TABLE domains ADD COLUMN revalidating_since TEXT;
    `,
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
    version: 7,
    name: "organization members in insertion order, for deep pages",
    // Pages (startIndex and cursor) list an organization's non-independent users in seq order:
    // users_org_status has status between org_id and seq, so that order cost a sort of the whole
    // organization on every page (figures: bench/README.md).
    sql: `
      CREATE INDEX users_org_member_seq ON users(org_id, seq) WHERE status <> 'independent';
    `,
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
    version: 14,
    name: "server secrets",
    // Secrets every instance shares, such as the key that seals page tokens (src/domain/page-tokens.ts).
    sql: `CREATE TABLE server_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;`,
  },
  {
    version: 15,
    name: "imported audit history marked",
    // Audit events an import copied from another store or file carry when and from where (JSON);
    // the live log (GET /v1/AuditEvents) lists the others only.
    sql: "ALTER TABLE audit_events ADD COLUMN imported TEXT;",
  },
  {
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
  },
  {
    version: 17,
    name: "invitations record who sent them",
    // The token (or `operator`) that sent or last resent an invitation: accepting grants only what
    // it may still grant (src/domain/invitations.ts). NULL on invitations written before.
    sql: "ALTER TABLE invitations ADD COLUMN invited_by TEXT;",
  },
  {
    version: 18,
    name: "memberships have an id and a created time (the GroupMember resource)",
    // A membership is a resource of its own (/GroupMembers, draft-zollner-scim-group-members): an
    // id never given to another membership, and when it was made. Rows made before this migration
    // get a random id of the same shape as src/domain/ids.ts newId("GM") and, for a created time,
    // the later of the group's and the user's (the membership cannot be older than either).
    // Every list of memberships is one range of an index ending in id: the organization's, a
    // group's, a user's (this last one replaces group_members_user, which it extends).
    sql: `
      ALTER TABLE group_members ADD COLUMN id TEXT;
      ALTER TABLE group_members ADD COLUMN created TEXT;
      UPDATE group_members SET id = 'GM' || lower(hex(randomblob(16))),
        created = (SELECT max(g.created, u.created) FROM groups g, users u WHERE g.seq = group_members.group_seq AND u.seq = group_members.user_seq);
      CREATE UNIQUE INDEX group_members_org_id ON group_members(org_id, id);
      CREATE INDEX group_members_group_id ON group_members(group_seq, id);
      DROP INDEX group_members_user;
      CREATE INDEX group_members_user_id ON group_members(user_seq, id);
    `,
  },
  {
    version: 19,
    name: "a version per organization of what its tokens may do",
    // The principal cache (src/http/principal-cache.ts) keeps what a token may do, and checks this
    // version on every use: these triggers raise it, in the writing transaction, whenever a row a
    // principal is resolved from changes (the list with reasons: ./principal-versions.ts), so a
    // revocation, suspension, removal or role change committed by any process is seen by the next
    // request of every process. Users and memberships count only when a token acts for or was
    // made by that user (two small partial indexes answer that).
    sql: `
      CREATE TABLE principal_versions (org_id TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX api_tokens_user ON api_tokens(user_id) WHERE user_id IS NOT NULL;
      CREATE INDEX api_tokens_creator_user ON api_tokens(creator_user_id) WHERE creator_user_id IS NOT NULL;
      CREATE TRIGGER principal_tokens_update AFTER UPDATE ON api_tokens
        BEGIN
          INSERT INTO principal_versions (org_id, version) VALUES (OLD.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET version = version + 1;
          INSERT INTO principal_versions (org_id, version) SELECT NEW.org_id, 1 WHERE NEW.org_id IS NOT OLD.org_id
            ON CONFLICT (org_id) DO UPDATE SET version = version + 1;
        END;
      CREATE TRIGGER principal_tokens_delete AFTER DELETE ON api_tokens
        BEGIN
          INSERT INTO principal_versions (org_id, version) VALUES (OLD.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET version = version + 1;
        END;
      CREATE TRIGGER principal_orgs_update AFTER UPDATE ON organizations
        BEGIN
          INSERT INTO principal_versions (org_id, version) VALUES (OLD.id, 1) ON CONFLICT (org_id) DO UPDATE SET version = version + 1;
        END;
      CREATE TRIGGER principal_users_update AFTER UPDATE OF status, active, org_role, org_id, id ON users
        WHEN (OLD.status IS NOT NEW.status OR OLD.active IS NOT NEW.active OR OLD.org_role IS NOT NEW.org_role
            OR OLD.org_id IS NOT NEW.org_id OR OLD.id IS NOT NEW.id)
          AND (EXISTS (SELECT 1 FROM api_tokens WHERE user_id = OLD.id) OR EXISTS (SELECT 1 FROM api_tokens WHERE creator_user_id = OLD.id))
        BEGIN
          INSERT INTO principal_versions (org_id, version) VALUES (OLD.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET version = version + 1;
        END;
      CREATE TRIGGER principal_users_delete AFTER DELETE ON users
        WHEN EXISTS (SELECT 1 FROM api_tokens WHERE user_id = OLD.id) OR EXISTS (SELECT 1 FROM api_tokens WHERE creator_user_id = OLD.id)
        BEGIN
          INSERT INTO principal_versions (org_id, version) VALUES (OLD.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET version = version + 1;
        END;
      CREATE TRIGGER principal_members_insert AFTER INSERT ON group_members
        WHEN (SELECT binding FROM groups WHERE seq = NEW.group_seq) IS NOT NULL
          AND (EXISTS (SELECT 1 FROM api_tokens WHERE user_id = NEW.user_id) OR EXISTS (SELECT 1 FROM api_tokens WHERE creator_user_id = NEW.user_id))
        BEGIN
          INSERT INTO principal_versions (org_id, version) VALUES (NEW.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET version = version + 1;
        END;
      CREATE TRIGGER principal_members_delete AFTER DELETE ON group_members
        WHEN (SELECT binding FROM groups WHERE seq = OLD.group_seq) IS NOT NULL
          AND (EXISTS (SELECT 1 FROM api_tokens WHERE user_id = OLD.user_id) OR EXISTS (SELECT 1 FROM api_tokens WHERE creator_user_id = OLD.user_id))
        BEGIN
          INSERT INTO principal_versions (org_id, version) VALUES (OLD.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET version = version + 1;
        END;
      CREATE TRIGGER principal_groups_update AFTER UPDATE OF binding, org_id ON groups
        WHEN OLD.binding IS NOT NEW.binding OR OLD.org_id IS NOT NEW.org_id
        BEGIN
          INSERT INTO principal_versions (org_id, version) VALUES (OLD.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET version = version + 1;
        END;
      CREATE TRIGGER principal_groups_delete AFTER DELETE ON groups
        WHEN OLD.binding IS NOT NULL
        BEGIN
          INSERT INTO principal_versions (org_id, version) VALUES (OLD.org_id, 1) ON CONFLICT (org_id) DO UPDATE SET version = version + 1;
        END;
    `,
  },
  {
    version: 20,
    name: "OAuth clients and access tokens; token expiry",
    // A row of api_tokens is a static token (kind NULL), an OAuth 2.0 client (kind 'client') or an
    // access token the token endpoint issued to one (kind 'access', created_by the client's id):
    // one table, so that one principal resolution (src/domain/tokens.ts) serves every credential.
    // expires: when it stops working (NULL: never, as every token made before); audience: the API
    // an access token was issued for (RFC 8707), NULL for either.
    sql: `
      ALTER TABLE api_tokens ADD COLUMN kind TEXT;
      ALTER TABLE api_tokens ADD COLUMN expires TEXT;
      ALTER TABLE api_tokens ADD COLUMN audience TEXT;
    `,
  },
  {
    version: 21,
    name: "audit search by actor",
    // GET /v1/AuditEvents?Actor=: the user an event's actor acted for (what follows its last "/"
    // when that is a user sid), or the credential that acted (the rest). Virtual columns computed
    // from actor (src/domain/audit.ts actorParts splits the same way; the store contract checks
    // both stores agree), so no row is rewritten and no writer changes; each has an index that
    // leads with the organization and ends in (time, seq), as the other filters' (migration 16).
    sql: `
      ALTER TABLE audit_events ADD COLUMN actor_user TEXT
        GENERATED ALWAYS AS (CASE WHEN substr(actor, -35, 3) = '/US' AND substr(actor, -32) NOT GLOB '*[^0-9a-f]*' THEN substr(actor, -34) END) VIRTUAL;
      ALTER TABLE audit_events ADD COLUMN actor_credential TEXT
        GENERATED ALWAYS AS (CASE WHEN substr(actor, -35, 3) = '/US' AND substr(actor, -32) NOT GLOB '*[^0-9a-f]*' THEN substr(actor, 1, length(actor) - 35) ELSE actor END) VIRTUAL;
      CREATE INDEX audit_events_org_actor_user_time ON audit_events(org_id, actor_user, time, seq);
      CREATE INDEX audit_events_org_actor_credential_time ON audit_events(org_id, actor_credential, time, seq);
    `,
  },
];
