/** Organizations and API tokens on MongoDB (ordering and "not found" as in the SQLite store). */
import type { OrgRepo, TokenRepo } from "../../domain/ports/store";
import type { MongoCtx } from "./ctx";
import { toOrg, toToken } from "./decode";
import { orgDoc, tokenDoc } from "./docs";
import { checked } from "./models";
import { orgUpdate, revokeToken } from "./updates";

export function mongoOrgs(c: MongoCtx): OrgRepo {
  const orgs = () => c.coll("organizations");
  return {
    async insert(org) {
      await c.insert("organizations", orgDoc(org));
    },
    get: (id) => c.run("read", async (o) => {
      const d = await orgs().findOne({ _id: { $eq: id } }, o);
      return d ? toOrg(d) : null;
    }),
    list: () => c.run("read", async (o) => (await orgs().find({}, o).sort({ created: 1, _id: 1 }).toArray()).map(toOrg)),
    async update(org) {
      await checked(c.models.organizations, orgDoc(org));
      const { filter, update } = orgUpdate(org);
      return (await c.run("write", (o) => orgs().updateOne(filter, update, o))).matchedCount === 1;
    },
  };
}

export function mongoTokens(c: MongoCtx): TokenRepo {
  const tokens = () => c.coll("tokens");
  return {
    async insert(t) {
      await c.insert("tokens", tokenDoc(t));
    },
    get: (id) => c.run("read", async (o) => {
      const d = await tokens().findOne({ _id: { $eq: id } }, o);
      return d ? toToken(d) : null;
    }),
    list: (orgId) => c.run("read", async (o) =>
      (await tokens().find({ orgId: { $eq: orgId } }, o).sort({ created: 1, _id: 1 }).toArray()).map(toToken)),
    async revoke(orgId, id, at) {
      const { filter, update } = revokeToken(orgId, id, at);
      return (await c.run("write", (o) => tokens().updateOne(filter, update, o))).matchedCount === 1;
    },
    async expireBy(orgId, id, at) {
      const live = { _id: { $eq: id }, orgId: { $eq: orgId }, revoked: { $eq: null } };
      // Only ever earlier: set when it has none or a later one; a live token that already expires earlier still answers true.
      await c.run("write", (o) => tokens().updateOne({ ...live, $or: [{ expires: { $eq: null } }, { expires: { $gt: at } }] }, { $set: { expires: at } }, o));
      return c.run("read", async (o) => (await tokens().countDocuments(live, o)) === 1);
    },
    purgeExpiredAccess: (orgId, clientId, before) => c.run("write", async (o) =>
      (await tokens().deleteMany({ orgId: { $eq: orgId }, createdBy: { $eq: clientId }, kind: { $eq: "access" }, expires: { $lt: before } }, o)).deletedCount),
  };
}
