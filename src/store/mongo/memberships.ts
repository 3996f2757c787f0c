/**
 * Memberships as resources (the GroupMember resource) on MongoDB: group_members documents by their
 * `id` (migration 7), listed in id order, each page one range of an index ending in id
 * ({orgId, id}, {orgId, groupId, id}, {orgId, userId, id}); by skip (startIndex) or by keyset on
 * the id (cursor, RFC 9865). Group and member names come from their documents, one query each per
 * page.
 */
import { decodeMembershipCursor, encodeMembershipCursor } from "../cursors";
import { totalShownByPage } from "../../domain/ports/page-total";
import type { GroupRepo, ListResult, Membership, MembershipQuery } from "../../domain/ports/store";
import type { MongoCtx } from "./ctx";
import { toGroupName, toMembershipRow, toUserName, type Doc } from "./decode";


type MembershipMethods = Pick<GroupRepo, "getMembership" | "findMembership" | "listMemberships">;

export function mongoMemberships(c: MongoCtx): MembershipMethods {
  const members = () => c.coll("group_members");

  /** The memberships `rows` with their group's and user's names (rows whose group or user is gone are left out). */
  const named = (orgId: string, rows: Doc[]) => c.run("read", async (o): Promise<Membership[]> => {
    if (rows.length === 0) return [];
    const memberships = rows.map(toMembershipRow);
    const ids = (of: (m: { groupId: string; userId: string }) => string) => [...new Set(memberships.map(of))];
    const groups = await c.coll("groups").find({ orgId: { $eq: orgId }, _id: { $in: ids((m) => m.groupId) } }, { ...o, projection: { displayName: 1 } }).toArray();
    const users = await c.coll("users").find({ orgId: { $eq: orgId }, _id: { $in: ids((m) => m.userId) } }, { ...o, projection: { displayName: 1, userName: 1 } }).toArray();
    const groupName = new Map(groups.map(toGroupName).map((g) => [g._id, g.displayName]));
    const userName = new Map(users.map(toUserName).map((u) => [u.id, u.display]));
    return memberships.flatMap((m) => {
      const groupDisplay = groupName.get(m.groupId);
      const userDisplay = userName.get(m.userId);
      if (groupDisplay === undefined || userDisplay === undefined) return [];
      return [{ id: m.id, groupId: m.groupId, groupDisplay, userId: m.userId, userDisplay, created: m.created }];
    });
  });
  const one = async (orgId: string, filter: Doc) => {
    const row = await c.run("read", (o) => members().findOne(filter, o));
    return row ? ((await named(orgId, [row]))[0] ?? null) : null;
  };

  return {
    getMembership: (orgId, id) => one(orgId, { orgId: { $eq: orgId }, id: { $eq: id } }),
    findMembership: (orgId, groupId, userId) => one(orgId, { orgId: { $eq: orgId }, groupId: { $eq: groupId }, userId: { $eq: userId } }),
    async listMemberships(orgId: string, q: MembershipQuery): Promise<ListResult<Membership>> {
      const filter: Doc = { orgId: { $eq: orgId } };
      if (q.groupId !== undefined) filter.groupId = { $eq: q.groupId };
      if (q.userId !== undefined) filter.userId = { $eq: q.userId };
      if (q.excludeBuiltin) {
        // The built-in groups are the few org-role groups of the organization.
        const builtin = await c.run("read", (o) => c.coll("groups").find({ orgId: { $eq: orgId }, builtin: { $eq: true } }, { ...o, projection: { _id: 1 } }).toArray());
        if (builtin.length > 0) filter.groupId = { ...(q.groupId !== undefined ? { $eq: q.groupId } : {}), $nin: builtin.map((g) => g._id) };
      }
      // The page first, one row more than asked for: when the page ends the results it gives the total (../../domain/ports/page-total.ts).
      const total = (): Promise<number> => c.run("read", (o) => members().countDocuments(filter, o));
      if (q.count <= 0) return { total: await total(), items: [] };
      const limit = q.count + 1;
      let rows: Doc[];
      let skipped: number | undefined;
      if (q.cursor !== undefined) {
        const after = decodeMembershipCursor(q.cursor);
        const keyed: Doc = after === "" ? filter : { ...filter, id: { $gt: after } };
        rows = await c.run("read", (o) => members().find(keyed, o).sort({ id: 1 }).limit(limit).toArray());
        skipped = q.cursor === "" ? 0 : undefined; // a later page does not know how many went before
      } else {
        skipped = Math.max(0, q.startIndex - 1);
        const skip = skipped;
        rows = await c.run("read", (o) => members().find(filter, o).sort({ id: 1 }).skip(skip).limit(limit).toArray());
      }
      const more = rows.length > q.count;
      const page = more ? rows.slice(0, q.count) : rows;
      const result: ListResult<Membership> = { total: (skipped !== undefined ? totalShownByPage(skipped, limit, rows.length) : undefined) ?? await total(), items: await named(orgId, page) };
      const last = page[page.length - 1];
      if (q.cursor !== undefined && more && last) result.nextCursor = encodeMembershipCursor(toMembershipRow(last).id);
      return result;
    },
  };
}
