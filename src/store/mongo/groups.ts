/**
 * The groups repository on MongoDB. Memberships live in group_members, one document each
 * (`_id = groupId:userId`), never in the group document: adding members is a bulk of idempotent
 * upserts (./updates.ts) that neither reads nor rewrites the member list, so concurrent adds never
 * lose one. Members list in the users' insertion order (`userSeq`), as in the SQLite store.
 * Deleting a group deletes its memberships. Each membership has its own `id` and `created`
 * (migration 7; ./memberships.ts lists them).
 */
import { newId } from "../../domain/ids";
import type { GroupRef, GroupRepo, MemberEntry } from "../../domain/ports/store";
import type { MongoCtx } from "./ctx";
import { seqOf, toGroup, toGroupIdRow, toGroupRef, toMemberRow, toUserGroupRow, toUserName, versionOf } from "./decode";
import { groupDoc, type Doc } from "./docs";
import { GROUP_MAP } from "./resource-maps";
import { listPage } from "./list";
import { mongoMemberships } from "./memberships";
import { propOf, isDuplicateKey } from "./errors";
import { checked } from "./models";
import { casUpdate, memberUpserts, memberWrites, touchGroup } from "./updates";

const unique = (ids: string[]): string[] => [...new Set(ids.filter((id) => typeof id === "string"))];

/**
 * How many upserts a bulk write inserted when racing writers made some fail on the key (the
 * membership exists: that is what was asked). Null when anything else went wrong.
 */
function upserted(e: unknown): number | null {
  const writeErrors = propOf(e, "writeErrors");
  const list: unknown[] = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  if (list.length === 0 || !list.every(isDuplicateKey)) return null;
  const n = propOf(e, "upsertedCount") ?? propOf(propOf(e, "result"), "upsertedCount");
  return typeof n === "number" ? n : null;
}

