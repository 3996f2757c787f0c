/** The users repository on SQLite: one row a membership, emails in an indexed side table. */
import type Database from "better-sqlite3";
import type { ListQuery, ListResult, UserRepo } from "../../domain/ports/store";
import type { StoredUser } from "../../domain/stored-data";
import type { Email, MemberStatus, OrgRole, UserRecord } from "../../domain/types";
import { guard } from "./errors";
import { foldCase } from "./fold";
import { listPage } from "./list";
import { rangeOf, sqliteMailboxKey, SPELT_OTHERWISE } from "./mailbox-keys";
import { USER_MAP } from "./resource-maps";
import { listStoredUsers } from "./user-page";
import { emailRows, USER_COLUMNS, userParams, userValues } from "./user-rows";
import { insertUsers } from "./users-batch";

/** A users row in raw mode (an array, no object with named keys made per row): COLUMNS' order. */
type UserRow = [
  seq: number, id: string, org_id: string, user_name: string, external_id: string | null, display_name: string | null,
  active: number, status: string, org_role: string | null, two_factor_required: number, password_reset_required: number,
  data: string, version: number, created: string, last_modified: string,
];

/** The users columns an update compares with the stored row, setting those that changed (userParams' names). */
const SET_COLUMNS = ["user_name", "user_name_fold", "external_id", "display_name", "active", "status", "org_role",
  "two_factor_required", "password_reset_required", "primary_email"] as const;

/** Email rows one INSERT writes at most (a user with more takes one statement a part): a statement each for the few sizes seen. */
const EMAILS_AT_ONCE = 8;

/** Whether a user's user_emails rows (value, value_fold, type, is_primary, in rowid order) are `rows`. */
const sameRows = (stored: unknown[][], rows: ReturnType<typeof emailRows>): boolean =>
  stored.length === rows.length && stored.every((r, i) => r.every((v, k) => v === rows[i]![k]));

const COLUMNS = "u.seq, u.id, u.org_id, u.user_name, u.external_id, u.display_name, u.active, u.status, u.org_role, u.two_factor_required, u.password_reset_required, u.data, u.version, u.created, u.last_modified";

function toRecord(row: UserRow): UserRecord {
  const data = JSON.parse(row[11]) as Record<string, unknown>;
  return {
    id: row[1],
    orgId: row[2],
    userName: row[3],
    externalId: row[4],
    displayName: row[5],
    active: row[6] === 1,
    status: row[7] as MemberStatus,
    orgRole: row[8] as OrgRole | null,
    twoFactorRequired: row[9] === 1,
    passwordResetRequired: row[10] === 1,
    emails: Array.isArray(data.emails) ? (data.emails as Email[]) : [],
    data,
    version: row[12],
    created: row[13],
    lastModified: row[14],
  };
}

interface Search {
  count: Database.Statement;
  page: Database.Statement;
}

/**
 * Sorts after every other character (UTF-8 bytes and NOCASE compare code point by code point), so
 * `p <= s < p + AFTER_ALL` holds exactly for the strings s starting with p (but those continuing
 * with U+10FFFF itself, a noncharacter).
 */
const AFTER_ALL = "\u{10FFFF}";

/**
 * The members whose userName (users_org_user_name_fold) or an email value
 * (user_emails_org_value_fold), both folded by foldCase, starts with the search text: two index ranges,
 * joined to users by rowid. CROSS JOIN keeps the matches as the outer loop, so the query never
 * walks the organization. Parameters: memberSearchArgs(), then the organization (and status).
 */
export function memberSearchSql(withStatus: boolean): { count: string; page: string } {
  const matches = `(SELECT seq FROM users WHERE org_id = ? AND user_name_fold >= ? AND user_name_fold < ?
    UNION SELECT user_seq FROM user_emails WHERE org_id = ? AND value_fold >= ? AND value_fold < ?) m CROSS JOIN users u ON u.seq = m.seq`;
  const where = withStatus ? "u.org_id = ? AND u.status = ?" : "u.org_id = ?";
  return {
    count: `SELECT count(*) FROM ${matches} WHERE ${where}`,
    page: `SELECT ${COLUMNS} FROM ${matches} WHERE ${where} ORDER BY u.seq LIMIT ? OFFSET ?`,
  };
}

