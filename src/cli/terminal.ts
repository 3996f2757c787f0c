/**
 * Text from data, made safe to print to a terminal. A userName, a display name, a token's name or
 * an error message quoting them may hold what a terminal obeys rather than shows: ESC and the other
 * C0 controls, DEL, the C1 controls (U+009B is a one-character CSI), and characters that reorder or
 * hide the text around them (bidirectional controls, zero-width characters, line separators). Each
 * of those is printed as a visible escape (`\u{1B}`), so an operator sees exactly what is stored and
 * nothing in the data can move the cursor, recolour the screen, retitle the window or reorder a line.
 *
 * Every line the CLI prints from data goes through `forTerminal` (or `jsonForTerminal` for JSON).
 */

/** What a terminal would obey or hide: C0 but tab and newline, DEL, C1, format characters, separators, fillers. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u115f\u1160\u3164\uffa0]/gu;
/** The same, without the characters JSON.stringify already escapes (C0). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u115f\u1160\u3164\uffa0]/gu;

const visible = (ch: string): string => `\\u{${(ch.codePointAt(0) as number).toString(16).toUpperCase()}}`;

/** `text` with every character a terminal would obey or hide shown as `\u{XXXX}`; newlines and tabs of the CLI's own layout kept. */
export function forTerminal(text: string): string {
  return text.replace(UNSAFE, visible);
}

/** A line of data: like forTerminal, and a newline or carriage return in the data shown too (it cannot start a forged line). */
export function lineForTerminal(text: string): string {
  return forTerminal(text).replace(/[\n\r\t]/g, visible);
}

/** JSON.stringify for a terminal: still valid JSON (the escapes are \uXXXX inside strings), with nothing a terminal obeys. */
export function jsonForTerminal(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(UNSAFE_IN_JSON, (ch) => {
    const cp = ch.codePointAt(0) as number;
    if (cp <= 0xffff) return `\\u${cp.toString(16).padStart(4, "0")}`;
    const hi = 0xd800 + ((cp - 0x10000) >> 10);
    const lo = 0xdc00 + ((cp - 0x10000) & 0x3ff);
    return `\\u${hi.toString(16)}\\u${lo.toString(16)}`;
  });
}
