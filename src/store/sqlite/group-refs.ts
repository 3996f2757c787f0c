/**
 * The groups of a page of users (GroupRef lists, each in groupsOfUser's order: by group seq), read
 * in a number of statements that does not grow with the page: the page's memberships give each
 * user's group seqs, then the few distinct groups they name are read once each (a page's users share
 * a handful of groups: each group's row is read and its binding parsed once, not once per member).
 * The memberships come from the users' ids (groupsOfUsers), from their seqs (a page of users read
 * here, ./user-page.ts), or, for a page in seq order, in one statement over the page's range of
 * seqs in its organization (pageGroupRefs).
 */
import type Database from "better-sqlite3";
import type { GroupRef } from "../../domain/ports/store";
import type { GroupBinding } from "../../domain/types";
import { prepared } from "./list";

// Each statement starts from its JSON array of keys; CROSS JOIN pins that order (SQLite keeps a CROSS
// JOIN's left table outer): with the statistics of a store opened empty the planner walked every
// membership and scanned the page's keys for each (test/store/sqlite-groups-of-users-plan).
/** Each user's (by its place in the array of ids) group seqs, through users' (org_id, id). */
const OF_USER_IDS = `SELECT j.key, m.group_seq FROM json_each(?) j
  CROSS JOIN users u ON u.org_id = ? AND u.id = j.value CROSS JOIN group_members m ON m.user_seq = u.seq`;
/** Each user's (by its place in the array of seqs) group seqs, from group_members_user_id alone. */
const OF_USER_SEQS = "SELECT j.key, m.group_seq FROM json_each(?) j CROSS JOIN group_members m ON m.user_seq = j.value";
const REFS_BY_SEQ = `SELECT g.seq, g.id, g.display_name, g.builtin, g.binding FROM json_each(?) j
  CROSS JOIN groups g ON g.seq = j.value`;

/**
 * The memberships of a page of users in seq order, in one statement: the organization's users (not
 * independent) from the page's first seq to its last, which are the page's rows, found in
 * users_org_member_seq (org_id, seq), so no other organization's user or membership is read. The
 * index is named: on the statistics of a one-organization store the planner took the users' rowid
 * range instead, which spans every organization's users in it (test/store/sqlite-groups-of-users-plan).
 * Each one's memberships by group_members_user_id. One text, "user seq,group seq,..." (null for none):
 * no row is made per membership (an array each, which cost more than the statement's own work), nor
 * a subquery run per user of the page (what the page's own query did before).
 */
const PAGE_MEMBERSHIPS = `SELECT group_concat(m.user_seq || ',' || m.group_seq) FROM users u INDEXED BY users_org_member_seq CROSS JOIN group_members m ON m.user_seq = u.seq
  WHERE u.org_id = ? AND u.status <> 'independent' AND u.seq >= ? AND u.seq <= ?`;

/**
 * The GroupRef list of each user of a page read in seq order (`seqs` ascending: the page's rows in
 * `orgId`): its memberships in one statement (PAGE_MEMBERSHIPS), then the groups they name, each once.
 * A membership of a user in the range who is not on the page (none: the page is every such user)
 * is not listed.
 */
export function pageGroupRefs(db: Database.Database, orgId: string, seqs: readonly number[]): GroupRef[][] {
  if (seqs.length === 0) return [];
  const pairs = prepared(db, PAGE_MEMBERSHIPS).pluck().get(orgId, seqs[0], seqs[seqs.length - 1]) as string | null;
  if (pairs === null) return seqs.map(() => []);
  const lists: number[][] = seqs.map(() => []);
  const at = new Map<number, number>();
  seqs.forEach((seq, i) => at.set(seq, i));
  const flat = JSON.parse(`[${pairs}]`) as number[];
  for (let i = 0; i < flat.length; i += 2) {
    const user = at.get(flat[i] as number);
    if (user !== undefined) (lists[user] as number[]).push(flat[i + 1] as number);
  }
  return groupRefLists(db, lists);
}

