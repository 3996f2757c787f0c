/**
 * Many new users at once (UserRepo.insertMany, for imports): their rows in one INSERT a chunk, their
 * emails in one more, read from a JSON array by json_each, in the order given.
 *
 * Why statements, not rows, are what costs: every transaction runs inside the group committer's
 * savepoint (./group-commit.ts), and with temp_store=MEMORY SQLite keeps the savepoint's
 * sub-journal in memory in 1 KB chunks, which it truncates at the end of every statement that
 * journaled a page by walking the chunk list from its start (memjrnlTruncate). Each statement
 * therefore costs in proportion to the pages the transaction touched before it: an import of 2,000
 * users a transaction, one INSERT a user and one a membership, grew quadratic in its batch
 * (figures in the commit message). One statement for the batch's users pays that walk once.
 */
import type Database from "better-sqlite3";
import type { UserRecord } from "../../domain/types";
import { emailRows, userParams } from "./user-rows";

/** Rows a statement: bounds the JSON text a statement binds, whatever the batch. */
const CHUNK = 500;

const COLUMNS = [
  "id", "org_id", "user_name", "user_name_fold", "external_id", "display_name", "active", "status", "org_role",
  "two_factor_required", "password_reset_required", "primary_email", "data", "version", "created", "last_modified",
] as const;

export function insertUsers(db: Database.Database): (orgId: string, users: readonly UserRecord[]) => void {
  // json_each yields the array in order, and ORDER BY its key says so: seq follows the list, as it does for inserts one by one.
  const rows = db.prepare(`INSERT INTO users (${COLUMNS.join(", ")})
    SELECT ${COLUMNS.map((_, i) => `r.value ->> ${i}`).join(", ")} FROM json_each(?) r ORDER BY r.key`);
  // Each email row finds its user's seq by the user's id (unique in the store), in the given order.
  const emails = db.prepare(`INSERT INTO user_emails (user_seq, org_id, value, value_fold, type, is_primary)
    SELECT u.seq, u.org_id, e.value ->> 1, e.value ->> 2, e.value ->> 3, e.value ->> 4
    FROM json_each(?) e CROSS JOIN users u WHERE u.id = e.value ->> 0 AND u.org_id = ? ORDER BY e.key`);

  const insertChunk = (orgId: string, users: readonly UserRecord[]) => {
    rows.run(JSON.stringify(users.map((u) => {
      const p = userParams(u);
      return COLUMNS.map((c) => p[c]);
    })));
    const mails = users.flatMap((u) => emailRows(u).map((e) => [u.id, ...e]));
    if (mails.length > 0) emails.run(JSON.stringify(mails), orgId);
  };
  const insertAll = (orgId: string, users: readonly UserRecord[]) => {
    for (let i = 0; i < users.length; i += CHUNK) insertChunk(orgId, users.slice(i, i + CHUNK));
  };
  // Inside the store's transaction a failure rolls all of it back already; alone, all or none.
  const insertAtomically = db.transaction(insertAll);
  return (orgId, users) => {
    const stray = users.find((u) => u.orgId !== orgId);
    if (stray) throw new Error(`insertMany: user ${stray.id} is of organization ${stray.orgId}, not ${orgId}`);
    if (users.length === 0) return;
    (db.inTransaction ? insertAll : insertAtomically)(orgId, users);
  };
}
