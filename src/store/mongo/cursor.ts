/**
 * Opaque cursors (RFC 9865) for keyset paging on insertion order: base64url of `s:<seq>`, the `seq`
 * of the last resource of the page. The next page is `seq > <seq>` in `seq` order, so resources
 * inserted or deleted between pages never shift the ones not yet seen.
 */
import { Errors } from "../../domain/errors";

export const encodeCursor = (seq: number): string => Buffer.from(`s:${seq}`).toString("base64url");

/** The seq a cursor continues after; "" starts from the beginning. Throws invalidCursor. */
export function decodeCursor(cursor: string): number {
  if (cursor === "") return 0;
  if (cursor.length > 64) throw Errors.invalidCursor();
  const m = /^s:(\d{1,15})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!m) throw Errors.invalidCursor();
  return Number(m[1]);
}
