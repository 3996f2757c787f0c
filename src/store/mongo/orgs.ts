/** Organizations and API tokens on MongoDB (ordering and "not found" as in the SQLite store). */
import type { OrgRepo, TokenRepo } from "../../domain/ports/store";
import type { MongoCtx } from "./ctx";
import { z } from "zod";
import { decode, toOrg, toToken, type Doc } from "./decode";
import { isDuplicateKey } from "./errors";
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

const tokenUse = z.object({ _id: z.string(), orgId: z.string(), lastUsed: z.string(), lastAddress: z.string() });
const toTokenUse = (d: Doc) => decode("token_uses", tokenUse, d);

export function mongoTokens(c: MongoCtx): TokenRepo {
  const tokens = () => c.coll("tokens");
  const uses = () => c.coll("token_uses");
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
    // Last use (src/domain/tokens.ts noteTokenUse) in token_uses, not in tokens: as on SQLite, a use changes nothing a principal is made of.
    // A later use replaces an earlier one, never the reverse: the filter misses a newer document, the upsert then meets its _id.
    recordUse: (orgId, id, at, address) => c.run("write", async (o) => {
      try {
        await uses().updateOne({ _id: { $eq: id }, orgId: { $eq: orgId }, lastUsed: { $lt: at } }, { $set: { lastUsed: at, lastAddress: address } }, { ...o, upsert: true });
      } catch (e) {
        if (!isDuplicateKey(e)) throw e; // a use as late or later is recorded already
      }
    }),
    listUses: (orgId) => c.run("read", async (o) => new Map((await uses().find({ orgId: { $eq: orgId } }, o).toArray()).map((d) => {
      const u = toTokenUse(d);
      return [u._id, { at: u.lastUsed, address: u.lastAddress }];
    }))),
    purgeExpiredAccess: (orgId, clientId, before) => c.run("write", async (o) =>
      (await tokens().deleteMany({ orgId: { $eq: orgId }, createdBy: { $eq: clientId }, kind: { $eq: "access" }, expires: { $lt: before } }, o)).deletedCount),
  };
}
