/**
 * Turns anything a handler throws into a DomainError: domain refusals pass through, store
 * outages become `unavailable` (503 with Retry-After, never 404), body-parser failures become
 * request-shape errors (a body that does not decompress too), a malformed %-escape in a path parameter a 400, and everything else is
 * `internal` (logged in full, rendered without detail).
 */
import { DomainError, Errors } from "../domain/errors";
import { StoreOutcomeUnknown, StoreUnavailable } from "../domain/ports/store";

interface ParserError { type?: string; status?: number; limit?: number; message?: string; code?: unknown }

/** zlib's error codes (gzip, deflate: Z_*; brotli: ERR__*; zstd): a body that does not decompress as its Content-Encoding says. */
const DECOMPRESSION = /^(?:Z_|ERR__|ERR_BROTLI|ERR_ZSTD)/;

export function toDomainError(err: unknown): DomainError {
  if (err instanceof DomainError) return err;
  if (err instanceof StoreOutcomeUnknown) return Errors.writeOutcomeUnknown(err);
  if (err instanceof StoreUnavailable) return Errors.unavailable(err);
  const p = err as ParserError;
  if (p && typeof p === "object") {
    if (p.type === "entity.parse.failed") return Errors.invalidJson(String(p.message ?? "parse error").slice(0, 200));
    if (p.type === "entity.too.large") return Errors.payloadTooLarge(`${p.limit ?? "the limit"} bytes`);
    if (p.type === "encoding.unsupported" || p.type === "charset.unsupported") return Errors.invalidBody("The request body's encoding or charset is not supported. Send UTF-8 JSON.");
    if (p.type === "request.aborted") return Errors.invalidBody("The request was aborted before its body arrived.");
    // body-parser gives its decompression stream's error status 400 and no type (docs/security.md case 93).
    if (p.status === 400 && typeof p.code === "string" && DECOMPRESSION.test(p.code)) {
      return Errors.invalidBody("The request body does not decompress as its Content-Encoding says. Send the body uncompressed, or compressed whole with that encoding.");
    }
  }
  // The router decodes path parameters with decodeURIComponent: a malformed escape is the client's (400), not ours.
  if (err instanceof URIError && (err as URIError & { status?: number }).status === 400) {
    return Errors.badPathEncoding(/'(.*)'$/s.exec(err.message)?.[1] ?? "(unknown)");
  }
  if (err instanceof RangeError && /call stack/i.test(err.message)) return Errors.tooDeep(32);
  return Errors.internal(err);
}
