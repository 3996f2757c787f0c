/**
 * A file's lines, as node:readline splits them (`crlfDelay: Infinity`): a line ends at \n, \r\n or
 * a lone \r; no line after a final break; a last line without one is a line. Read as bytes and
 * split there (a break's byte is never part of a multi-byte UTF-8 sequence), each line decoded on
 * its own: readline decoded each chunk into one string (string_decoder), searched it with a regular
 * expression and cut lines out of it, which cost ~6% of an import's CPU, and each line a slice of
 * its chunk's string, flattened again by the first regular expression run on a value of it.
 */
import { createReadStream } from "node:fs";

const LF = 0x0a;
const CR = 0x0d;

/** Splits `buf` from its start; answers where the unfinished rest starts (a \r at the very end waits for the next chunk unless `final`). */
function split(buf: Buffer, into: string[], final: boolean): number {
  let pos = 0;
  let nextLf = buf.indexOf(LF);
  let nextCr = buf.indexOf(CR);
  for (;;) {
    if (nextLf !== -1 && nextLf < pos) nextLf = buf.indexOf(LF, pos);
    if (nextCr !== -1 && nextCr < pos) nextCr = buf.indexOf(CR, pos);
    if (nextCr === -1 || (nextLf !== -1 && nextLf < nextCr)) {
      if (nextLf === -1) return pos;
      into.push(buf.toString("utf8", pos, nextLf));
      pos = nextLf + 1;
      continue;
    }
    // A \r: with the \n after it, one break; alone, a break of its own.
    if (nextCr === buf.length - 1 && !final) return pos;
    into.push(buf.toString("utf8", pos, nextCr));
    pos = nextCr + (buf[nextCr + 1] === LF ? 2 : 1);
  }
}

/** The lines of `file`, a chunk's worth at a time (every array holds at least one line). */
export async function* fileLines(file: string, chunkBytes = 1 << 20): AsyncGenerator<string[]> {
  /** The unfinished line's bytes, chunk by chunk: joined once a chunk may end it, so a line over many chunks is copied once. */
  let parts: Buffer[] = [];
  for await (const chunk of createReadStream(file, { highWaterMark: chunkBytes }) as AsyncIterable<Buffer>) {
    const last = parts[parts.length - 1];
    // A chunk without a break ends no line, unless the bytes before it end in a \r (a break of its own then).
    if (chunk.indexOf(LF) === -1 && chunk.indexOf(CR) === -1 && (last === undefined || last[last.length - 1] !== CR)) {
      parts.push(chunk);
      continue;
    }
    const buf: Buffer = parts.length > 0 ? Buffer.concat([...parts, chunk]) : chunk;
    const lines: string[] = [];
    const end = split(buf, lines, false);
    parts = end < buf.length ? [buf.subarray(end)] : [];
    if (lines.length > 0) yield lines;
  }
  const rest = parts.length > 1 ? Buffer.concat(parts) : parts[0];
  if (rest) {
    const lines: string[] = [];
    const end = split(rest, lines, true);
    if (end < rest.length) lines.push(rest.toString("utf8", end));
    if (lines.length > 0) yield lines;
  }
}