export function memberSearchArgs(orgId: string, text: string): unknown[] {
  const fold = foldCase(text);
  return [orgId, fold, fold + AFTER_ALL, orgId, fold, fold + AFTER_ALL];
}

export function sqliteUsers(db: Database.Database): UserRepo {
  const s = {
    // Positional parameters (userValues): binding 16 named ones read each from an object by its name.
    insert: db.prepare(`INSERT INTO users (${USER_COLUMNS.join(", ")}) VALUES (${USER_COLUMNS.map(() => "?").join(", ")})`),
    // The row an update changes: its seq, version and the columns it compares (SET_COLUMNS' order).
    current: db.prepare(`SELECT seq, version, ${SET_COLUMNS.join(", ")} FROM users WHERE org_id = ? AND id = ?`).raw(),
    emailsOf: db.prepare("SELECT value, value_fold, type, is_primary FROM user_emails WHERE user_seq = ? ORDER BY rowid").raw(),
    // Kept by triggers (migration 10): the users SCIM lists, those not independent.
    memberCount: db.prepare("SELECT members FROM org_member_counts WHERE org_id = ?").pluck(),
    // A user's email rows in one statement for up to EMAILS_AT_ONCE of them (index n - 1: n rows, in
    // their order, as one INSERT each would number them), prepared when first needed.
    insertEmails: [] as Database.Statement[],
    deleteEmails: db.prepare("DELETE FROM user_emails WHERE user_seq = ?"),
    get: db.prepare(`SELECT ${COLUMNS} FROM users u WHERE u.org_id = ? AND u.id = ? AND u.status <> 'independent'`).raw(),
    byUserName: db.prepare(`SELECT ${COLUMNS} FROM users u WHERE u.org_id = ? AND u.user_name_fold = ? AND u.status <> 'independent'`).raw(),
    byExternalId: db.prepare(`SELECT ${COLUMNS} FROM users u WHERE u.org_id = ? AND u.external_id = ? AND u.status <> 'independent' ORDER BY u.active DESC, u.seq LIMIT 1`).raw(),
    delete: db.prepare("DELETE FROM users WHERE org_id = ? AND id = ?"),
    // INDEXED BY: without statistics (a fresh store, an organization's first sync) the planner
    // walked the organization's users instead (tests: sqlite-users-index-uses, "without statistics").
    // The same mailbox whatever its domain's spelling (case 78, ./mailbox-keys.ts): the index range of
    // the key's local part, of which only the address itself and the spellings a key may fold
    // (non-ASCII, a trailing dot) are read from the table, then compared by their keys.
    managedElsewhere: db.prepare(`SELECT primary_email FROM users INDEXED BY users_primary_email WHERE primary_email >= (${rangeOf("@key").from}) COLLATE NOCASE
      AND primary_email < (${rangeOf("@key").below}) COLLATE NOCASE AND (primary_email = @key COLLATE NOCASE OR ${SPELT_OTHERWISE}) AND status = 'managed' AND org_id <> @orgId`).pluck(),
    // The lookups of many at once (imports): the strings as a JSON array, each row naming its string's
    // place (j.key, after COLUMNS); each the same condition and index as the lookup of one above.
    byUserNames: db.prepare(`SELECT ${COLUMNS}, j.key FROM json_each(?) j CROSS JOIN users u
      WHERE u.org_id = ? AND u.user_name_fold = j.value AND u.status <> 'independent'`).raw(),
    byPrimaryEmails: db.prepare(`SELECT ${COLUMNS}, j.key FROM json_each(?) j CROSS JOIN users u
      WHERE u.seq = (SELECT v.seq FROM users v INDEXED BY users_primary_email WHERE v.primary_email = j.value COLLATE NOCASE AND v.org_id = ? ORDER BY v.seq LIMIT 1)`).raw(),
    findManagedElsewhere: db.prepare(`SELECT j.key, u.primary_email FROM json_each(?) j CROSS JOIN users u INDEXED BY users_primary_email
      WHERE u.primary_email >= (${rangeOf("j.value").from}) COLLATE NOCASE AND u.primary_email < (${rangeOf("j.value").below}) COLLATE NOCASE
      AND (u.primary_email = j.value COLLATE NOCASE OR ${SPELT_OTHERWISE.replace(/primary_email/g, "u.primary_email")}) AND u.status = 'managed' AND u.org_id <> ?`).raw(),
    // The role as a literal: users_org_owner (migration 25) holds the owners only, and SQLite uses a
    // partial index for a statement whose WHERE implies the index's, which a bound role does not.
    countOwners: db.prepare("SELECT count(*) FROM users WHERE org_id = ? AND org_role = 'owner'").pluck(),
    getAny: db.prepare(`SELECT ${COLUMNS} FROM users u WHERE u.org_id = ? AND u.id = ?`).raw(),
    byPrimaryEmail: db.prepare(`SELECT ${COLUMNS} FROM users u INDEXED BY users_primary_email WHERE u.primary_email = ? COLLATE NOCASE AND u.org_id = ? ORDER BY u.seq LIMIT 1`).raw(),
    search: [false, true].map((withStatus): Search => {
      const sql = memberSearchSql(withStatus);
      return { count: db.prepare(sql.count).pluck(), page: db.prepare(sql.page).raw() };
    }) as [anyStatus: Search, oneStatus: Search],
  };

  const params = userParams;

  const writeEmails = (seq: number, u: UserRecord, fresh: boolean) => {
    const rows = emailRows(u);
    if (!fresh) {
      // Rows equal to the user's emails stay as they are: rewriting them changes no answer but
      // dirties the pages of user_emails and its two indexes (a deactivation kept 2 emails: 8 of its 21 WAL pages).
      if (sameRows(s.emailsOf.all(seq) as unknown[][], rows)) return;
      s.deleteEmails.run(seq);
    }
    for (let from = 0; from < rows.length; from += EMAILS_AT_ONCE) {
      const part = rows.slice(from, from + EMAILS_AT_ONCE);
      const args: unknown[] = [];
      for (const [value, fold, type, primary] of part) args.push(seq, u.orgId, value, fold, type, primary);
      insertEmails(part.length).run(args);
    }
  };
  const insertEmails = (n: number): Database.Statement =>
    (s.insertEmails[n - 1] ??= db.prepare(`INSERT INTO user_emails (user_seq, org_id, value, value_fold, type, is_primary) VALUES ${Array.from({ length: n }, () => "(?, ?, ?, ?, ?, ?)").join(", ")}`));

  const insertRows = (u: UserRecord) => {
    const info = s.insert.run(userValues(u));
    writeEmails(Number(info.lastInsertRowid), u, true);
  };
  const insertAtomically = db.transaction(insertRows);
  // Inside the store's own transaction a failure rolls everything back already: no savepoint needed
  // (it cost a third of an import's time).
  const insert = (u: UserRecord) => (db.inTransaction ? insertRows(u) : insertAtomically(u));

  // One UPDATE a set of changed columns (prepared once each; at most 2^10, a handful in practice).
  const updates = new Map<number, Database.Statement>();
  const updateOf = (mask: number): Database.Statement => {
    let st = updates.get(mask);
    if (!st) {
      const set = SET_COLUMNS.filter((_, i) => mask & (1 << i)).map((c) => `${c} = ?`);
      st = db.prepare(`UPDATE users SET ${[...set, "data = ?", "version = ?", "last_modified = ?"].join(", ")} WHERE seq = ? AND version = ?`);
      updates.set(mask, st);
    }
    return st;
  };
  /**
   * The compare-and-set on version, writing only the columns whose value changes (data, version
   * and last_modified always): SQLite rewrites the entry of every index over a column an UPDATE
   * sets, changed or not, and fires the triggers `AFTER UPDATE OF` it (each of them acts only on a
   * changed value). An update that changes no indexed column (a deactivation) rewrites the row alone.
   */
  const updateRows = (u: UserRecord, expected: number): boolean => {
    const row = s.current.get(u.orgId, u.id) as [number, number, ...unknown[]] | undefined;
    if (!row || row[1] !== expected) return false;
    const p = params(u);
    const values: unknown[] = [];
    let mask = 0;
    SET_COLUMNS.forEach((c, i) => {
      const v = p[c];
      if (v !== row[i + 2]) { mask |= 1 << i; values.push(v); }
    });
    const info = updateOf(mask).run(...values, p.data, p.version, p.last_modified, row[0], expected);
    if (info.changes !== 1) return false;
    writeEmails(row[0], u, false);
    return true;
  };
  const updateAtomically = db.transaction(updateRows);
  const update = (u: UserRecord, expected: number) => (db.inTransaction ? updateRows(u, expected) : updateAtomically(u, expected));

  const one = (row: unknown) => (row ? toRecord(row as UserRow) : null);

  const insertMany = insertUsers(db);
  const memberCount = (org: string) => (s.memberCount.get(org) as number | undefined) ?? 0;
  return {
    insert: async (u) => guard(() => insert(u)),
    insertMany: async (orgId, users) => guard(() => insertMany(orgId, users)),
    get: async (orgId, id, options) => guard(() => one((options?.includeIndependent ? s.getAny : s.get).get(orgId, id))),
    findByUserName: async (orgId, userName) => guard(() => one(s.byUserName.get(orgId, foldCase(userName)))),
    findByExternalId: async (orgId, externalId) => guard(() => one(s.byExternalId.get(orgId, externalId))),
    update: async (u, expected) => guard(() => update(u, expected)),
    delete: async (orgId, id) => guard(() => s.delete.run(orgId, id).changes === 1),
    list: async (orgId: string, q: ListQuery): Promise<ListResult<UserRecord>> =>
      guard(() => listPage(db, USER_MAP, "users u", "u.status <> 'independent'", COLUMNS, orgId, q, (r) => toRecord(r as UserRow), memberCount, true)),
    listStored: async (orgId: string, q: ListQuery): Promise<ListResult<StoredUser>> => guard(() => listStoredUsers(db, orgId, q, memberCount)),
    isManagedElsewhere: async (orgId, email) => guard(() => {
      const key = sqliteMailboxKey(email);
      return (s.managedElsewhere.all({ key, orgId }) as string[]).some((stored) => sqliteMailboxKey(stored) === key);
    }),
    findManyByUserName: async (orgId, names) => guard(() => {
      const rows = s.byUserNames.all(JSON.stringify(names.map(foldCase)), orgId) as [...UserRow, number][];
      return new Map(rows.map((r) => [names[r[15]]!, toRecord(r as unknown as UserRow)]));
    }),
    findManyByPrimaryEmail: async (orgId, emails) => guard(() => {
      const rows = s.byPrimaryEmails.all(JSON.stringify(emails), orgId) as [...UserRow, number][];
      return new Map(rows.map((r) => [emails[r[15]]!, toRecord(r as unknown as UserRow)]));
    }),
    findManagedElsewhere: async (orgId, emails) => guard(() => {
      const keys = emails.map(sqliteMailboxKey);
      const rows = s.findManagedElsewhere.all(JSON.stringify(keys), orgId) as [number, string][];
      return new Set(rows.filter(([k, stored]) => sqliteMailboxKey(stored) === keys[k]).map(([k]) => emails[k]!));
    }),
    countByRole: async (orgId, role) => guard(() => {
      if (role !== "owner") throw new Error(`countByRole counts owners only, not ${String(role)}`);
      return s.countOwners.get(orgId) as number;
    }),
    findByPrimaryEmail: async (orgId, email) => guard(() => one(s.byPrimaryEmail.get(email, orgId))),
    listByStatus: async (orgId, q) => guard(() => {
      const where = q.status ? "u.org_id = ? AND u.status = ?" : "u.org_id = ?";
      const args: unknown[] = q.status ? [orgId, q.status] : [orgId];
      if (q.search) {
        const st = s.search[q.status ? 1 : 0];
        const found = [...memberSearchArgs(orgId, q.search), ...args];
        const total = st.count.get(...found) as number;
        return { total, items: (st.page.all(...found, q.limit, q.offset) as UserRow[]).map(toRecord) };
      }
      const total = db.prepare(`SELECT count(*) FROM users u WHERE ${where}`).pluck().get(...args) as number;
      const rows = db.prepare(`SELECT ${COLUMNS} FROM users u WHERE ${where} ORDER BY u.seq LIMIT ? OFFSET ?`).raw().all(...args, q.limit, q.offset);
      return { total, items: (rows as UserRow[]).map(toRecord) };
    }),
  };
}
