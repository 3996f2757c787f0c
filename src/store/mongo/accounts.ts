/** Managed accounts on MongoDB, in insertion order (`seq`). */
import type { AccountRepo } from "../../domain/ports/store";
import type { MongoCtx } from "./ctx";
import { toAccount, type Doc } from "./decode";

export function mongoAccounts(c: MongoCtx): AccountRepo {
  const accounts = () => c.coll("accounts");
  return {
    insert: (a) => c.atomic(async (t) => {
      const seq = await t.nextSeq("accounts", a.orgId);
      await t.insert("accounts", {
        _id: a.id, orgId: a.orgId, seq, name: a.name, ownerId: a.ownerId, status: a.status, created: a.created, lastModified: a.lastModified,
      });
    }),
    get: (orgId, id) => c.run("read", async (o) => {
      const d = await accounts().findOne({ _id: { $eq: id }, orgId: { $eq: orgId } }, o);
      return d ? toAccount(d) : null;
    }),
    list: (orgId, q) => c.run("read", async (o) => {
      const where: Doc = { orgId: { $eq: orgId } };
      if (q.status) where.status = { $eq: q.status };
      const total = await accounts().countDocuments(where, o);
      const items = (await accounts().find(where, o).sort({ seq: 1 }).skip(q.offset).limit(q.limit).toArray()).map(toAccount);
      return { total, items };
    }),
    update: async (a) => (await c.run("write", (o) => accounts().updateOne(
      { _id: { $eq: a.id }, orgId: { $eq: a.orgId } },
      { $set: { name: a.name, ownerId: a.ownerId, status: a.status, lastModified: a.lastModified } }, o,
    ))).matchedCount === 1,
    listOwnedBy: (orgId, userId) => c.run("read", async (o) =>
      (await accounts().find({ orgId: { $eq: orgId }, ownerId: { $eq: userId }, status: { $eq: "active" } }, o).sort({ seq: 1 }).toArray()).map(toAccount)),
  };
}
