/**
 * Many new users at once (UserRepo.insertMany, for imports): their rows in one multi-row INSERT a
 * chunk, their emails in one more, each value a bound parameter, in the order given.
 *
 * Why statements, not rows, are what costs: every transaction runs inside the group committer's
 * savepoint (./group-commit.ts), and with temp_store=MEMORY SQLite keeps the savepoint's
 * sub-journal in memory in 1 KB chunks, which it truncates at the end of every statement that
 * journaled a page by walking the chunk list from its start (memjrnlTruncate). Each statement
 * therefore costs in proportion to the pages the transaction touched before it: an import of 2,000
 * users a transaction, one INSERT a user and one a membership, grew quadratic in its batch
 * (figures in the commit message). One statement for the batch's users pays that walk once.
 *
 * Why bound parameters, not a JSON array read by json_each (as before): the array made each row's
 * attributes (already JSON text) a JSON string inside JSON, escaped in JavaScript and parsed again
 * by SQLite, column by column (`->>`): a third of the insert's CPU for 100,000 users.
 */
import type Database from "better-sqlite3";
import type { UserRecord } from "../../domain/types";
import { emailRows, USER_COLUMNS as COLUMNS, userValues } from "./user-rows";

const EMAIL_COLUMNS = ["user_seq", "org_id", "value", "value_fold", "type", "is_primary"] as const;

/** Users a statement: 500 × 16 parameters, well under SQLite's 32,766. */
const CHUNK = 500;
/** Email rows a statement: 2,000 × 6 parameters (a chunk of users with many emails takes more statements). */
const EMAIL_CHUNK = 2000;
/** Statements kept prepared for sizes other than the full chunks (a batch's last chunk): the few most recent. */
const SPARE_STATEMENTS = 4;

/** `INSERT INTO table (columns) VALUES (?, ...), ...` for `rows` rows, prepared once a size (the full size kept, a few others). */
function statementsBySize(db: Database.Database, sql: (rows: number) => string, full: number): (rows: number) => Database.Statement {
  const kept = new Map<number, Database.Statement>();
  return (rows) => {
    let st = kept.get(rows);
    if (st) return st;
    st = db.prepare(sql(rows));
    if (rows !== full) {
      const spare = [...kept.keys()].filter((n) => n !== full);
      if (spare.length >= SPARE_STATEMENTS) kept.delete(spare[0]!);
    }
    kept.set(rows, st);
    return st;
  };
}

const valuesOf = (columns: number, rows: number): string => {
  const row = `(${Array.from({ length: columns }, () => "?").join(", ")})`;
  return Array.from({ length: rows }, () => row).join(", ");
};

export function insertUsers(db: Database.Database): (orgId: string, users: readonly UserRecord[]) => void {
  // A multi-row VALUES inserts its rows in their order: seq follows the list, as it does for inserts one by one.
  // RETURNING names each new row's seq by its id (unique in the store): the emails' user_seq.
  const rowsOf = statementsBySize(db, (n) => `INSERT INTO users (${COLUMNS.join(", ")}) VALUES ${valuesOf(COLUMNS.length, n)} RETURNING id, seq`, CHUNK);
  const emailsOf = statementsBySize(db, (n) => `INSERT INTO user_emails (${EMAIL_COLUMNS.join(", ")}) VALUES ${valuesOf(EMAIL_COLUMNS.length, n)}`, EMAIL_CHUNK);

  const insertChunk = (orgId: string, users: readonly UserRecord[]) => {
    const args: unknown[] = [];
    for (const u of users) args.push(...userValues(u));
    const seqs = new Map((rowsOf(users.length).raw().all(args) as Array<[string, number]>));
    let mails: unknown[] = [];
    const flush = () => {
      if (mails.length > 0) emailsOf(mails.length / EMAIL_COLUMNS.length).run(mails);
      mails = [];
    };
    for (const u of users) {
      const seq = seqs.get(u.id);
      if (seq === undefined) throw new Error(`insertMany: user ${u.id} was not inserted`);
      for (const [value, fold, type, primary] of emailRows(u)) {
        mails.push(seq, orgId, value, fold, type, primary);
        if (mails.length === EMAIL_CHUNK * EMAIL_COLUMNS.length) flush();
      }
    }
    flush();
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
