/**
 * users.listStored on SQLite: listPage's page of users (the same rows, total and cursor as
 * users.list), each user as stored (StoredUser: its attributes' text, JSON.stringify(data) from every
 * writer (./user-rows.ts), not parsed) and with its
 * groups (groupsOfUser's list), read with the page so that the page's answer needs no other read.
 * An unfiltered page in seq order (a cursor page, a startIndex page: an IdP's walk of the users)
 * names each row's group seqs in a column of its own query (a subquery per row returned, on
 * group_members_user_id); any other page (filtered or sorted: its rows may pass through a sorter,
 * which would run the subquery for every match) reads them after, by the rows' seqs.
 */
import type Database from "better-sqlite3";
import type { ListQuery, ListResult } from "../../domain/ports/store";
import type { StoredUser } from "../../domain/stored-data";
import type { MemberStatus, OrgRole } from "../../domain/types";
import { GROUP_SEQS_COLUMN, groupRefLists, groupRefsOfSeqs, groupSeqsOf } from "./group-refs";
import { listPage } from "./list";
import { USER_MAP } from "./resource-maps";

/** A page row in raw mode (an array: no object with named keys per row), COLUMNS' order, then the group seqs when asked. */
type PageRow = [
  seq: number, id: string, user_name: string, external_id: string | null, display_name: string | null,
  active: number, status: string, org_role: string | null, two_factor_required: number, password_reset_required: number,
  data: string, version: number, created: string, last_modified: string, group_seqs?: string | null,
];

/** org_id is not read: every row is the organization's the page asks for. */
const COLUMNS = "u.seq, u.id, u.user_name, u.external_id, u.display_name, u.active, u.status, u.org_role, u.two_factor_required, u.password_reset_required, u.data, u.version, u.created, u.last_modified";
const WITH_GROUP_SEQS = `${COLUMNS}, ${GROUP_SEQS_COLUMN}`;

interface Read { seq: number; user: StoredUser; groupSeqs: string | null | undefined }

export function listStoredUsers(db: Database.Database, orgId: string, q: ListQuery, countAll: (orgId: string) => number): ListResult<StoredUser> {
  const inQuery = !q.filter && !q.sort;
  const toRead = (r: unknown): Read => {
    const row = r as PageRow;
    return {
      seq: row[0],
      groupSeqs: row[14],
      user: {
        id: row[1],
        orgId,
        userName: row[2],
        externalId: row[3],
        displayName: row[4],
        active: row[5] === 1,
        status: row[6] as MemberStatus,
        orgRole: row[7] as OrgRole | null,
        twoFactorRequired: row[8] === 1,
        passwordResetRequired: row[9] === 1,
        version: row[11],
        created: row[12],
        lastModified: row[13],
        dataText: row[10],
        groups: [],
      },
    };
  };
  const page = listPage(db, USER_MAP, "users u", "u.status <> 'independent'", inQuery ? WITH_GROUP_SEQS : COLUMNS, orgId, q, toRead, countAll, true);
  const groups = inQuery
    ? groupRefLists(db, page.items.map((r) => groupSeqsOf(r.groupSeqs ?? null)))
    : groupRefsOfSeqs(db, page.items.map((r) => r.seq));
  const result: ListResult<StoredUser> = { total: page.total, items: page.items.map((r, at) => {
    r.user.groups = groups[at] ?? [];
    return r.user;
  }) };
  if (page.nextCursor !== undefined) result.nextCursor = page.nextCursor;
  return result;
}
