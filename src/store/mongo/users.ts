/**
 * The users repository on MongoDB. One document per membership of an organization (./docs.ts);
 * userName is unique per organization without case through `{orgId, userNameLower}`.
 * As in the SQLite store, `independent` users are invisible to get/find/list, and deleting a user
 * deletes its group memberships.
 */
import { mailboxKey } from "../../domain/domain-rules";
import type { UserRepo } from "../../domain/ports/store";
import type { MongoCtx } from "./ctx";
import { toUser } from "./decode";
import { userDoc, type Doc } from "./docs";
import { USER_MAP } from "./resource-maps";
import { escapeRegex } from "./filter-values";
import { listPage } from "./list";
import { checked } from "./models";
import { casUpdate } from "./updates";

const VISIBLE = { status: { $ne: "independent" } };
const mongoMailboxKey = (address: string): string => mailboxKey(address, (local) => local.toLowerCase());

export function mongoUsers(c: MongoCtx): UserRepo {
  const users = () => c.coll("users");
  // The same mailbox whatever its domain's spelling (docs/security.md case 78): the addresses with
  // each asked local part (an anchored prefix, from the primaryEmailLower index), compared by key.
  const managedElsewhere = (orgId: string, emails: readonly string[]) => c.run("read", async (o) => {
    const keys = emails.map(mongoMailboxKey);
    const prefixes = [...new Set(keys.map((k) => { const at = k.lastIndexOf("@"); return at < 0 ? `^${escapeRegex(k)}$` : `^${escapeRegex(k.slice(0, at + 1))}`; }))];
    const docs = await users().find(
      { primaryEmailLower: { $in: prefixes.map((p) => new RegExp(p)) }, status: { $eq: "managed" }, orgId: { $ne: orgId } },
      { ...o, projection: { primaryEmailLower: 1 } },
    ).toArray();
    const managed = new Set(docs.map((d) => (typeof d.primaryEmailLower === "string" ? mongoMailboxKey(d.primaryEmailLower) : "")));
    return new Set(emails.filter((_, i) => managed.has(keys[i]!)));
  });
  const one = (d: Doc | null) => (d ? toUser(d) : null);
  const scoped = (orgId: string): Doc => ({ orgId: { $eq: orgId }, ...VISIBLE });

  return {
    insert: (u) => c.atomic(async (t) => {
      const seq = await t.nextSeq("users", u.orgId);
      await t.insert("users", userDoc(u, seq));
    }),
    // One sequence update for the list (the last of `by` numbers), then the documents in order.
    insertMany: (orgId, list) => c.atomic(async (t) => {
      const stray = list.find((u) => u.orgId !== orgId);
      if (stray) throw new Error(`insertMany: user ${stray.id} is of organization ${stray.orgId}, not ${orgId}`);
      if (list.length === 0) return;
      const last = await t.nextSeq("users", orgId, { by: list.length });
      for (const [i, u] of list.entries()) await t.insert("users", userDoc(u, last - list.length + 1 + i));
    }),
    get: (orgId, id, options) => c.run("read", async (o) =>
      one(await users().findOne({ _id: { $eq: id }, ...(options?.includeIndependent ? { orgId: { $eq: orgId } } : scoped(orgId)) }, o))),
    findByUserName: (orgId, userName) =>
      c.run("read", async (o) => one(await users().findOne({ ...scoped(orgId), userNameLower: { $eq: userName.toLowerCase() } }, o))),
    findByExternalId: (orgId, externalId) =>
      c.run("read", async (o) => {
        const docs = await users().find({ ...scoped(orgId), externalId: { $eq: externalId } }, o).sort({ active: -1, seq: 1 }).limit(1).toArray();
        return one(docs[0] ?? null);
      }),
    async update(u, expectedVersion) {
      const { filter, update } = casUpdate(await checked(c.models.users, userDoc(u, 0)), expectedVersion);
      const r = await c.run("write", (o) => users().updateOne(filter, update, o));
      return r.matchedCount === 1;
    },
    async delete(orgId, id) {
      const r = await c.run("write", (o) => users().deleteOne({ _id: { $eq: id }, orgId: { $eq: orgId } }, o));
      if (r.deletedCount !== 1) return false;
      await c.run("write", (o) => c.coll("group_members").deleteMany({ orgId: { $eq: orgId }, userId: { $eq: id } }, o));
      return true;
    },
    list: (orgId, q) => listPage(c, "users", USER_MAP, orgId, scoped(orgId), q, toUser),
    isManagedElsewhere: async (orgId, email) => (await managedElsewhere(orgId, [email])).size > 0,
    // The lookups of many at once (imports): one $in query each, answered for every string given as the lookup of one answers it.
    findManyByUserName: (orgId, names) => c.run("read", async (o) => {
      const docs = await users().find({ ...scoped(orgId), userNameLower: { $in: [...new Set(names.map((n) => n.toLowerCase()))] } }, o).toArray();
      const found = new Map(docs.map((d) => [d.userNameLower, toUser(d)]));
      return new Map(names.flatMap((n) => { const u = found.get(n.toLowerCase()); return u ? [[n, u] as const] : []; }));
    }),
    findManyByPrimaryEmail: (orgId, emails) => c.run("read", async (o) => {
      const docs = await users().find({ orgId: { $eq: orgId }, primaryEmailLower: { $in: [...new Set(emails.map((e) => e.toLowerCase()))] } }, o).sort({ seq: 1 }).toArray();
      const first = new Map<string, ReturnType<typeof toUser>>();
      for (const d of docs) if (typeof d.primaryEmailLower === "string" && !first.has(d.primaryEmailLower)) first.set(d.primaryEmailLower, toUser(d));
      return new Map(emails.flatMap((e) => { const u = first.get(e.toLowerCase()); return u ? [[e, u] as const] : []; }));
    }),
    findManagedElsewhere: (orgId, emails) => managedElsewhere(orgId, emails),
    countByRole: (orgId, role) => c.run("read", (o) => users().countDocuments({ orgId: { $eq: orgId }, orgRole: { $eq: role } }, o)),
    findByPrimaryEmail: (orgId, email) => c.run("read", async (o) => {
      const docs = await users().find({ orgId: { $eq: orgId }, primaryEmailLower: { $eq: email.toLowerCase() } }, o).sort({ seq: 1 }).limit(1).toArray();
      return one(docs[0] ?? null);
    }),
    listByStatus: (orgId, q) => c.run("read", async (o) => {
      const scope: Doc = { orgId: { $eq: orgId }, ...(q.status ? { status: { $eq: q.status } } : {}) };
      // Search: a rooted $or of anchored, escaped prefixes, each clause planned on its own index
      // ({orgId, userNameLower}, {orgId, emailsLower}): ranges bounded by the matches.
      const prefix = q.search ? { $regex: `^${escapeRegex(q.search.toLowerCase())}` } : null;
      const where: Doc = prefix ? { $or: [{ ...scope, userNameLower: prefix }, { ...scope, emailsLower: prefix }] } : scope;
      const total = await users().countDocuments(where, o);
      if (q.limit <= 0) return { total, items: [] };
      const items = (await users().find(where, o).sort({ seq: 1 }).skip(q.offset).limit(q.limit).toArray()).map(toUser);
      return { total, items };
    }),
  };
}
