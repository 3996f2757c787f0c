/**
 * Entity-tag headers (RFC 9110 §8.8.3, §13.1.1–2) as versions. orgscim's ETags are `W/"<version>"`
 * (RFC 7644 §3.14); SCIM compares them weakly. A header is a comma-separated list of tags or `*`.
 * A tag that is not one of ours (`"abc"`, `W/"not-a-number"`, or text that is no entity-tag at all)
 * names no version: it can never match, so If-Match with only such tags fails with 412 — it is
 * never a 400, since the request itself is well-formed. Linear in the header, no regular
 * expression over it, at most MAX_TAGS tags read.
 */
import type { IfMatch } from "../domain/versions";

const MAX_TAGS = 100;

/** The versions named by the tags of an entity-tag list; `null` for `*`. */
function versionsOf(header: string): number[] | null {
  if (header.trim() === "*") return null;
  const out: number[] = [];
  let i = 0;
  let seen = 0;
  while (i < header.length && seen < MAX_TAGS) {
    // one list element: up to the next comma outside quotes
    let quoted = false;
    const start = i;
    for (; i < header.length; i++) {
      const c = header.charCodeAt(i);
      if (c === 34) quoted = !quoted;
      else if (c === 44 && !quoted) break;
    }
    const element = header.slice(start, i).trim();
    i++;
    if (element === "") continue;
    seen++;
    const tag = element.startsWith("W/") ? element.slice(2) : element;
    if (tag.length < 3 || tag.length > 17 || !tag.startsWith('"') || !tag.endsWith('"')) continue;
    const digits = tag.slice(1, -1);
    let ok = digits.length > 0;
    for (let k = 0; ok && k < digits.length; k++) ok = digits.charCodeAt(k) >= 48 && digits.charCodeAt(k) <= 57;
    if (ok) out.push(Number(digits));
  }
  return out;
}

/** If-Match as a precondition: undefined when absent or `*`, else the versions it names (maybe none). */
export function parseIfMatch(header: string | undefined): IfMatch {
  if (header === undefined) return undefined;
  return versionsOf(header) ?? undefined;
}

/** Whether If-None-Match names the current version (or is `*`): a GET then answers 304. */
export function ifNoneMatchHolds(header: string | undefined, current: number): boolean {
  if (!header) return false;
  const versions = versionsOf(header);
  return versions === null || versions.includes(current);
}
