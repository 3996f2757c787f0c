/**
 * The bytes of a JSON array's items between a head and a tail (a ListResponse's Resources), encoded
 * straight into one Buffer. A page of 100 users is ~180 KB: joined into one string first, that
 * string alone takes V8's large-object space (a fresh mapping for every page) and is then counted
 * and encoded whole. Room is reserved for a piece's worst case (3 bytes a UTF-16 unit), so a piece
 * is written without first counting its bytes, unless the text before it took more than one byte a
 * unit; the buffer grows when it must.
 *
 * A body takes its text piece by piece (src/scim/user-json.ts puts a user's stored attributes as
 * slices of their text): a string made of many concatenated pieces is first copied whole into a
 * flat string by V8, which cost a page more than the encoding.
 *
 * The buffer is a kept one when one is free (JsonBody.release gives it back once the response
 * holding it is written): a fresh buffer of a page's size is fresh memory from the system, whose
 * every page faulted and was cleared by the kernel as the body was written (~1/10 of a page's CPU).
 * Only the bytes written are ever sent (bytes()), never what an earlier body left after them.
 */
import type { Response } from "express";
import { jsonString } from "../../scim/flat-json";

/** UTF-8 bytes a UTF-16 code unit can take at most. */
const WORST = 3;
/** The longest piece putShort and putJsonString copy unit by unit (past it, Node's encoder is the faster). */
const SHORT = 256;
/** The longest piece putPiece copies byte by byte (past it, TypedArray.set is the faster). */
const SMALL_COPY = 16;
const QUOTE = 34;
const BACKSLASH = 92;
/** Buffers kept for the next bodies, and the largest kept (a larger one is left to the collector). */
const BUFFERS_KEPT = 4;
const LARGEST_KEPT = 4 * 1024 * 1024;
const free: Buffer[] = [];

export class JsonBody {
  private buf: Buffer;
  private at = 0;

  /** `units`: about how many UTF-16 units will be put (room for that many bytes is taken at once). */
  constructor(units: number) {
    const kept = free.pop();
    this.buf = kept !== undefined && kept.length >= units ? kept : Buffer.allocUnsafe(Math.max(units, 1024));
    if (kept !== undefined && kept !== this.buf) free.push(kept);
  }

  /** Writes the UTF-8 bytes of `s` (a lone surrogate as Node encodes it alone: pieces are not joined). */
  put(s: string): void {
    if (this.buf.length - this.at < s.length * WORST) this.room(Buffer.byteLength(s));
    this.at += this.buf.write(s, this.at);
  }

  /**
   * put(s) for a short piece (a user's id, dates, a constant of the writer): one byte a UTF-16 unit,
   * copied here while every unit is ASCII, without a call into Node's encoder (a page of 100 users
   * puts ~2,000 such pieces); else put(s).
   */
  putShort(s: string): void {
    const n = s.length;
    if (n > SHORT) return this.put(s);
    if (this.buf.length - this.at < n) this.room(n);
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return this.put(s); // nothing of it kept: `at` is not stored
      buf[at++] = c;
    }
    this.at = at;
  }

  /**
   * put(jsonString(s)) (src/scim/flat-json.ts: JSON.stringify(s)), or without its quotes when
   * `quoted` is false, for a short string: copied while every unit is printable ASCII and neither a
   * quote nor a backslash (JSON.stringify writes those as they are), else through jsonString.
   */
  putJsonString(s: string, quoted = true): void {
    const n = s.length;
    if (n > SHORT) return this.putEscaped(s, quoted);
    if (this.buf.length - this.at < n + 2) this.room(n + 2);
    const buf = this.buf;
    let at = this.at;
    if (quoted) buf[at++] = QUOTE;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c >= 0x80 || c === QUOTE || c === BACKSLASH) return this.putEscaped(s, quoted);
      buf[at++] = c;
    }
    if (quoted) buf[at++] = QUOTE;
    this.at = at;
  }

  private putEscaped(s: string, quoted: boolean): void {
    const json = jsonString(s);
    this.put(quoted ? json : json.slice(1, -1));
  }

  /** put(piece.text): its bytes copied. */
  putPiece(piece: { readonly bytes: Uint8Array }): void {
    const bytes = piece.bytes;
    const n = bytes.length;
    if (this.buf.length - this.at < n) this.room(n);
    if (n > SMALL_COPY) this.buf.set(bytes, this.at);
    else for (let i = 0, at = this.at; i < n; i++) this.buf[at + i] = bytes[i]!;
    this.at += n;
  }

  /** At least `bytes` more bytes of room after what is written. */
  private room(bytes: number): void {
    const need = this.at + bytes;
    if (need <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }

  /** The bytes written (a view of the buffer, not a copy). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.at);
  }

  /**
   * Ends `res` with the bytes written; the buffer is kept for a next body once `res` is finished
   * (its last byte handed to the system: nothing reads the buffer after), never before.
   */
  endWith(res: Response): void {
    const buf = this.buf;
    res.once("finish", () => {
      if (free.length < BUFFERS_KEPT && buf.length <= LARGEST_KEPT && !free.includes(buf)) free.push(buf);
    });
    res.end(this.bytes());
  }
}

export function jsonArrayBody(head: string, items: readonly string[], tail: string): JsonBody {
  let units = head.length + tail.length + items.length;
  let longest = 0;
  for (const s of items) {
    units += s.length;
    if (s.length > longest) longest = s.length;
  }
  const body = new JsonBody(units + (WORST - 1) * Math.max(longest, head.length, tail.length));
  body.put(head);
  for (let i = 0; i < items.length; i++) {
    if (i > 0) body.put(",");
    body.put(items[i]!);
  }
  body.put(tail);
  return body;
}