export function mongoGroups(c: MongoCtx): GroupRepo {
  const groups = () => c.coll("groups");
  const members = () => c.coll("group_members");
  const users = () => c.coll("users");
  const byId = (orgId: string, id: string): Doc => ({ _id: { $eq: id }, orgId: { $eq: orgId } });
  const ofGroup = (orgId: string, groupId: string): Doc => ({ orgId: { $eq: orgId }, groupId: { $eq: groupId } });

  return {
    insert: (g) => c.atomic(async (t) => {
      const seq = await t.nextSeq("groups", g.orgId);
      await t.insert("groups", groupDoc(g, seq));
    }),
    get: (orgId, id) => c.run("read", async (o) => {
      const d = await groups().findOne(byId(orgId, id), o);
      return d ? toGroup(d) : null;
    }),
    findByDisplayName: (orgId, name) => c.run("read", async (o) => {
      const d = await groups().findOne({ orgId: { $eq: orgId }, displayNameLower: { $eq: name.toLowerCase() } }, o);
      return d ? toGroup(d) : null;
    }),
    async update(g, expectedVersion) {
      const { filter, update } = casUpdate(await checked(c.models.groups, groupDoc(g, 0)), expectedVersion);
      return (await c.run("write", (o) => groups().updateOne(filter, update, o))).matchedCount === 1;
    },
    async delete(orgId, id) {
      const r = await c.run("write", (o) => groups().deleteOne(byId(orgId, id), o));
      if (r.deletedCount !== 1) return false;
      await c.run("write", (o) => members().deleteMany(ofGroup(orgId, id), o));
      return true;
    },
    list: (orgId, q) => listPage(c, "groups", GROUP_MAP, orgId, q.excludeBuiltin ? { orgId: { $eq: orgId }, builtin: { $eq: false } } : { orgId: { $eq: orgId } }, q, toGroup),

    async addMembers(orgId, groupId, userIds, created, options) {
      const ids = unique(userIds);
      if (ids.length === 0) return 0;
      // Writes, not reads, of the group and of the users (./updates.ts memberWrites): a transaction
      // deleting either writes the same document, so one of the two conflicts and retries, and a
      // membership never outlives its user or group (snapshot isolation lets two transactions that
      // only read what the other writes both commit).
      const w = memberWrites(orgId, groupId, ids);
      const group = await c.run("write", (o) => groups().updateOne(w.group.filter, w.group.update, o));
      if (group.matchedCount === 0) return 0;
      const touched = await c.run("write", (o) => users().updateMany(w.users.filter, w.users.update, o));
      if (touched.matchedCount === 0) return 0;
      const found = await c.run("read", (o) =>
        users().find({ orgId: { $eq: orgId }, _id: { $in: ids }, ...(options?.skipIndependent ? { status: { $ne: "independent" } } : {}) }, { ...o, projection: { seq: 1 } }).toArray());
      if (found.length === 0) return 0;
      const ops = memberUpserts(orgId, groupId, found.map((u) => ({ id: u._id, seq: seqOf("users", u) })), created ?? new Date().toISOString(), () => newId("GM"));
      return c.run("write", async (o) => {
        try {
          return (await members().bulkWrite(ops, { ...o, ordered: false })).upsertedCount;
        } catch (e) {
          const n = o.session ? null : upserted(e); // inside a transaction the error has aborted it
          if (n === null) throw e;
          return n;
        }
      });
    },
    async removeMembers(orgId, groupId, userIds) {
      const ids = unique(userIds);
      if (ids.length === 0) return 0;
      const r = await c.run("write", (o) => members().deleteMany({ ...ofGroup(orgId, groupId), userId: { $in: ids } }, o));
      return r.deletedCount;
    },
    removeAllMembers: async (orgId, groupId) =>
      (await c.run("write", (o) => members().deleteMany(ofGroup(orgId, groupId), o))).deletedCount,

    listMembers: (orgId, groupId, limit, after) => c.run("read", async (o): Promise<MemberEntry[]> => {
      if (limit <= 0) return [];
      const filter: Doc = after === undefined ? ofGroup(orgId, groupId) : { ...ofGroup(orgId, groupId), userSeq: { $gt: after } };
      const rows = (await members().find(filter, { ...o, projection: { userId: 1, userSeq: 1 } }).sort({ userSeq: 1 }).limit(limit).toArray()).map(toMemberRow);
      const docs = await users().find({ orgId: { $eq: orgId }, _id: { $in: rows.map((r) => r.userId) } }, { ...o, projection: { displayName: 1, userName: 1 } }).toArray();
      const display = new Map(docs.map(toUserName).map((u) => [u.id, u.display]));
      return rows.flatMap((r) => {
        const d = display.get(r.userId);
        return d === undefined ? [] : [{ id: r.userId, display: d, order: r.userSeq }];
      });
    }),
    countMembers: (orgId, groupId) => c.run("read", (o) => members().countDocuments(ofGroup(orgId, groupId), o)),
    ...mongoMemberships(c),
    groupsOfUser: (orgId, userId) => c.run("read", async (o): Promise<GroupRef[]> => {
      const rows = (await members().find({ orgId: { $eq: orgId }, userId: { $eq: userId } }, { ...o, projection: { groupId: 1 } }).toArray()).map(toGroupIdRow);
      if (rows.length === 0) return [];
      const docs = await groups().find({ orgId: { $eq: orgId }, _id: { $in: rows.map((r) => r.groupId) } }, { ...o, projection: { displayName: 1, builtin: 1, binding: 1 } })
        .sort({ seq: 1 }).toArray();
      return docs.map(toGroupRef);
    }),
    // A page of users' groups in two reads whatever the page's size (their memberships, then those
    // groups in groupsOfUser's order), not two per user.
    groupsOfUsers: (orgId, userIds) => c.run("read", async (o): Promise<Map<string, GroupRef[]>> => {
      const byUser = new Map<string, GroupRef[]>(userIds.map((id) => [id, []]));
      const ids = unique([...userIds]);
      if (ids.length === 0) return byUser;
      const rows = (await members().find({ orgId: { $eq: orgId }, userId: { $in: ids } }, { ...o, projection: { groupId: 1, userId: 1 } }).toArray()).map(toUserGroupRow);
      if (rows.length === 0) return byUser;
      const usersOf = new Map<string, string[]>();
      for (const r of rows) usersOf.set(r.groupId, [...(usersOf.get(r.groupId) ?? []), r.userId]);
      const docs = await groups().find({ orgId: { $eq: orgId }, _id: { $in: [...usersOf.keys()] } }, { ...o, projection: { displayName: 1, builtin: 1, binding: 1 } })
        .sort({ seq: 1 }).toArray();
      for (const d of docs) {
        const ref = toGroupRef(d);
        for (const userId of usersOf.get(ref.id) ?? []) byUser.get(userId)?.push({ ...ref });
      }
      return byUser;
    }),
    async touch(orgId, groupId, lastModified) {
      const { filter, update } = touchGroup(orgId, groupId, lastModified);
      const d = await c.run("write", (o) => groups().findOneAndUpdate(filter, update, { ...o, returnDocument: "after", projection: { version: 1 } }));
      return d ? versionOf("groups", d) : null;
    },
    listBoundToAccount: (orgId, accountId) => c.run("read", async (o) =>
      (await groups().find({ orgId: { $eq: orgId }, "binding.accountId": { $eq: accountId } }, o).sort({ seq: 1 }).toArray()).map(toGroup)),
    existingUserIds: (orgId, userIds, options) => c.run("read", async (o) => {
      const ids = unique(userIds);
      if (ids.length === 0) return new Set<string>();
      const visible: Doc = options?.includeIndependent ? {} : { status: { $ne: "independent" } };
      const docs = await users().find({ orgId: { $eq: orgId }, _id: { $in: ids }, ...visible }, { ...o, projection: { _id: 1 } }).toArray();
      return new Set(docs.map((d) => String(d._id)));
    }),
  };
}
