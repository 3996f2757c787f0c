/** SQLite schema migration 1: the tables and indexes of the first release (./migrations.ts runs it). */
import type { Migration } from "./migration";

export const SCHEMA_V1: Migration = {
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
};
