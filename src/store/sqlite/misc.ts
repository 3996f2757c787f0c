/** Domains, invitations and the audit log on SQLite. */
import type Database from "better-sqlite3";
import type { AuditListQuery, AuditRepo, DomainRepo, InvitationRepo } from "../../domain/ports/store";
import type { AccountRole, AuditEvent, Domain, ImportedMark, Invitation, InvitationState, MemberStatus, OrgRole } from "../../domain/types";
import { guard } from "./errors";

interface DomainRow { id: string; org_id: string; name: string; state: Domain["state"]; challenge: string; created: string; verified_at: string | null; revalidating_since: string | null }
const toDomain = (r: DomainRow): Domain => ({
  id: r.id, orgId: r.org_id, name: r.name, state: r.state, challenge: r.challenge, created: r.created, verifiedAt: r.verified_at,
  revalidatingSince: r.revalidating_since ?? null,
});

export function sqliteDomains(db: Database.Database): DomainRepo {
  const s = {
    insert: db.prepare("INSERT INTO domains (id, org_id, name, state, challenge, created, verified_at, revalidating_since) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
    list: db.prepare("SELECT * FROM domains WHERE org_id = ? AND state <> 'removed' ORDER BY name"),
    owner: db.prepare("SELECT * FROM domains WHERE name = ? COLLATE NOCASE AND state IN ('verified', 'revalidating')"),
    byName: db.prepare("SELECT * FROM domains WHERE name = ? COLLATE NOCASE AND state <> 'removed' ORDER BY created, id"),
    get: db.prepare("SELECT * FROM domains WHERE id = ? AND org_id = ?"),
    update: db.prepare("UPDATE domains SET state = ?, challenge = ?, verified_at = ?, revalidating_since = ? WHERE id = ? AND org_id = ?"),
    forRecheck: db.prepare("SELECT * FROM domains WHERE state IN ('pending', 'verified', 'revalidating') AND id > ? ORDER BY id LIMIT ?"),
  };
  return {
    insert: async (d) => guard(() => void s.insert.run(d.id, d.orgId, d.name, d.state, d.challenge, d.created, d.verifiedAt, d.revalidatingSince ?? null)),
    list: async (orgId) => guard(() => (s.list.all(orgId) as DomainRow[]).map(toDomain)),
    findOwner: async (name) => guard(() => {
      const r = s.owner.get(name) as DomainRow | undefined;
      return r ? toDomain(r) : null;
    }),
    listByName: async (name) => guard(() => (s.byName.all(name) as DomainRow[]).map(toDomain)),
    get: async (orgId, id) => guard(() => {
      const r = s.get.get(id, orgId) as DomainRow | undefined;
      return r ? toDomain(r) : null;
    }),
    update: async (d) => guard(() => s.update.run(d.state, d.challenge, d.verifiedAt, d.revalidatingSince ?? null, d.id, d.orgId).changes === 1),
    listForRecheck: async (after, limit) => guard(() => (s.forRecheck.all(after ?? "", limit) as DomainRow[]).map(toDomain)),
  };
}

interface InvitationRow {
  id: string; org_id: string; user_id: string; email: string; token_hash: string; expires: string; created: string;
  accepted_at: string | null; revoked_at: string | null; kind: Invitation["kind"] | null; org_role: OrgRole | null;
  account_id: string | null; account_roles: string | null; created_member: number | null; new_login: number | null;
  prior_status: MemberStatus | null;
  invited_by: string | null;
}
const toInvitation = (r: InvitationRow): Invitation => {
  const i: Invitation = {
    id: r.id, orgId: r.org_id, userId: r.user_id, email: r.email, tokenHash: r.token_hash, expires: r.expires,
    created: r.created, acceptedAt: r.accepted_at, revokedAt: r.revoked_at,
  };
  // Invitations written before the /v1 fields existed have none of them (see Invitation).
  if (r.kind !== null) {
    i.kind = r.kind;
    i.orgRole = r.org_role;
    i.accountId = r.account_id;
    i.accountRoles = r.account_roles ? (JSON.parse(r.account_roles) as AccountRole[]) : [];
    i.createdMember = r.created_member === 1;
    i.newLogin = r.new_login === 1;
    i.priorStatus = r.prior_status;
  }
  if (r.invited_by !== null) i.invitedBy = r.invited_by;
  return i;
};
const invitationParams = (i: Invitation) => ({
  id: i.id, org_id: i.orgId, user_id: i.userId, email: i.email, token_hash: i.tokenHash, expires: i.expires, created: i.created,
  accepted_at: i.acceptedAt, revoked_at: i.revokedAt, kind: i.kind ?? null, org_role: i.orgRole ?? null, account_id: i.accountId ?? null,
  account_roles: i.kind ? JSON.stringify(i.accountRoles ?? []) : null,
  created_member: i.kind ? (i.createdMember ? 1 : 0) : null, new_login: i.kind ? (i.newLogin ? 1 : 0) : null, prior_status: i.priorStatus ?? null,
  invited_by: i.invitedBy ?? null,
});

/** SQL conditions of an invitation's state at `now` (ISO strings compare in time order). */
const STATE_SQL: Record<InvitationState, string> = {
  pending: "accepted_at IS NULL AND revoked_at IS NULL AND expires > @now",
  accepted: "accepted_at IS NOT NULL",
  revoked: "accepted_at IS NULL AND revoked_at IS NOT NULL",
  expired: "accepted_at IS NULL AND revoked_at IS NULL AND expires <= @now",
};

export function sqliteInvitations(db: Database.Database): InvitationRepo {
  const s = {
    insert: db.prepare(`INSERT INTO invitations (id, org_id, user_id, email, token_hash, expires, created, accepted_at, revoked_at,
      kind, org_role, account_id, account_roles, created_member, new_login, prior_status, invited_by)
      VALUES (@id, @org_id, @user_id, @email, @token_hash, @expires, @created, @accepted_at, @revoked_at,
      @kind, @org_role, @account_id, @account_roles, @created_member, @new_login, @prior_status, @invited_by)`),
    get: db.prepare("SELECT * FROM invitations WHERE org_id = ? AND id = ?"),
    forUser: db.prepare("SELECT * FROM invitations WHERE org_id = ? AND user_id = ? ORDER BY created"),
    byHash: db.prepare("SELECT * FROM invitations WHERE token_hash = ?"),
    update: db.prepare(`UPDATE invitations SET email = @email, token_hash = @token_hash, expires = @expires, accepted_at = @accepted_at,
      revoked_at = @revoked_at, kind = @kind, org_role = @org_role, account_id = @account_id, account_roles = @account_roles,
      created_member = @created_member, new_login = @new_login, prior_status = @prior_status, invited_by = @invited_by
      WHERE org_id = @org_id AND id = @id AND token_hash = @expected AND accepted_at IS NULL AND revoked_at IS NULL`),
  };
  return {
    insert: async (i) => guard(() => void s.insert.run(invitationParams(i))),
    get: async (orgId, id) => guard(() => {
      const r = s.get.get(orgId, id) as InvitationRow | undefined;
      return r ? toInvitation(r) : null;
    }),
    listForUser: async (orgId, userId) => guard(() => (s.forUser.all(orgId, userId) as InvitationRow[]).map(toInvitation)),
    findByTokenHash: async (hash) => guard(() => {
      const r = s.byHash.get(hash) as InvitationRow | undefined;
      return r ? toInvitation(r) : null;
    }),
    update: async (i, expected) => guard(() => s.update.run({ ...invitationParams(i), expected }).changes === 1),
    list: async (orgId, q) => guard(() => {
      const where = `org_id = @org${q.state ? ` AND ${STATE_SQL[q.state]}` : ""}`;
      const args = { org: orgId, ...(q.state ? { now: q.now } : {}) };
      const total = db.prepare(`SELECT count(*) FROM invitations WHERE ${where}`).pluck().get(args) as number;
      const rows = db.prepare(`SELECT * FROM invitations WHERE ${where} ORDER BY created, id LIMIT @limit OFFSET @offset`)
        .all({ ...args, limit: q.limit, offset: q.offset }) as InvitationRow[];
      return { total, items: rows.map(toInvitation) };
    }),
  };
}

interface AuditRow {
  id: string; org_id: string; time: string; actor: string; action: string; target_type: string; target_id: string | null; outcome: AuditEvent["outcome"];
  before: string | null; after: string | null; reason: string | null; imported: string | null; seq: number;
}
const toEvent = (r: AuditRow): AuditEvent => {
  const e: AuditEvent = {
    id: r.id, orgId: r.org_id, time: r.time, actor: r.actor, action: r.action, targetType: r.target_type,
    targetId: r.target_id, outcome: r.outcome,
    before: r.before === null ? null : JSON.parse(r.before), after: r.after === null ? null : JSON.parse(r.after),
  };
  if (r.reason !== null) e.reason = r.reason;
  if (r.imported !== null) e.imported = JSON.parse(r.imported) as ImportedMark;
  return e;
};

interface AuditRef { t: number; seq: number }

/**
 * The column the audit indexes order by (migration 28): an event's time in milliseconds since 1970, 8 bytes at most
 * where the ISO text took 24. Every time this store writes is toISOString's, whose text order is this order; a time
 * an import brought in another form of ISO 8601 sorts by its instant. 0 for a text that is no time (none is written).
 */
export const auditTimeMs = (time: unknown): number => {
  const ms = typeof time === "string" ? Date.parse(time) : Number.NaN;
  return Number.isNaN(ms) ? 0 : ms;
};

/** The SELECT of an audit list (exported for the query-plan test): filters, the cursor after `ref`, newest first by (t, seq). */
export function auditListSql(orgId: string, q: AuditListQuery, ref?: AuditRef): { sql: string; params: unknown[] } {
  // The indexes lead with the organization's number (migration 27); org_id, in the row, is matched too.
  const where = ["org = (SELECT n FROM audit_orgs WHERE org_id = ?)", "org_id = ?"];
  const params: unknown[] = [orgId, orgId];
  if (ref) { where.push("(t, seq) < (?, ?)"); params.push(ref.t, ref.seq); }
  if (q.action !== undefined) { where.push("action = ?"); params.push(q.action); }
  if (q.targetId !== undefined) { where.push("target_id = ?"); params.push(q.targetId); }
  // A literal, so that the planner may take the index of the refusals only (partial: WHERE outcome = 'refused').
  if (q.outcome !== undefined) where.push(q.outcome === "refused" ? "outcome = 'refused'" : "outcome = 'success'");
  if (q.actorUser !== undefined) { where.push("actor_user = ?"); params.push(q.actorUser); }
  if (q.actorCredential !== undefined) { where.push("actor_credential = ?"); params.push(q.actorCredential); }
  if (q.from !== undefined) { where.push("t >= ?"); params.push(auditTimeMs(q.from)); }
  if (q.to !== undefined) { where.push("t < ?"); params.push(auditTimeMs(q.to)); }
  if (q.imported !== undefined) where.push(q.imported ? "imported IS NOT NULL" : "imported IS NULL");
  params.push(q.limit);
  // (org, X, t, seq) answers X = ? and the time range in one range, so with X given it is never
  // worse than (org, t, seq); the planner, judging by averages, took the time index for a rare
  // outcome with a time range. A target is the most selective, then an actor (a user, then a
  // credential), then an action, then a refusal (an index of the refusals only, migration 26). A
  // success is nearly every event: (org, t, seq) answers it, skipping the refusals between.
  const index = q.targetId !== undefined ? "audit_events_org_target_time"
    : q.actorUser !== undefined ? "audit_events_org_actor_user_time" : q.actorCredential !== undefined ? "audit_events_org_actor_credential_time"
      : q.action !== undefined ? "audit_events_org_action_time" : q.outcome === "refused" ? "audit_events_org_refused_time" : "audit_events_org_time";
  return { sql: `SELECT * FROM audit_events INDEXED BY ${index} WHERE ${where.join(" AND ")} ORDER BY t DESC, seq DESC LIMIT ?`, params };
}

/** How a cursor's event is found (exported for the query-plan test), each from one index. */
export const AUDIT_REF_SQL = {
  // A position is the event's seq (its rowid): one lookup in the table itself.
  at: "SELECT t, seq FROM audit_events WHERE seq = ? AND org_id = ?",
  // An event id: page tokens issued before migration 28 name one, and audit_ids_27 holds every event of then.
  byOldId: "SELECT e.t, e.seq FROM audit_ids_27 i JOIN audit_events e ON e.seq = i.seq WHERE i.id = ? AND e.org_id = ?",
};

export function sqliteAudit(db: Database.Database): AuditRepo {
  const s = {
    // The organization's number comes from audit_orgs in the same statement: no row is inserted while it has none.
    append: db.prepare(`INSERT INTO audit_events (id, org, org_id, time, t, actor, action, target_type, target_id, outcome, before, after, reason, imported)
      SELECT ?, n, org_id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM audit_orgs WHERE org_id = ?`),
    number: db.prepare("INSERT OR IGNORE INTO audit_orgs (org_id) VALUES (?)"),
    at: db.prepare(AUDIT_REF_SQL.at),
    byOldId: db.prepare(AUDIT_REF_SQL.byOldId),
    // No index holds the ids of events recorded since migration 28: found by a scan (callers that name
    // ids rather than positions: tests, and the store contract).
    byId: db.prepare("SELECT t, seq FROM audit_events WHERE id = ? AND org_id = ?"),
  };
  /** The organization's event a query lists after (`after`, else `before`); null: none of its events, so nothing follows. */
  const refOf = (orgId: string, q: AuditListQuery): AuditRef | null | undefined => {
    if (q.after !== undefined) return /^[1-9][0-9]{0,15}$/.test(q.after) ? (s.at.get(Number(q.after), orgId) as AuditRef | undefined) ?? null : null;
    if (q.before) return (s.byOldId.get(q.before, orgId) ?? s.byId.get(q.before, orgId)) as AuditRef | undefined ?? null;
    return undefined;
  };
  // Newest first by (t, seq); each filter has an index ending in (t, seq) (migrations 16, 21, 26, 28), so
  // a page reads its own rows only, however deep it is (Outcome=success alone: its rows and the refusals between).
  const rowsOf = (orgId: string, q: AuditListQuery): AuditRow[] => {
    if (q.limit <= 0) return [];
    // The event named is looked for in the organization only: another's is "not found" (nothing after it).
    const ref = refOf(orgId, q);
    if (ref === null) return [];
    const { sql, params } = auditListSql(orgId, q, ref);
    return db.prepare(sql).all(...params) as AuditRow[];
  };
  return {
    append: async (e) => guard(() => {
      const args = [
        e.id, e.time, auditTimeMs(e.time), e.actor, e.action, e.targetType, e.targetId, e.outcome,
        e.before === null || e.before === undefined ? null : JSON.stringify(e.before),
        e.after === null || e.after === undefined ? null : JSON.stringify(e.after),
        e.reason ?? null,
        e.imported ? JSON.stringify({ at: e.imported.at, from: e.imported.from }) : null,
        e.orgId,
      ];
      if (s.append.run(...args).changes === 1) return;
      // The organization's first event: number it (in this transaction: undone with it), then append.
      s.number.run(e.orgId);
      if (s.append.run(...args).changes !== 1) throw new Error(`audit event ${e.id}: organization ${e.orgId} has no number`);
    }),
    list: async (orgId, q) => guard(() => rowsOf(orgId, q).map(toEvent)),
    page: async (orgId, q) => guard(() => {
      const rows = rowsOf(orgId, q);
      return { events: rows.map(toEvent), positions: rows.map((r) => String(r.seq)) };
    }),
  };
}
