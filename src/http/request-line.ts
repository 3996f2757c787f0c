/**
 * The request line of ./logging.ts as text, written straight to the logger's stream: the bytes
 * pino writes for `logger.info(line, "request")` with the options createLogger gives it, without
 * the per-call work of a general logger (the merging object's keys walked and tested one by one,
 * serializers, stringifiers and redaction looked up for each; a tenth of a lookup's CPU).
 * Only loggers createLogger made (and their children, which inherit the mark) are written this
 * way, at a level that logs info, to a stream that wants no metadata; any other logger is given
 * the line as an object, as before. test/http/request-line.test.ts holds the two to the same bytes.
 */
import pino from "pino";

/** On the loggers whose format is createLogger's own; a child inherits it through its prototype. */
export const OWN_FORMAT = Symbol("orgscim.ownFormat");

export interface RequestLine {
  reqId: string | undefined;
  method: string;
  path: string;
  status: number;
  ms: number;
  org: string | undefined;
  tokenSid: string | undefined;
  traceId: string | undefined;
}

type Internals = Record<symbol, unknown> & { [OWN_FORMAT]?: boolean };
const { chindingsSym, streamSym, needsMetadataGsym, timeSym } = pino.symbols as unknown as Record<string, symbol>;

/**
 * A string as pino writes it (its asString): quoted, `"` and `\` escaped; JSON.stringify when it is
 * longer than 100 characters or holds a control character. The same as JSON.stringify except for a
 * lone surrogate, which pino leaves as it is.
 */
export function pinoString(s: string): string {
  const l = s.length;
  if (l > 100) return JSON.stringify(s);
  let result = "";
  let last = 0;
  let found = false;
  let point = 255;
  for (let i = 0; i < l && point >= 32; i++) {
    point = s.charCodeAt(i);
    if (point === 34 || point === 92) {
      result += `${s.slice(last, i)}\\`;
      last = i;
      found = true;
    }
  }
  if (!found) result = s;
  else result += s.slice(last);
  return point < 32 ? JSON.stringify(s) : `"${result}"`;
}

/** A number as pino writes it: non-finite ones as null. */
const pinoNumber = (n: number): string => (Number.isFinite(n) ? String(n) : "null");

/**
 * Writes `line` at level info with the message "request" when `logger` is one of createLogger's;
 * answers false (nothing written) otherwise, and the caller logs the line through pino.
 */
export function writeRequestLine(logger: pino.Logger, line: RequestLine): boolean {
  const own = logger as unknown as Internals;
  if (own[OWN_FORMAT] !== true || !logger.isLevelEnabled("info")) return false;
  const stream = own[streamSym as symbol] as { write(s: string): unknown } & Record<symbol, unknown>;
  if (stream[needsMetadataGsym as symbol] === true) return false;
  let s = `{"level":30${(own[timeSym as symbol] as () => string)()}${own[chindingsSym as symbol] as string}`;
  if (line.reqId !== undefined) s += `,"reqId":${pinoString(line.reqId)}`;
  s += `,"method":${pinoString(line.method)},"path":${pinoString(line.path)},"status":${pinoNumber(line.status)},"ms":${pinoNumber(line.ms)}`;
  if (line.org !== undefined) s += `,"org":${pinoString(line.org)}`;
  if (line.tokenSid !== undefined) s += `,"tokenSid":${pinoString(line.tokenSid)}`;
  if (line.traceId !== undefined) s += `,"traceId":${pinoString(line.traceId)}`;
  stream.write(`${s},"msg":"request"}\n`);
  return true;
}
