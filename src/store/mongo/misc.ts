/**
 * Domains, invitations and the audit log on MongoDB. A domain name has one owner (unique
 * `claimedName`, set while verified or revalidating), and is held once per organization (unique
 * `orgName`, unset once removed); audit events list newest first by `seq`,
 * `before` being the id of an event of the same organization.
 */
import type { AuditListQuery, AuditRepo, DomainRepo, InvitationRepo } from "../../domain/ports/store";
import type { InvitationState } from "../../domain/types";
import type { MongoCtx } from "./ctx";
import { toAudit, toDomain, toInvitation } from "./decode";
import { auditDoc, domainDoc, invitationDoc, type Doc } from "./docs";
import { checked } from "./models";
import { domainUpdate } from "./updates";

const NOT_REMOVED = { state: { $ne: "removed" } };
const RECHECKED = ["pending", "verified", "revalidating"];

export function mongoDomains(c: MongoCtx): DomainRepo {
  const domains = () => c.coll("domains");
  return {
    async insert(d) {
      await c.insert("domains", domainDoc(d));
    },
    list: (orgId) => c.run("read", async (o) =>
      (await domains().find({ orgId: { $eq: orgId }, ...NOT_REMOVED }, o).sort({ nameLower: 1, _id: 1 }).toArray()).map(toDomain)),
    findOwner: (name) => c.run("read", async (o) => {
      const d = await domains().findOne({ claimedName: { $eq: name.toLowerCase() } }, o);
      return d ? toDomain(d) : null;
    }),
    listByName: (name) => c.run("read", async (o) =>
      (await domains().find({ nameLower: { $eq: name.toLowerCase() }, ...NOT_REMOVED }, o).sort({ created: 1, _id: 1 }).toArray()).map(toDomain)),
    get: (orgId, id) => c.run("read", async (o) => {
      const d = await domains().findOne({ _id: { $eq: id }, orgId: { $eq: orgId } }, o);
      return d ? toDomain(d) : null;
    }),
    async update(d) {
      const { filter, update } = domainUpdate(d);
      return (await c.run("write", (o) => domains().updateOne(filter, update, o))).matchedCount === 1;
    },
    listForRecheck: (after, limit) => c.run("read", async (o) =>
      (await domains().find({ state: { $in: RECHECKED }, ...(after === null ? {} : { _id: { $gt: after } }) }, o)
        .sort({ _id: 1 }).limit(limit).toArray()).map(toDomain)),
  };
}

/** An invitation's state at `now` as a query (ISO strings compare in time order). */
function invitationState(state: InvitationState, now: string): Doc {
  switch (state) {
    case "pending": return { acceptedAt: { $eq: null }, revokedAt: { $eq: null }, expires: { $gt: now } };
    case "accepted": return { acceptedAt: { $ne: null } };
    case "revoked": return { acceptedAt: { $eq: null }, revokedAt: { $ne: null } };
    case "expired": return { acceptedAt: { $eq: null }, revokedAt: { $eq: null }, expires: { $lte: now } };
  }
}

export function mongoInvitations(c: MongoCtx): InvitationRepo {
  const invitations = () => c.coll("invitations");
  return {
    async insert(i) {
      await c.insert("invitations", invitationDoc(i));
    },
    get: (orgId, id) => c.run("read", async (o) => {
      const d = await invitations().findOne({ _id: { $eq: id }, orgId: { $eq: orgId } }, o);
      return d ? toInvitation(d) : null;
    }),
    listForUser: (orgId, userId) => c.run("read", async (o) =>
      (await invitations().find({ orgId: { $eq: orgId }, userId: { $eq: userId } }, o).sort({ created: 1, _id: 1 }).toArray()).map(toInvitation)),
    findByTokenHash: (hash) => c.run("read", async (o) => {
      const d = await invitations().findOne({ tokenHash: { $eq: hash } }, o);
      return d ? toInvitation(d) : null;
    }),
    async update(i, expected) {
      const { _id: _i, orgId: _o, created: _c, ...fields } = await checked(c.models.invitations, invitationDoc(i));
      const r = await c.run("write", (o) => invitations().updateOne(
        { _id: { $eq: i.id }, orgId: { $eq: i.orgId }, tokenHash: { $eq: expected }, acceptedAt: { $eq: null }, revokedAt: { $eq: null } },
        { $set: fields }, o,
      ));
      return r.matchedCount === 1;
    },
    list: (orgId, q) => c.run("read", async (o) => {
      const where: Doc = { orgId: { $eq: orgId }, ...(q.state ? invitationState(q.state, q.now) : {}) };
      const total = await invitations().countDocuments(where, o);
      if (q.limit <= 0) return { total, items: [] };
      const items = (await invitations().find(where, o).sort({ created: 1, _id: 1 }).skip(q.offset).limit(q.limit).toArray()).map(toInvitation);
      return { total, items };
    }),
  };
}

export function mongoAudit(c: MongoCtx): AuditRepo {
  const events = () => c.coll("audit_events");
  const list = (orgId: string, q: AuditListQuery) => c.run("read", async (o) => {
    if (q.limit <= 0) return [];
    const where: Doc = { orgId: { $eq: orgId } };
    if (q.action !== undefined) where.action = { $eq: q.action };
    if (q.targetId !== undefined) where.targetId = { $eq: q.targetId };
    if (q.outcome !== undefined) where.outcome = { $eq: q.outcome };
    if (q.actorUser !== undefined) where.actorUser = { $eq: q.actorUser };
    if (q.actorCredential !== undefined) where.actorCredential = { $eq: q.actorCredential };
    if (q.imported !== undefined) where.imported = q.imported ? { $type: "object" } : { $in: [null] };
    const time: Doc = {};
    if (q.from !== undefined) time.$gte = q.from;
    if (q.to !== undefined) time.$lt = q.to;
    if (Object.keys(time).length > 0) where.time = time;
    const anchor = q.after ?? q.before;
    if (anchor) {
      const ref = await events().findOne({ _id: { $eq: anchor }, orgId: { $eq: orgId } }, { ...o, projection: { seq: 1, time: 1 } });
      if (!ref) return [];
      where.$or = [{ time: { $lt: ref.time } }, { time: { $eq: ref.time }, seq: { $lt: ref.seq } }];
    }
    return (await events().find(where, o).sort({ time: -1, seq: -1 }).limit(q.limit).toArray()).map(toAudit);
  });
  return {
    async append(e) {
      const seq = await c.nextSeq("audit_events", e.orgId, { detached: true });
      await c.insert("audit_events", auditDoc(e, seq));
    },
    // Newest first by (time, seq), each filter on an index ending in (time, seq) (./indexes.ts AUDIT_INDEXES_V6, V8).
    list: (orgId, q) => list(orgId, q),
    // A position here is the event's id (its _id: found from its own index).
    page: async (orgId, q) => {
      const found = await list(orgId, q);
      return { events: found, positions: found.map((e) => e.id) };
    },
  };
}