/** The group seqs of each user in `keys` (ids in `orgId`, or seqs), one list per key, in `keys`' order. */
function seqLists(db: Database.Database, keys: readonly (string | number)[], orgId: string | null): number[][] {
  const lists: number[][] = keys.map(() => []);
  const rows = (orgId === null
    ? prepared(db, OF_USER_SEQS).raw().all(JSON.stringify(keys))
    : prepared(db, OF_USER_IDS).raw().all(JSON.stringify(keys), orgId)) as [number, number][];
  for (const [at, groupSeq] of rows) (lists[at] as number[]).push(groupSeq);
  return lists;
}

/**
 * The GroupRef list of each list of group seqs, in group order: the distinct groups read once, a
 * fresh GroupRef (and binding) per entry, so that no two users share an object.
 */
export function groupRefLists(db: Database.Database, lists: readonly number[][]): GroupRef[][] {
  const distinct = new Set<number>();
  for (const seqs of lists) for (const seq of seqs) distinct.add(seq);
  const out: GroupRef[][] = lists.map(() => []);
  if (distinct.size === 0) return out;
  const refs = new Map<number, GroupRef>();
  const rows = prepared(db, REFS_BY_SEQ).raw().all(JSON.stringify([...distinct])) as [number, string, string, number, string | null][];
  for (const [seq, id, display, builtin, binding] of rows) {
    refs.set(seq, { id, display, builtin: builtin === 1, binding: binding ? (JSON.parse(binding) as GroupBinding) : null });
  }
  lists.forEach((seqs, at) => {
    if (seqs.length === 0) return;
    const list = out[at] as GroupRef[];
    for (const seq of ascending(seqs) ? seqs : [...seqs].sort((a, b) => a - b)) {
      const ref = refs.get(seq);
      if (ref) list.push({ id: ref.id, display: ref.display, builtin: ref.builtin, binding: ref.binding ? { ...ref.binding } : null });
    }
  });
  return out;
}

/** Whether `seqs` are in ascending order already (a user's memberships come in membership order, mostly that of their groups): no copy sorted. */
function ascending(seqs: readonly number[]): boolean {
  for (let i = 1; i < seqs.length; i++) if ((seqs[i] as number) < (seqs[i - 1] as number)) return false;
  return true;
}

/** One user's groups by its seq, in group order: one statement (a lookup's page of one). */
const REFS_OF_USER_SEQ = `SELECT g.id, g.display_name, g.builtin, g.binding FROM group_members m CROSS JOIN groups g ON g.seq = m.group_seq
  WHERE m.user_seq = ? ORDER BY g.seq`;

/** The group lists of users given by seq (a page this store read), in `seqs`' order. */
export function groupRefsOfSeqs(db: Database.Database, seqs: readonly number[]): GroupRef[][] {
  if (seqs.length !== 1) return seqs.length === 0 ? [] : groupRefLists(db, seqLists(db, seqs, null));
  const rows = prepared(db, REFS_OF_USER_SEQ).raw().all(seqs[0]) as [string, string, number, string | null][];
  return [rows.map(([id, display, builtin, binding]) => ({ id, display, builtin: builtin === 1, binding: binding ? (JSON.parse(binding) as GroupBinding) : null }))];
}

/**
 * groups.groupsOfUsers: by user id; a user in no group (or unknown, or of another organization) has
 * an empty list, and a user listed twice gets the same list twice, not a list twice as long.
 */
export function groupsOfUsers(db: Database.Database, orgId: string, userIds: readonly string[]): Map<string, GroupRef[]> {
  const byUser = new Map<string, GroupRef[]>();
  if (userIds.length === 0) return byUser;
  const lists = groupRefLists(db, seqLists(db, userIds, orgId));
  userIds.forEach((id, at) => {
    const list = byUser.get(id);
    if (list === undefined || list.length === 0) byUser.set(id, lists[at] as GroupRef[]);
  });
  return byUser;
}
