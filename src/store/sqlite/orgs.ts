/** Organizations and API tokens on SQLite. */
import type Database from "better-sqlite3";
import type { OrgRepo, TokenRepo } from "../../domain/ports/store";
import { DEFAULT_ORG_SETTINGS, type ApiToken, type Organization, type OrgRole, type Scope, type TokenKind } from "../../domain/types";
import { guard } from "./errors";

interface OrgRow { id: string; name: string; settings: string; created: string; last_modified: string }
interface TokenRow {
  id: string; org_id: string; name: string; scopes: string; secret_hash: string; user_id: string | null; created: string; revoked: string | null;
  created_by: string | null; creator_user_id: string | null; ceiling: string | null;
  kind: string | null; expires: string | null; audience: string | null;
}

const toOrg = (r: OrgRow): Organization => ({
  id: r.id,
  name: r.name,
  settings: { ...DEFAULT_ORG_SETTINGS, ...(JSON.parse(r.settings) as object) },
  created: r.created,
  lastModified: r.last_modified,
});

const toToken = (r: TokenRow): ApiToken => ({
  id: r.id,
  orgId: r.org_id,
  name: r.name,
  scopes: JSON.parse(r.scopes) as Scope[],
  secretHash: r.secret_hash,
  userId: r.user_id,
  created: r.created,
  revoked: r.revoked,
  createdBy: r.created_by,
  creatorUserId: r.creator_user_id,
  ceiling: r.ceiling as OrgRole | null,
  // Absent rather than null when unset: a static token without expiry reads as it was written.
  ...(r.kind ? { kind: r.kind as TokenKind } : {}),
  ...(r.expires ? { expires: r.expires } : {}),
  ...(r.audience ? { audience: r.audience } : {}),
});

export function sqliteOrgs(db: Database.Database): OrgRepo {
  const s = {
    insert: db.prepare("INSERT INTO organizations (id, name, settings, created, last_modified) VALUES (?, ?, ?, ?, ?)"),
    get: db.prepare("SELECT * FROM organizations WHERE id = ?"),
    list: db.prepare("SELECT * FROM organizations ORDER BY created, id"),
    update: db.prepare("UPDATE organizations SET name = ?, settings = ?, last_modified = ? WHERE id = ?"),
  };
  return {
    insert: async (o) => guard(() => void s.insert.run(o.id, o.name, JSON.stringify(o.settings), o.created, o.lastModified)),
    get: async (id) => guard(() => {
      const r = s.get.get(id) as OrgRow | undefined;
      return r ? toOrg(r) : null;
    }),
    list: async () => guard(() => (s.list.all() as OrgRow[]).map(toOrg)),
    update: async (o) => guard(() => s.update.run(o.name, JSON.stringify(o.settings), o.lastModified, o.id).changes === 1),
  };
}

export function sqliteTokens(db: Database.Database): TokenRepo {
  const s = {
    insert: db.prepare(`INSERT INTO api_tokens (id, org_id, name, scopes, secret_hash, user_id, created, revoked, created_by, creator_user_id, ceiling,
        kind, expires, audience) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    get: db.prepare("SELECT * FROM api_tokens WHERE id = ?"),
    list: db.prepare("SELECT * FROM api_tokens WHERE org_id = ? ORDER BY created, id"),
    revoke: db.prepare("UPDATE api_tokens SET revoked = ? WHERE org_id = ? AND id = ? AND revoked IS NULL"),
    expireBy: db.prepare("UPDATE api_tokens SET expires = CASE WHEN expires IS NOT NULL AND expires < @at THEN expires ELSE @at END WHERE org_id = @org AND id = @id AND revoked IS NULL"),
    purge: db.prepare("DELETE FROM api_tokens WHERE org_id = ? AND created_by = ? AND kind = 'access' AND expires < ?"),
    recordUse: db.prepare(`INSERT INTO token_uses (token_id, org_id, last_used, last_address) VALUES (?, ?, ?, ?)
      ON CONFLICT (token_id) DO UPDATE SET last_used = excluded.last_used, last_address = excluded.last_address WHERE excluded.last_used > last_used`),
    listUses: db.prepare("SELECT token_id, last_used, last_address FROM token_uses WHERE org_id = ?"),
  };
  return {
    insert: async (t) => guard(() => void s.insert.run(
      t.id, t.orgId, t.name, JSON.stringify(t.scopes), t.secretHash, t.userId, t.created, t.revoked, t.createdBy ?? null, t.creatorUserId ?? null, t.ceiling ?? null,
      t.kind ?? null, t.expires ?? null, t.audience ?? null,
    )),
    get: async (id) => guard(() => {
      const r = s.get.get(id) as TokenRow | undefined;
      return r ? toToken(r) : null;
    }),
    list: async (orgId) => guard(() => (s.list.all(orgId) as TokenRow[]).map(toToken)),
    revoke: async (orgId, id, at) => guard(() => s.revoke.run(at, orgId, id).changes === 1),
    expireBy: async (orgId, id, at) => guard(() => s.expireBy.run({ org: orgId, id, at }).changes === 1),
    purgeExpiredAccess: async (orgId, clientId, before) => guard(() => s.purge.run(orgId, clientId, before).changes),
    recordUse: async (orgId, id, at, address) => guard(() => void s.recordUse.run(id, orgId, at, address)),
    listUses: async (orgId) => guard(() => new Map((s.listUses.all(orgId) as { token_id: string; last_used: string; last_address: string }[])
      .map((r) => [r.token_id, { at: r.last_used, address: r.last_address }]))),
  };
}
