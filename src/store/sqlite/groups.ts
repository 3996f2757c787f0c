/**
 * The groups repository on SQLite. Members live in group_members, one row a membership, with its
 * own id and created time (migration 18); memberships list from indexes ending in that id.
 */
import type Database from "better-sqlite3";
import { newId } from "../../domain/ids";
import type { GroupRef, GroupRepo, MemberEntry, Membership } from "../../domain/ports/store";
import type { GroupBinding, GroupRecord } from "../../domain/types";
import { guard } from "./errors";
import { foldCase } from "./fold";
import { groupsOfUsers } from "./group-refs";
import { listPage } from "./list";
import { listMemberships, MEMBERSHIP_COLUMNS, toMembership, type MembershipRow } from "./memberships";
import { GROUP_MAP } from "./resource-maps";

interface GroupRow {
  seq: number;
  id: string;
  org_id: string;
  display_name: string;
  external_id: string | null;
  builtin: number;
  binding: string | null;
  data: string;
  version: number;
  created: string;
  last_modified: string;
}

const COLUMNS = "g.seq, g.id, g.org_id, g.display_name, g.external_id, g.builtin, g.binding, g.data, g.version, g.created, g.last_modified";

const toRecord = (row: GroupRow): GroupRecord => ({
  id: row.id,
  orgId: row.org_id,
  displayName: row.display_name,
  externalId: row.external_id,
  builtin: row.builtin === 1,
  binding: row.binding ? (JSON.parse(row.binding) as GroupBinding) : null,
  data: JSON.parse(row.data) as Record<string, unknown>,
  version: row.version,
  created: row.created,
  lastModified: row.last_modified,
});

interface GroupRefRow { id: string; display_name: string; builtin: number; binding: string | null }
const toGroupRef = (r: GroupRefRow): GroupRef => ({
  id: r.id, display: r.display_name, builtin: r.builtin === 1, binding: r.binding ? (JSON.parse(r.binding) as GroupBinding) : null,
});

/** The insert of a call's members (`add`), `where` narrowing the users it takes. */
const addSql = (where: string) => `INSERT OR IGNORE INTO group_members (group_seq, user_seq, org_id, user_id, display, id, created)
  SELECT g.seq, u.seq, g.org_id, u.id, coalesce(u.display_name, u.user_name), j.value ->> 1, @created
  FROM groups g CROSS JOIN json_each(@members) j CROSS JOIN users u
  WHERE g.org_id = @org AND g.id = @group AND u.id = j.value ->> 0 AND u.org_id = g.org_id${where} ORDER BY j.key`;
/** The insert of one member (`addOne`), `where` narrowing the user it takes. */
const addOneSql = (where: string) => `INSERT OR IGNORE INTO group_members (group_seq, user_seq, org_id, user_id, display, id, created)
  SELECT g.seq, u.seq, g.org_id, u.id, coalesce(u.display_name, u.user_name), @membership, @created
  FROM groups g CROSS JOIN users u WHERE g.org_id = @org AND g.id = @group AND u.id = @user AND u.org_id = g.org_id${where}`;
/** Users that existingUserIds finds without includeIndependent (userExists). */
const MEMBERS_ONLY = " AND u.status <> 'independent'";

