/**
 * The tokenizer for SCIM filters (RFC 7644 §3.4.2.2): one left-to-right pass, no regular
 * expressions, so its cost is linear in the input whatever the input is.
 *
 * Tokens: `(` `)` `[` `]`, JSON strings (decoded, every JSON escape incl. `\uXXXX`), and words:
 * a maximal run of characters that are not whitespace, brackets, parentheses or `"`. A word is an
 * attribute path, an operator, a keyword or a bare value (`true`, `42`, `jyoung`,
 * `2015-10-10T14:38:21.8617979-07:00`); the parser decides which from where it stands.
 * Positions are 0-based character offsets into the filter text.
 */
import { Errors } from "../../domain/errors";

export type Token =
  | { kind: "(" | ")" | "[" | "]" | "end"; pos: number }
  | { kind: "string"; pos: number; value: string }
  | { kind: "word"; pos: number; value: string };

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;
const isDelim = (c: number): boolean => c === 40 || c === 41 || c === 91 || c === 93 || c === 34 || isSpace(c);

const SIMPLE_ESCAPES: ReadonlyMap<string, string> = new Map([
  ['"', '"'], ["\\", "\\"], ["/", "/"], ["b", "\b"], ["f", "\f"], ["n", "\n"], ["r", "\r"], ["t", "\t"],
]);

const hexValue = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;

/** Reads the JSON string starting at `start` (on the opening quote). Answers the value and the index after it. */
function readString(text: string, start: number): { value: string; next: number } {
  const parts: string[] = [];
  let i = start + 1;
  let chunk = i;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      parts.push(text.slice(chunk, i));
      return { value: parts.join(""), next: i + 1 };
    }
    if (c < 0x20) throw Errors.invalidFilter(`control character in a string at position ${i}; escape it`);
    if (c !== 92) {
      i++;
      continue;
    }
    parts.push(text.slice(chunk, i));
    const e = text.charAt(i + 1);
    const simple = SIMPLE_ESCAPES.get(e);
    if (simple !== undefined) {
      parts.push(simple);
      i += 2;
    } else if (e === "u") {
      let code = 0;
      for (let k = 2; k < 6; k++) {
        const h = hexValue(text.charCodeAt(i + k));
        if (h < 0) throw Errors.invalidFilter(`invalid \\u escape at position ${i}; use four hex digits`);
        code = code * 16 + h;
      }
      parts.push(String.fromCharCode(code));
      i += 6;
    } else {
      throw Errors.invalidFilter(`invalid escape '\\${e}' at position ${i}`);
    }
    chunk = i;
  }
  throw Errors.invalidFilter(`unterminated string starting at position ${start}`);
}

/** Splits a filter into tokens, ending with an `end` token. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
    } else if (c === 40 || c === 41 || c === 91 || c === 93) {
      out.push({ kind: text.charAt(i) as "(" | ")" | "[" | "]", pos: i });
      i++;
    } else if (c === 34) {
      const s = readString(text, i);
      out.push({ kind: "string", pos: i, value: s.value });
      i = s.next;
    } else {
      const start = i;
      while (i < text.length && !isDelim(text.charCodeAt(i))) i++;
      out.push({ kind: "word", pos: start, value: text.slice(start, i) });
    }
  }
  out.push({ kind: "end", pos: text.length });
  return out;
}
