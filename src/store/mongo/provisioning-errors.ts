/**
 * Provisioning errors on MongoDB (src/domain/provisioning-errors.ts; migration 10): one document a
 * refused request, `_id` "<orgId>:<seq>", numbered by the organization's "provisioning_errors"
 * counter (./sequences.ts), whose value is also how many the organization ever recorded. The
 * bound deletes one range of the {orgId, seq} index of that organization only.
 */
import type { ProvisioningErrorRepo } from "../../domain/ports/store";
import type { MongoCtx } from "./ctx";
import { toProvisioningError } from "./decode";
import { checked } from "./models";
import { counterId } from "./sequences";

/** Expired records deleted per call at most (the oldest first), as on SQLite. */
const EXPIRED_PER_CALL = 100;

export function mongoProvisioningErrors(c: MongoCtx): ProvisioningErrorRepo {
  const coll = () => c.coll("provisioning_errors");
  return {
    record: async (orgId, items, bound) => {
      if (items.length === 0) return;
      await c.atomic(async (a) => {
        const last = await a.nextSeq("provisioning_errors", orgId, { by: items.length });
        const docs = await Promise.all(items.map((e, i) => {
          const seq = last - items.length + 1 + i;
          return checked(c.models.provisioning_errors, {
            _id: `${orgId}:${seq}`, orgId, seq, time: e.time, status: e.status, scimType: e.scimType, code: e.code, reason: e.reason,
            method: e.method, path: e.path, bulk: e.bulk, credential: e.credential, targetName: e.targetName, externalId: e.externalId,
          });
        }));
        await a.run("write", (o) => a.coll("provisioning_errors").insertMany(docs, { ...o, ordered: true }));
        await a.run("write", (o) => a.coll("provisioning_errors").deleteMany({ orgId: { $eq: orgId }, seq: { $lte: last - bound.keep } }, o));
        const oldest = await a.run("read", (o) => a.coll("provisioning_errors").find({ orgId: { $eq: orgId } }, { ...o, projection: { seq: 1, time: 1 } })
          .sort({ seq: 1 }).limit(EXPIRED_PER_CALL).toArray());
        const expired = oldest.filter((d) => typeof d.time === "string" && d.time < bound.since).map((d) => d._id);
        if (expired.length > 0) await a.run("write", (o) => a.coll("provisioning_errors").deleteMany({ orgId: { $eq: orgId }, _id: { $in: expired } }, o));
      });
    },
    list: (orgId, q) => c.run("read", async (o) => (q.limit <= 0 ? []
      : (await coll().find({ orgId: { $eq: orgId } }, o).sort({ seq: -1 }).skip(q.offset).limit(q.limit).toArray()).map(toProvisioningError))),
    counts: (orgId) => c.run("read", async (o) => {
      const counter = await c.coll("counters").findOne({ _id: { $eq: counterId("provisioning_errors", orgId) }, orgId: { $eq: orgId } }, o);
      const retained = await coll().countDocuments({ orgId: { $eq: orgId } }, o);
      return { recorded: typeof counter?.seq === "number" ? counter.seq : 0, retained };
    }),
  };
}
