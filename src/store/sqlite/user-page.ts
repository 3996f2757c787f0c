/**
 * users.listStored on SQLite: listPage's page of users (the same rows, total and cursor as
 * users.list), each user as stored (StoredUser: the columns its answer is written from and its
 * attributes' text, JSON.stringify(data) from every writer (./user-rows.ts), not parsed) and with
 * its groups (groupsOfUser's list), read with the page so that the page's answer needs no other
 * read. An unfiltered page in seq order (a cursor page, a startIndex page: an IdP's walk of the
 * users) reads its groups in one statement over its range of seqs in the organization
 * (pageGroupRefs); any other page (filtered or sorted: not a range of seqs) by the rows' seqs.
 */
import type Database from "better-sqlite3";
import type { ListQuery, ListResult } from "../../domain/ports/store";
import type { StoredUser } from "../../domain/stored-data";
import type { MemberStatus, OrgRole } from "../../domain/types";
import { groupRefsOfSeqs, pageGroupRefs } from "./group-refs";
import { listPage } from "./list";
import { USER_MAP } from "./resource-maps";

/** A page row in raw mode (an array: no object with named keys per row), COLUMNS' order. */
type PageRow = [
  seq: number, id: string, external_id: string | null, active: number, status: string, org_role: string | null,
  two_factor_required: number, password_reset_required: number, data: string, version: number, created: string, last_modified: string,
];

/** org_id is not read (every row is the organization's the page asks for), nor user_name and display_name (the answer's are the attributes'). */
const COLUMNS = "u.seq, u.id, u.external_id, u.active, u.status, u.org_role, u.two_factor_required, u.password_reset_required, u.data, u.version, u.created, u.last_modified";

interface Read { seq: number; user: StoredUser }

export function listStoredUsers(db: Database.Database, orgId: string, q: ListQuery, countAll: (orgId: string) => number): ListResult<StoredUser> {
  const toRead = (r: unknown): Read => {
    const row = r as PageRow;
    return {
      seq: row[0],
      user: {
        id: row[1],
        orgId,
        externalId: row[2],
        active: row[3] === 1,
        status: row[4] as MemberStatus,
        orgRole: row[5] as OrgRole | null,
        twoFactorRequired: row[6] === 1,
        passwordResetRequired: row[7] === 1,
        version: row[9],
        created: row[10],
        lastModified: row[11],
        dataText: row[8],
        groups: [],
      },
    };
  };
  const page = listPage(db, USER_MAP, "users u", "u.status <> 'independent'", COLUMNS, orgId, q, toRead, countAll, true);
  const seqs = page.items.map((r) => r.seq);
  const groups = !q.filter && !q.sort && seqs.length > 1 ? pageGroupRefs(db, orgId, seqs) : groupRefsOfSeqs(db, seqs);
  const result: ListResult<StoredUser> = { total: page.total, items: page.items.map((r, at) => {
    r.user.groups = groups[at] ?? [];
    return r.user;
  }) };
  if (page.nextCursor !== undefined) result.nextCursor = page.nextCursor;
  return result;
}
