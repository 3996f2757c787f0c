/** The outbox on SQLite: one row a mail (src/domain/outbox.ts). */
import type Database from "better-sqlite3";
import type { OutboxRepo } from "../../domain/ports/store";
import type { OutboxMessage } from "../../domain/types";
import { guard } from "./errors";

interface OutboxRow {
  id: string; org_id: string | null; kind: OutboxMessage["kind"]; ref: string | null; recipient: string; subject: string;
  body: string | null; status: OutboxMessage["status"]; created: string; sent_at: string | null; attempts: number;
  last_error: string | null; next_attempt_at: string;
}

const toMessage = (r: OutboxRow): OutboxMessage => ({
  id: r.id, orgId: r.org_id, kind: r.kind, ref: r.ref, to: r.recipient, subject: r.subject, text: r.body, status: r.status,
  created: r.created, sentAt: r.sent_at, attempts: r.attempts, lastError: r.last_error, nextAttemptAt: r.next_attempt_at,
});

export function sqliteOutbox(db: Database.Database): OutboxRepo {
  const s = {
    insert: db.prepare(`INSERT INTO outbox (id, org_id, kind, ref, recipient, subject, body, status, created, sent_at, attempts, last_error, next_attempt_at)
      VALUES (@id, @org_id, @kind, @ref, @recipient, @subject, @body, @status, @created, @sent_at, @attempts, @last_error, @next_attempt_at)`),
    get: db.prepare("SELECT * FROM outbox WHERE id = ? AND org_id IS ?"),
    due: db.prepare("SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT ?"),
    update: db.prepare(`UPDATE outbox SET body = @body, status = @status, sent_at = @sent_at, attempts = @attempts, last_error = @last_error,
      next_attempt_at = @next_attempt_at WHERE id = @id AND attempts = @expected AND status = 'pending'`),
    cancel: db.prepare("UPDATE outbox SET status = 'cancelled', body = NULL WHERE ref = ? AND org_id = ? AND status = 'pending'"),
    // On the outbox_due index (status, next_attempt_at): the count reads index entries, no rows.
    countPending: db.prepare("SELECT count(*) FROM (SELECT 1 FROM outbox WHERE status = 'pending' LIMIT ?)").pluck(),
  };
  const params = (m: OutboxMessage) => ({
    id: m.id, org_id: m.orgId, kind: m.kind, ref: m.ref, recipient: m.to, subject: m.subject, body: m.text, status: m.status,
    created: m.created, sent_at: m.sentAt, attempts: m.attempts, last_error: m.lastError, next_attempt_at: m.nextAttemptAt,
  });
  return {
    insert: async (m) => guard(() => void s.insert.run(params(m))),
    get: async (orgId, id) => guard(() => {
      const r = s.get.get(id, orgId) as OutboxRow | undefined;
      return r ? toMessage(r) : null;
    }),
    listDue: async (now, limit) => guard(() => (s.due.all(now, limit) as OutboxRow[]).map(toMessage)),
    update: async (m, expected) => guard(() => s.update.run({ ...params(m), expected }).changes === 1),
    list: async (q) => guard(() => {
      const where: string[] = [];
      const args: unknown[] = [];
      if (q.orgId !== undefined) { where.push("org_id = ?"); args.push(q.orgId); }
      if (q.ref !== undefined) { where.push("ref = ?"); args.push(q.ref); }
      if (q.status !== undefined) { where.push("status = ?"); args.push(q.status); }
      const sql = `SELECT * FROM outbox ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT ? OFFSET ?`;
      return (db.prepare(sql).all(...args, q.limit, q.offset ?? 0) as OutboxRow[]).map(toMessage);
    }),
    cancelPending: async (orgId, ref) => guard(() => s.cancel.run(ref, orgId).changes),
    countPending: async (cap) => guard(() => (cap <= 0 ? 0 : (s.countPending.get(cap) as number))),
  };
}
