/** Opaque cursors (RFC 9865) for keyset paging on the store's insertion order. */
import { Errors } from "../../domain/errors";

export const encodeCursor = (seq: number): string => Buffer.from(`s:${seq}`).toString("base64url");

export function decodeCursor(cursor: string): number {
  if (cursor === "") return 0;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const m = /^s:(\d{1,15})$/.exec(text);
  if (!m) throw Errors.invalidCursor();
  return Number(m[1]);
}
