/** SCIM event streams and their undelivered SETs on SQLite (src/domain/events*.ts; migration 22). */
import type Database from "better-sqlite3";
import type { EventStream, SecurityEventRecord } from "../../domain/events-model";
import type { EventRepo } from "../../domain/ports/store";
import { guard } from "./errors";
import type { LocalChanges } from "./local-changes";

interface StreamRow {
  id: string; org_id: string; name: string; delivery: EventStream["delivery"]; endpoint: string | null; poll_secret_hash: string | null;
  created: string; created_by: string; deleted: string | null;
}
interface EventRow {
  seq: number; jti: string; org_id: string; stream_id: string; subject: string; claims: string; status: SecurityEventRecord["status"];
  attempts: number; next_attempt_at: string; last_error: string | null; created: string;
}

const toStream = (r: StreamRow): EventStream => ({
  id: r.id, orgId: r.org_id, name: r.name, delivery: r.delivery, endpoint: r.endpoint, pollSecretHash: r.poll_secret_hash,
  created: r.created, createdBy: r.created_by, deleted: r.deleted,
});
const toEvent = (r: EventRow): SecurityEventRecord => ({
  seq: r.seq, jti: r.jti, orgId: r.org_id, streamId: r.stream_id, subject: r.subject, claims: r.claims, status: r.status,
  attempts: r.attempts, nextAttemptAt: r.next_attempt_at, lastError: r.last_error, created: r.created,
});

/**
 * `writer`: on the writer connection, the organizations' live streams are kept in memory
 * (./local-changes.ts: exact while no other connection committed and the writer's open transaction
 * did not change them) and answered frozen: every write transaction asks for them.
 */
export function sqliteEvents(db: Database.Database, writer?: LocalChanges): EventRepo {
  const kept = writer?.keep<readonly EventStream[]>("streams");
  const s = {
    insertStream: db.prepare(`INSERT INTO event_streams (id, org_id, name, delivery, endpoint, poll_secret_hash, created, created_by, deleted)
      VALUES (@id, @org_id, @name, @delivery, @endpoint, @poll_secret_hash, @created, @created_by, NULL)`),
    getStream: db.prepare("SELECT * FROM event_streams WHERE id = ?"),
    listStreams: db.prepare("SELECT * FROM event_streams WHERE org_id = ? ORDER BY created, id"),
    listLive: db.prepare("SELECT * FROM event_streams WHERE org_id = ? AND deleted IS NULL ORDER BY created, id"),
    listPush: db.prepare("SELECT * FROM event_streams WHERE delivery = 'push' AND deleted IS NULL ORDER BY created, id"),
    deleteStream: db.prepare("UPDATE event_streams SET deleted = ? WHERE id = ? AND org_id = ? AND deleted IS NULL"),
    dropEvents: db.prepare("DELETE FROM security_events WHERE stream_id = ? AND org_id = ?"),
    insertEvent: db.prepare(`INSERT INTO security_events (jti, org_id, stream_id, subject, claims, status, attempts, next_attempt_at, last_error, created)
      VALUES (@jti, @org_id, @stream_id, @subject, @claims, @status, @attempts, @next_attempt_at, @last_error, @created)`),
    pending: db.prepare("SELECT * FROM security_events WHERE stream_id = ? AND org_id = ? AND status = 'pending' ORDER BY seq LIMIT ?"),
    events: db.prepare("SELECT * FROM security_events WHERE stream_id = ? AND org_id = ? ORDER BY seq LIMIT ?"),
    ack: db.prepare("DELETE FROM security_events WHERE stream_id = ? AND org_id = ? AND jti = ?"),
    update: db.prepare(`UPDATE security_events SET status = @status, attempts = @attempts, next_attempt_at = @next_attempt_at, last_error = @last_error
      WHERE jti = @jti AND stream_id = @stream_id AND org_id = @org_id AND status = 'pending'`),
    lease: db.prepare("UPDATE event_streams SET lease_until = ? WHERE id = ? AND deleted IS NULL AND (lease_until IS NULL OR lease_until <= ?)"),
    release: db.prepare("UPDATE event_streams SET lease_until = NULL WHERE id = ?"),
  };
  return {
    insertStream: async (st) => guard(() => void s.insertStream.run({
      id: st.id, org_id: st.orgId, name: st.name, delivery: st.delivery, endpoint: st.endpoint, poll_secret_hash: st.pollSecretHash,
      created: st.created, created_by: st.createdBy,
    })),
    getStream: async (id) => guard(() => {
      const r = s.getStream.get(id) as StreamRow | undefined;
      return r ? toStream(r) : null;
    }),
    listStreams: async (orgId) => guard(() => (s.listStreams.all(orgId) as StreamRow[]).map(toStream)),
    listLiveStreams: async (orgId) => guard(() => {
      const read = () => (s.listLive.all(orgId) as StreamRow[]).map(toStream);
      return kept ? kept.get(orgId, () => Object.freeze(read().map((x) => Object.freeze(x)))) as EventStream[] : read();
    }),
    listPushStreams: async () => guard(() => (s.listPush.all() as StreamRow[]).map(toStream)),
    deleteStream: async (orgId, id, at) => guard(() => {
      if (s.deleteStream.run(at, id, orgId).changes !== 1) return false;
      s.dropEvents.run(id, orgId);
      return true;
    }),
    append: async (events) => guard(() => {
      for (const e of events) {
        s.insertEvent.run({
          jti: e.jti, org_id: e.orgId, stream_id: e.streamId, subject: e.subject, claims: e.claims, status: e.status,
          attempts: e.attempts, next_attempt_at: e.nextAttemptAt, last_error: e.lastError, created: e.created,
        });
      }
    }),
    listPending: async (orgId, streamId, limit) => guard(() => (limit <= 0 ? [] : (s.pending.all(streamId, orgId, limit) as EventRow[]).map(toEvent))),
    listEvents: async (orgId, streamId, limit) => guard(() => (limit <= 0 ? [] : (s.events.all(streamId, orgId, limit) as EventRow[]).map(toEvent))),
    ack: async (orgId, streamId, jtis) => guard(() => {
      let n = 0;
      for (const jti of new Set(jtis)) n += s.ack.run(streamId, orgId, jti).changes;
      return n;
    }),
    update: async (e) => guard(() => s.update.run({
      status: e.status, attempts: e.attempts, next_attempt_at: e.nextAttemptAt, last_error: e.lastError, jti: e.jti, stream_id: e.streamId, org_id: e.orgId,
    }).changes === 1),
    lease: async (id, now, until) => guard(() => s.lease.run(until, id, now).changes === 1),
    release: async (id) => guard(() => void s.release.run(id)),
  };
}
