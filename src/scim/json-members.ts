/**
 * The top-level members of a JSON object as JSON.stringify writes it (no whitespace), found without
 * parsing it: where each key and value starts and ends, so a page can copy members of a stored
 * user's attributes into its answer as they are (./user-json.ts). Strings are skipped with
 * indexOf, so only the characters between strings are looked at one by one.
 */

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;

/** The index just after the string whose opening quote is at `i`; -1 when it does not end. */
function stringEnd(text: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = text.indexOf('"', from);
    if (q < 0) return -1;
    let b = q - 1;
    while (text.charCodeAt(b) === BACKSLASH) b--;
    // An even number of backslashes before it: the quote is not escaped.
    if ((q - 1 - b) % 2 === 0) return q + 1;
    from = q + 1;
  }
}

/** The index just after the value starting at `i` (a string, object, array, number or literal); -1 when it does not end. */
function valueEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return stringEnd(text, i);
  if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (d === QUOTE) {
        const e = stringEnd(text, j);
        if (e < 0) return -1;
        j = e - 1;
      } else if (d === OPEN_OBJECT || d === OPEN_ARRAY) depth++;
      else if (d === CLOSE_OBJECT || d === CLOSE_ARRAY) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  for (; j < text.length; j++) {
    const d = text.charCodeAt(j);
    if (d === COMMA || d === CLOSE_OBJECT || d === CLOSE_ARRAY) break;
  }
  return j > i ? j : -1;
}

/**
 * The members of the object `text`, three numbers each, written into `out` from its start: where its
 * key's opening quote is, where its value starts (after the colon), and just after its value. Answers
 * how many numbers it wrote, or -1 when `text` is not a whole object written without whitespace (the
 * caller then parses it). A writer of many texts keeps one `out`: its length is never cut, so its
 * room is kept from text to text.
 */
export function jsonMembersInto(text: string, out: number[]): number {
  const n = text.length;
  if (n < 2 || text.charCodeAt(0) !== OPEN_OBJECT || text.charCodeAt(n - 1) !== CLOSE_OBJECT) return -1;
  let at = 0;
  if (n === 2) return at;
  let i = 1;
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return -1;
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0 || text.charCodeAt(keyEnd) !== COLON) return -1;
    const end = valueEnd(text, keyEnd + 1);
    if (end < 0) return -1;
    if (at === out.length) out.push(i, keyEnd + 1, end);
    else {
      out[at] = i;
      out[at + 1] = keyEnd + 1;
      out[at + 2] = end;
    }
    at += 3;
    const next = text.charCodeAt(end);
    if (end === n - 1 && next === CLOSE_OBJECT) return at;
    if (next !== COMMA) return -1;
    i = end + 1;
  }
}
