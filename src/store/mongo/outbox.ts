/** The outbox on MongoDB: one document a mail (src/domain/outbox.ts). */
import type { OutboxRepo } from "../../domain/ports/store";
import type { OutboxMessage } from "../../domain/types";
import type { MongoCtx } from "./ctx";
import { toMessage, type Doc } from "./decode";
import { checked } from "./models";

const outboxDoc = (m: OutboxMessage): Doc => ({
  _id: m.id, orgId: m.orgId, kind: m.kind, ref: m.ref, to: m.to, subject: m.subject, text: m.text, status: m.status,
  created: m.created, sentAt: m.sentAt, attempts: m.attempts, lastError: m.lastError, nextAttemptAt: m.nextAttemptAt,
});


export function mongoOutbox(c: MongoCtx): OutboxRepo {
  const outbox = () => c.coll("outbox");
  return {
    async insert(m) {
      await c.insert("outbox", outboxDoc(m));
    },
    get: (orgId, id) => c.run("read", async (o) => {
      const d = await outbox().findOne({ _id: { $eq: id }, orgId: { $eq: orgId } }, o);
      return d ? toMessage(d) : null;
    }),
    listDue: (now, limit) => c.run("read", async (o) => {
      if (limit <= 0) return [];
      return (await outbox().find({ status: { $eq: "pending" }, nextAttemptAt: { $lte: now } }, o)
        .sort({ nextAttemptAt: 1, created: 1, _id: 1 }).limit(limit).toArray()).map(toMessage);
    }),
    async update(m, expected) {
      const { _id: _i, orgId: _o, kind: _k, ref: _r, to: _t, subject: _s, created: _c, ...fields } = await checked(c.models.outbox, outboxDoc(m));
      const r = await c.run("write", (o) => outbox().updateOne({ _id: { $eq: m.id }, orgId: { $eq: m.orgId }, attempts: { $eq: expected }, status: { $eq: "pending" } }, { $set: fields }, o));
      return r.matchedCount === 1;
    },
    list: (q) => c.run("read", async (o) => {
      if (q.limit <= 0) return [];
      const where: Doc = {};
      if (q.orgId !== undefined) where.orgId = { $eq: q.orgId };
      if (q.ref !== undefined) where.ref = { $eq: q.ref };
      if (q.status !== undefined) where.status = { $eq: q.status };
      return (await outbox().find(where, o).sort({ created: -1, _id: -1 }).skip(q.offset ?? 0).limit(q.limit).toArray()).map(toMessage);
    }),
    // One update of the organization's pending copies (a mail rarely has more than one).
    cancelPending: (orgId, ref) => c.run("write", async (o) =>
      (await outbox().updateMany({ orgId: { $eq: orgId }, ref: { $eq: ref }, status: { $eq: "pending" } }, { $set: { status: "cancelled", text: null } }, o)).modifiedCount),
    // On the { status, nextAttemptAt } index; `limit` bounds the count's work.
    countPending: (cap) => c.run("read", async (o) => (cap <= 0 ? 0
      : Math.min(cap, await outbox().countDocuments({ status: { $eq: "pending" } }, { ...o, limit: cap })))),
  };
}
