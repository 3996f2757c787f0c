/**
 * Memberships as resources (the GroupMember resource) on SQLite: lists in id order, each page one
 * range of an index ending in id (migration 18): group_members_group_id for a group's,
 * group_members_user_id for a user's, group_members_org_id for the organization's. Pages by OFFSET
 * (startIndex) or by keyset on the id (cursor, RFC 9865); counted only when the page does not end the results.
 */
import type Database from "better-sqlite3";
import { decodeMembershipCursor, encodeMembershipCursor } from "../cursors";
import { totalShownByPage } from "../../domain/ports/page-total";
import type { ListResult, Membership, MembershipQuery } from "../../domain/ports/store";

export interface MembershipRow {
  id: string;
  created: string;
  user_id: string;
  display: string | null;
  group_id: string;
  group_display: string;
}

export const MEMBERSHIP_COLUMNS = "m.id, m.created, m.user_id, m.display, g.id AS group_id, g.display_name AS group_display";

export const toMembership = (r: MembershipRow): Membership => ({
  id: r.id, groupId: r.group_id, groupDisplay: r.group_display, userId: r.user_id, userDisplay: r.display, created: r.created,
});

/** Prepared statements by SQL text, per database (a few shapes: group, user, both or neither, built-in groups or not). */
const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();
function prepared(db: Database.Database, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let st = cache.get(sql);
  if (!st) cache.set(sql, (st = db.prepare(sql)));
  return st;
}


/**
 * The WHERE clause of a membership list. A group's or a user's memberships are named by their seq
 * only (the subqueries are scoped to the organization), so that the planner takes that index, not
 * the organization's, for the range.
 */
function scope(orgId: string, q: MembershipQuery): { where: string; params: unknown[]; join: boolean } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (q.groupId !== undefined) {
    parts.push("m.group_seq = (SELECT seq FROM groups WHERE org_id = ? AND id = ?)");
    params.push(orgId, q.groupId);
  }
  if (q.userId !== undefined) {
    parts.push("m.user_seq = (SELECT seq FROM users WHERE org_id = ? AND id = ?)");
    params.push(orgId, q.userId);
  }
  if (parts.length === 0) {
    parts.push("m.org_id = ?");
    params.push(orgId);
  }
  if (q.excludeBuiltin) parts.push("g.builtin = 0");
  return { where: parts.join(" AND "), params, join: q.excludeBuiltin === true };
}

export function listMemberships(db: Database.Database, orgId: string, q: MembershipQuery): ListResult<Membership> {
  const { where, params, join } = scope(orgId, q);
  const from = "group_members m JOIN groups g ON g.seq = m.group_seq";
  // The page first, one row more than asked for: when the page ends the results it gives the total (../../domain/ports/page-total.ts).
  const total = (): number => prepared(db, `SELECT count(*) FROM ${join ? from : "group_members m"} WHERE ${where}`).pluck().get(...params) as number;
  if (q.count <= 0) return { total: total(), items: [] };
  const limit = q.count + 1;
  let rows: MembershipRow[];
  let skipped: number | undefined;
  if (q.cursor !== undefined) {
    const after = decodeMembershipCursor(q.cursor);
    rows = prepared(db, `SELECT ${MEMBERSHIP_COLUMNS} FROM ${from} WHERE ${where} AND m.id > ? ORDER BY m.id LIMIT ?`).all(...params, after, limit) as MembershipRow[];
    skipped = q.cursor === "" ? 0 : undefined; // a later page does not know how many went before
  } else {
    skipped = Math.max(0, q.startIndex - 1);
    rows = prepared(db, `SELECT ${MEMBERSHIP_COLUMNS} FROM ${from} WHERE ${where} ORDER BY m.id LIMIT ? OFFSET ?`).all(...params, limit, skipped) as MembershipRow[];
  }
  const more = rows.length > q.count;
  const page = more ? rows.slice(0, q.count) : rows;
  const result: ListResult<Membership> = { total: (skipped !== undefined ? totalShownByPage(skipped, limit, rows.length) : undefined) ?? total(), items: page.map(toMembership) };
  const last = page[page.length - 1];
  if (q.cursor !== undefined && more && last) result.nextCursor = encodeMembershipCursor(last.id);
  return result;
}
