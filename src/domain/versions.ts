/**
 * Preconditions on a resource's version (RFC 7644 §3.14, RFC 9110 §13.1.1): If-Match as the list
 * of versions it names. `undefined` means no precondition (no header, or `*` on a resource that
 * exists); `[]` means the header names no version this server ever issued, so it matches nothing.
 */
import { Errors } from "./errors";

export type IfMatch = readonly number[] | undefined;

const etag = (v: number): string => `W/"${v}"`;

/** Throws 412 (invalidVersion) unless the precondition holds for `current`. */
export function checkIfMatch(ifMatch: IfMatch, current: number): void {
  if (ifMatch === undefined || ifMatch.includes(current)) return;
  const named = ifMatch.length === 0 ? "no version of this server" : ifMatch.slice(0, 5).map(etag).join(", ");
  throw Errors.versionMismatch(named, etag(current));
}
