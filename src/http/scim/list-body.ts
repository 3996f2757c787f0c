/**
 * The bytes of a JSON array's items between a head and a tail (a ListResponse's Resources), encoded
 * straight into one Buffer. A page of 100 users is ~150 KB: joined into one string first, that
 * string alone takes V8's large-object space (a fresh mapping for every page) and is then counted
 * and encoded whole; each item's own string is small. Room is reserved for an item's worst case
 * (3 bytes a UTF-16 unit), so an item is written without first counting its bytes, unless the
 * text before it took more than one byte a unit; the buffer grows when it must.
 */

/** UTF-8 bytes a UTF-16 code unit can take at most. */
const WORST = 3;

export function jsonArrayBody(head: string, items: readonly string[], tail: string): Buffer {
  let units = head.length + tail.length + items.length;
  let longest = 0;
  for (const s of items) {
    units += s.length;
    if (s.length > longest) longest = s.length;
  }
  let buf = Buffer.allocUnsafe(units + (WORST - 1) * Math.max(longest, head.length, tail.length));
  let at = 0;
  const put = (s: string): void => {
    if (buf.length - at < s.length * WORST) {
      const need = at + Buffer.byteLength(s);
      if (need > buf.length) {
        const bigger = Buffer.allocUnsafe(Math.max(need, buf.length * 2));
        buf.copy(bigger, 0, 0, at);
        buf = bigger;
      }
    }
    at += buf.write(s, at);
  };
  put(head);
  for (let i = 0; i < items.length; i++) {
    if (i > 0) put(",");
    put(items[i]!);
  }
  put(tail);
  return buf.subarray(0, at);
}
