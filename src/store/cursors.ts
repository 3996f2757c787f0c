/**
 * The stores' own cursors (RFC 9865 keyset paging), the same on SQLite and MongoDB. Both are
 * sealed by src/domain/page-tokens.ts before a client sees them, so these need only be short and
 * exact; each decoder refuses anything else with invalidCursor.
 */
import { Errors } from "../domain/errors";

const MAX_CURSOR = 64;

/**
 * Users, groups and accounts page on insertion order: base64url of `s:<seq>`, the `seq` of the
 * last resource of the page. The next page is `seq > <seq>` in `seq` order, so resources inserted
 * or deleted between pages never shift the ones not yet seen.
 */
export const encodeCursor = (seq: number): string => Buffer.from(`s:${seq}`).toString("base64url");

/** The seq a cursor continues after; "" starts from the beginning. Throws invalidCursor. */
export function decodeCursor(cursor: string): number {
  if (cursor === "") return 0;
  if (cursor.length > MAX_CURSOR) throw Errors.invalidCursor();
  const m = /^s:(\d{1,15})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!m) throw Errors.invalidCursor();
  return Number(m[1]);
}

/** Memberships page on their ids: `m:<id>`, the last membership id of the page. */
export const encodeMembershipCursor = (id: string): string => `m:${id}`;

/** The membership id a cursor continues after ("" starts from the beginning). Throws invalidCursor. */
export function decodeMembershipCursor(cursor: string): string {
  if (cursor === "") return "";
  if (cursor.length > MAX_CURSOR) throw Errors.invalidCursor();
  const m = /^m:([A-Za-z0-9]{1,40})$/.exec(cursor);
  if (!m) throw Errors.invalidCursor();
  return m[1]!;
}
