/**
 * SCIM event streams and their undelivered SETs on MongoDB (src/domain/ports/events.ts; migration 9),
 * as the SQLite store keeps them (src/store/sqlite/events.ts):
 *
 * - `event_streams`: one document a stream (unsharded: the poll endpoint reads a stream by the id
 *   its credential names); `leaseUntil` is the push worker holding it.
 * - `security_events`: one document a SET for one stream, `_id` its jti, deleted once acknowledged.
 *   `seq` comes from the organization's counter (./sequences.ts, "security_events:<orgId>"), taken in
 *   the transaction that writes the change and its SETs (src/domain/events-capture.ts): a second
 *   transaction of the organization writing SETs conflicts on that counter and retries after the
 *   first commits, so within an organization (and so within a stream) `seq` follows commit order,
 *   as SQLite's AUTOINCREMENT does. On a standalone server (no transactions) the SETs are written
 *   right after the change, each write atomic on its own (README, MongoDB).
 */
import { z } from "zod";
import type { EventStream, SecurityEventRecord } from "../../domain/events-model";
import type { EventRepo } from "../../domain/ports/store";
import type { MongoCtx } from "./ctx";
import { decode, type Doc } from "./decode";
import { checked } from "./models";

const text = z.string();
const orNull = <T extends z.ZodType>(t: T) => t.nullish().transform((v) => v ?? null);

const streamDoc = z.object({
  _id: text, orgId: text, name: text, delivery: z.enum(["push", "poll"]), endpoint: orNull(text), pollSecretHash: orNull(text),
  created: text, createdBy: text, deleted: orNull(text),
});
const eventDoc = z.object({
  _id: text, orgId: text, seq: z.number(), streamId: text, subject: text, claims: text, status: z.enum(["pending", "failed"]),
  attempts: z.number(), nextAttemptAt: text, lastError: orNull(text), created: text,
});

const toStream = (d: Doc): EventStream => {
  const s = decode("event_streams", streamDoc, d);
  return {
    id: s._id, orgId: s.orgId, name: s.name, delivery: s.delivery, endpoint: s.endpoint, pollSecretHash: s.pollSecretHash,
    created: s.created, createdBy: s.createdBy, deleted: s.deleted,
  };
};
const toEvent = (d: Doc): SecurityEventRecord => {
  const e = decode("security_events", eventDoc, d);
  return {
    seq: e.seq, jti: e._id, orgId: e.orgId, streamId: e.streamId, subject: e.subject, claims: e.claims, status: e.status,
    attempts: e.attempts, nextAttemptAt: e.nextAttemptAt, lastError: e.lastError, created: e.created,
  };
};

const STREAM_ORDER = { created: 1, _id: 1 } as const;

export function mongoEvents(c: MongoCtx): EventRepo {
  const streams = () => c.coll("event_streams");
  const sets = () => c.coll("security_events");
  const ofStream = (orgId: string, streamId: string) => ({ orgId: { $eq: orgId }, streamId: { $eq: streamId } });
  return {
    async insertStream(st) {
      await c.insert("event_streams", {
        _id: st.id, orgId: st.orgId, name: st.name, delivery: st.delivery, endpoint: st.endpoint, pollSecretHash: st.pollSecretHash,
        created: st.created, createdBy: st.createdBy, deleted: st.deleted, leaseUntil: null,
      });
    },
    getStream: (id) => c.run("read", async (o) => {
      const d = await streams().findOne({ _id: { $eq: id } }, o);
      return d ? toStream(d) : null;
    }),
    listStreams: (orgId) => c.run("read", async (o) =>
      (await streams().find({ orgId: { $eq: orgId } }, o).sort(STREAM_ORDER).toArray()).map(toStream)),
    listLiveStreams: (orgId) => c.run("read", async (o) =>
      (await streams().find({ orgId: { $eq: orgId }, deleted: { $eq: null } }, o).sort(STREAM_ORDER).toArray()).map(toStream)),
    listPushStreams: () => c.run("read", async (o) =>
      (await streams().find({ delivery: { $eq: "push" }, deleted: { $eq: null } }, o).sort(STREAM_ORDER).toArray()).map(toStream)),
    deleteStream: (orgId, id, at) => c.atomic(async (a) => {
      const marked = await a.run("write", (o) =>
        a.coll("event_streams").updateOne({ _id: { $eq: id }, orgId: { $eq: orgId }, deleted: { $eq: null } }, { $set: { deleted: at, leaseUntil: null } }, o));
      if (marked.matchedCount !== 1) return false;
      await a.run("write", (o) => a.coll("security_events").deleteMany(ofStream(orgId, id), o));
      return true;
    }),
    append: async (events) => {
      if (events.length === 0) return;
      const byOrg = new Map<string, SecurityEventRecord[]>();
      for (const e of events) byOrg.set(e.orgId, [...(byOrg.get(e.orgId) ?? []), e]);
      await c.atomic(async (a) => {
        for (const [orgId, rows] of byOrg) {
          // The organization's next rows.length numbers, in one counter write.
          const last = await a.nextSeq("security_events", orgId, { by: rows.length });
          const docs = await Promise.all(rows.map((e, i) => checked(c.models.security_events, {
            _id: e.jti, orgId, seq: last - rows.length + 1 + i, streamId: e.streamId, subject: e.subject, claims: e.claims, status: e.status,
            attempts: e.attempts, nextAttemptAt: e.nextAttemptAt, lastError: e.lastError, created: e.created,
          })));
          await a.run("write", (o) => a.coll("security_events").insertMany(docs, { ...o, ordered: true }));
        }
      });
    },
    listPending: (orgId, streamId, limit) => c.run("read", async (o) => (limit <= 0 ? []
      : (await sets().find({ ...ofStream(orgId, streamId), status: { $eq: "pending" } }, o).sort({ seq: 1 }).limit(limit).toArray()).map(toEvent))),
    listEvents: (orgId, streamId, limit) => c.run("read", async (o) => (limit <= 0 ? []
      : (await sets().find(ofStream(orgId, streamId), o).sort({ seq: 1 }).limit(limit).toArray()).map(toEvent))),
    ack: (orgId, streamId, jtis) => c.run("write", async (o) => {
      const ids = [...new Set(jtis.filter((j) => typeof j === "string"))];
      if (ids.length === 0) return 0;
      return (await sets().deleteMany({ ...ofStream(orgId, streamId), _id: { $in: ids } }, o)).deletedCount;
    }),
    update: (e) => c.run("write", async (o) => (await sets().updateOne(
      { _id: { $eq: e.jti }, ...ofStream(e.orgId, e.streamId), status: { $eq: "pending" } },
      { $set: { status: e.status, attempts: e.attempts, nextAttemptAt: e.nextAttemptAt, lastError: e.lastError } }, o,
    )).matchedCount === 1),
    lease: (id, now, until) => c.run("write", async (o) => (await streams().updateOne(
      { _id: { $eq: id }, deleted: { $eq: null }, $or: [{ leaseUntil: { $eq: null } }, { leaseUntil: { $lte: now } }] },
      { $set: { leaseUntil: until } }, o,
    )).matchedCount === 1),
    release: (id) => c.run("write", async (o) => void (await streams().updateOne({ _id: { $eq: id } }, { $set: { leaseUntil: null } }, o))),
  };
}