export function sqliteGroups(db: Database.Database): GroupRepo {
  const s = {
    insert: db.prepare(`INSERT INTO groups (id, org_id, display_name, display_name_fold, external_id, builtin, binding, data, version, created, last_modified)
      VALUES (@id, @org_id, @display_name, @display_name_fold, @external_id, @builtin, @binding, @data, @version, @created, @last_modified)`),
    update: db.prepare(`UPDATE groups SET display_name=@display_name, display_name_fold=@display_name_fold, external_id=@external_id, builtin=@builtin, binding=@binding,
      data=@data, version=@version, last_modified=@last_modified WHERE org_id=@org_id AND id=@id AND version=@expected`),
    get: db.prepare(`SELECT ${COLUMNS} FROM groups g WHERE g.org_id = ? AND g.id = ?`),
    byName: db.prepare(`SELECT ${COLUMNS} FROM groups g WHERE g.org_id = ? AND g.display_name_fold = ?`),
    delete: db.prepare("DELETE FROM groups WHERE org_id = ? AND id = ?"),
    // All of a call's members in one statement, from a JSON array of [user id, membership id] in the
    // order given (the group found once, each user by its id): a statement costs in proportion to
    // the pages its transaction touched before it (./users-batch.ts says why), so one a member made
    // adding a batch of members quadratic. OR IGNORE: an existing membership keeps its id and time.
    add: db.prepare(addSql("")),
    // One member (a create's role group, an IdP's PATCH of one member): the same row as `add` makes,
    // without the JSON array (json_each, its parse and the sort by key): ~30 µs less a membership.
    addOne: db.prepare(addOneSql("")),
    // The same, for members only (skipIndependent): the users' status read by the insert itself.
    addMembersOnly: db.prepare(addSql(MEMBERS_ONLY)),
    addOneMemberOnly: db.prepare(addOneSql(MEMBERS_ONLY)),
    membership: db.prepare(`SELECT ${MEMBERSHIP_COLUMNS} FROM group_members m JOIN groups g ON g.seq = m.group_seq WHERE m.org_id = ? AND m.id = ?`),
    membershipOf: db.prepare(`SELECT ${MEMBERSHIP_COLUMNS} FROM group_members m JOIN groups g ON g.seq = m.group_seq
      WHERE m.group_seq = (SELECT seq FROM groups WHERE org_id = ? AND id = ?) AND m.user_seq = (SELECT seq FROM users WHERE org_id = ? AND id = ?)`),
    remove: db.prepare(`DELETE FROM group_members WHERE group_seq = (SELECT seq FROM groups WHERE org_id = ? AND id = ?)
      AND user_seq = (SELECT seq FROM users WHERE org_id = ? AND id = ?)`),
    removeAll: db.prepare("DELETE FROM group_members WHERE group_seq = (SELECT seq FROM groups WHERE org_id = ? AND id = ?)"),
    // One range of the primary key: the member's id and display live in its row (migration 8).
    members: db.prepare(`SELECT user_seq, user_id, display FROM group_members
      WHERE group_seq = (SELECT seq FROM groups WHERE org_id = ? AND id = ?) AND user_seq > ? ORDER BY user_seq LIMIT ?`).raw(),
    count: db.prepare("SELECT count(*) FROM group_members WHERE group_seq = (SELECT seq FROM groups WHERE org_id = ? AND id = ?)").pluck(),
    ofUser: db.prepare(`SELECT g.id, g.display_name, g.builtin, g.binding FROM group_members m JOIN groups g ON g.seq = m.group_seq
      WHERE m.user_seq = (SELECT seq FROM users WHERE org_id = ? AND id = ?) ORDER BY g.seq`),
    touch: db.prepare("UPDATE groups SET version = version + 1, last_modified = ? WHERE org_id = ? AND id = ? RETURNING version").pluck(),
    boundToAccount: db.prepare(`SELECT ${COLUMNS} FROM groups g WHERE g.org_id = ? AND json_extract(g.binding, '$.accountId') = ? ORDER BY g.seq`),
    userExists: db.prepare("SELECT 1 FROM users WHERE org_id = ? AND id = ? AND status <> 'independent'").pluck(),
    memberExists: db.prepare("SELECT 1 FROM users WHERE org_id = ? AND id = ?").pluck(),
  };

  const params = (g: GroupRecord) => ({
    id: g.id,
    org_id: g.orgId,
    display_name: g.displayName,
    display_name_fold: foldCase(g.displayName),
    external_id: g.externalId,
    builtin: g.builtin ? 1 : 0,
    binding: g.binding ? JSON.stringify(g.binding) : null,
    data: JSON.stringify(g.data),
    version: g.version,
    created: g.created,
    last_modified: g.lastModified,
  });

  const addRows = (orgId: string, groupId: string, ids: string[], created: string, membersOnly: boolean) =>
    ids.length === 0 ? 0
      : ids.length === 1 ? (membersOnly ? s.addOneMemberOnly : s.addOne).run({ org: orgId, group: groupId, user: ids[0], membership: newId("GM"), created }).changes
        : (membersOnly ? s.addMembersOnly : s.add).run({ org: orgId, group: groupId, members: JSON.stringify(ids.map((id) => [id, newId("GM")])), created }).changes;
  const removeRows = (orgId: string, groupId: string, ids: string[]) => {
    let n = 0;
    for (const id of ids) n += s.remove.run(orgId, groupId, orgId, id).changes;
    return n;
  };
  // Inside the store's transaction a failure rolls the whole of it back: a savepoint of its own
  // (better-sqlite3's nested transaction) would be two more statements per call for nothing.
  const addAtomically = db.transaction(addRows);
  const removeAtomically = db.transaction(removeRows);
  const addMany = (orgId: string, groupId: string, ids: string[], created: string, membersOnly: boolean) =>
    (db.inTransaction ? addRows : addAtomically)(orgId, groupId, ids, created, membersOnly);
  const removeMany = (orgId: string, groupId: string, ids: string[]) => (db.inTransaction ? removeRows : removeAtomically)(orgId, groupId, ids);

  return {
    insert: async (g) => guard(() => void s.insert.run(params(g))),
    get: async (orgId, id) => guard(() => {
      const row = s.get.get(orgId, id) as GroupRow | undefined;
      return row ? toRecord(row) : null;
    }),
    findByDisplayName: async (orgId, name) => guard(() => {
      const row = s.byName.get(orgId, foldCase(name)) as GroupRow | undefined;
      return row ? toRecord(row) : null;
    }),
    update: async (g, expected) => guard(() => s.update.run({ ...params(g), expected }).changes === 1),
    delete: async (orgId, id) => guard(() => s.delete.run(orgId, id).changes === 1),
    list: async (orgId, q) => guard(() => listPage(db, GROUP_MAP, "groups g", q.excludeBuiltin ? "g.builtin = 0" : "1 = 1", COLUMNS, orgId, q, (r) => toRecord(r as GroupRow))),
    addMembers: async (orgId, groupId, ids, created, options) => guard(() => addMany(orgId, groupId, ids, created ?? new Date().toISOString(), options?.skipIndependent === true)),
    removeMembers: async (orgId, groupId, ids) => guard(() => removeMany(orgId, groupId, ids)),
    removeAllMembers: async (orgId, groupId) => guard(() => s.removeAll.run(orgId, groupId).changes),
    listMembers: async (orgId, groupId, limit, after) => guard(() =>
      (s.members.all(orgId, groupId, after ?? 0, limit) as [number, string, string | null][])
        .map(([order, id, display]): MemberEntry => ({ id, display, order }))),
    countMembers: async (orgId, groupId) => guard(() => s.count.get(orgId, groupId) as number),
    getMembership: async (orgId, id) => guard((): Membership | null => {
      const row = s.membership.get(orgId, id) as MembershipRow | undefined;
      return row ? toMembership(row) : null;
    }),
    findMembership: async (orgId, groupId, userId) => guard((): Membership | null => {
      const row = s.membershipOf.get(orgId, groupId, orgId, userId) as MembershipRow | undefined;
      return row ? toMembership(row) : null;
    }),
    listMemberships: async (orgId, q) => guard(() => listMemberships(db, orgId, q)),
    groupsOfUser: async (orgId, userId) => guard(() =>
      (s.ofUser.all(orgId, userId) as GroupRefRow[]).map(toGroupRef)),
    groupsOfUsers: async (orgId, userIds) => guard(() => groupsOfUsers(db, orgId, userIds)),
    touch: async (orgId, groupId, at) => guard(() => (s.touch.get(at, orgId, groupId) as number | undefined) ?? null),
    listBoundToAccount: async (orgId, accountId) => guard(() => (s.boundToAccount.all(orgId, accountId) as GroupRow[]).map(toRecord)),
    existingUserIds: async (orgId, ids, options) => guard(() => {
      const exists = options?.includeIndependent ? s.memberExists : s.userExists;
      return new Set(ids.filter((id) => exists.get(orgId, id) === 1));
    }),
  };
}
