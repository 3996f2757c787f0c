/**
 * The one rule for people's identifiers and names, whatever door they come through (SCIM,
 * /Bulk, /v1, CSV import, invitations): text is normalised to Unicode NFC (so a name typed
 * composed and the same name decomposed are one name, and one userName), and characters that
 * are invisible or change how the text around them is shown are refused with a 400 that names
 * the character (U+XXXX), the attribute and the position.
 *
 * Refused everywhere: control characters (Unicode category Cc: C0, DEL, C1; they reach terminals
 * and logs), format characters (Cf: zero-width space and joiners, bidirectional marks,
 * embeddings, overrides and isolates, the byte-order mark, soft hyphen, tags), line and paragraph
 * separators, lone surrogates, and the other default-ignorable code points (invisible fillers).
 * A look-alike of `admin@a-corp.com` holding a zero-width space is therefore refused, not stored
 * beside the real one, and a right-to-left override cannot reorder what an operator reads.
 *
 * Identifiers (userName, email addresses) refuse all of them. Names (displayName, the parts of
 * `name`, a group's displayName) keep what writing systems and emoji need, as PRECIS does for
 * free-form text (RFC 8264 §9.8, Appendix A.1): ZERO WIDTH NON-JOINER and ZERO WIDTH JOINER
 * between two letters, marks or pictographs (Persian and Indic names, emoji sequences), and
 * variation selectors.
 */
import { Errors } from "./errors";

export type TextKind = "identifier" | "name";

/** Names of the characters most often met here; others are described by their category. */
const NAMES: Record<number, string> = {
  0x00: "NULL", 0x07: "BELL", 0x08: "BACKSPACE", 0x09: "CHARACTER TABULATION", 0x0a: "LINE FEED", 0x0d: "CARRIAGE RETURN",
  0x1b: "ESCAPE", 0x7f: "DELETE", 0x85: "NEXT LINE", 0x9b: "CONTROL SEQUENCE INTRODUCER", 0xad: "SOFT HYPHEN",
  0x034f: "COMBINING GRAPHEME JOINER", 0x061c: "ARABIC LETTER MARK", 0x115f: "HANGUL CHOSEONG FILLER", 0x1160: "HANGUL JUNGSEONG FILLER",
  0x180e: "MONGOLIAN VOWEL SEPARATOR", 0x200b: "ZERO WIDTH SPACE", 0x200c: "ZERO WIDTH NON-JOINER", 0x200d: "ZERO WIDTH JOINER",
  0x200e: "LEFT-TO-RIGHT MARK", 0x200f: "RIGHT-TO-LEFT MARK", 0x2028: "LINE SEPARATOR", 0x2029: "PARAGRAPH SEPARATOR",
  0x202a: "LEFT-TO-RIGHT EMBEDDING", 0x202b: "RIGHT-TO-LEFT EMBEDDING", 0x202c: "POP DIRECTIONAL FORMATTING",
  0x202d: "LEFT-TO-RIGHT OVERRIDE", 0x202e: "RIGHT-TO-LEFT OVERRIDE", 0x2060: "WORD JOINER", 0x2061: "FUNCTION APPLICATION",
  0x2062: "INVISIBLE TIMES", 0x2063: "INVISIBLE SEPARATOR", 0x2064: "INVISIBLE PLUS", 0x2066: "LEFT-TO-RIGHT ISOLATE",
  0x2067: "RIGHT-TO-LEFT ISOLATE", 0x2068: "FIRST STRONG ISOLATE", 0x2069: "POP DIRECTIONAL ISOLATE", 0x3164: "HANGUL FILLER",
  0xfe0f: "VARIATION SELECTOR-16", 0xfeff: "ZERO WIDTH NO-BREAK SPACE (byte-order mark)", 0xffa0: "HALFWIDTH HANGUL FILLER",
};

const CONTROL = /\p{Cc}/u;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff\u180e]/u;
/** Everything refused in an identifier. */
const REFUSED = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Default_Ignorable_Code_Point}]/u;
const JOINERS = new Set([0x200c, 0x200d]);
const VARIATION_SELECTOR = /[\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/u;
/** What a joiner may stand between in a name. */
const JOINABLE = /[\p{L}\p{M}\p{Extended_Pictographic}\p{Emoji_Modifier}\ufe00-\ufe0f]/u;

const hex = (cp: number): string => `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;

function describe(ch: string): string {
  const cp = ch.codePointAt(0) as number;
  const name = NAMES[cp];
  if (name) return `${hex(cp)} (${name})`;
  const what = CONTROL.test(ch) ? "a control character"
    : BIDI.test(ch) ? "a bidirectional-control character"
      : ZERO_WIDTH.test(ch) ? "a zero-width character"
        : /\p{Cs}/u.test(ch) ? "half of a surrogate pair, not a character"
          : /[\p{Zl}\p{Zp}]/u.test(ch) ? "a line or paragraph separator"
            : /\p{Cf}/u.test(ch) ? "an invisible format character"
              : "an invisible (default-ignorable) character";
  return `${hex(cp)} (${what})`;
}

function allowedInName(chars: string[], i: number): boolean {
  const ch = chars[i] as string;
  if (VARIATION_SELECTOR.test(ch)) return true;
  if (!JOINERS.has(ch.codePointAt(0) as number)) return false;
  const before = chars[i - 1];
  const after = chars[i + 1];
  return before !== undefined && after !== undefined && JOINABLE.test(before) && JOINABLE.test(after);
}

/**
 * `value` in NFC, or a 400 (code 1020) naming `field`, the first refused character and its
 * position (counted in characters from 1, in the normalised text).
 */
export function cleanText(field: string, value: string, kind: TextKind): string {
  const text = value.normalize("NFC"); // a lone surrogate stays as it is, and is named below
  if (!REFUSED.test(text)) return text;
  const chars = [...text];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (!REFUSED.test(ch)) continue;
    if (kind === "name" && allowedInName(chars, i)) continue;
    throw Errors.forbiddenCharacter(field, describe(ch), i + 1, kind === "identifier" ? "an identifier" : "a name");
  }
  return text;
}

/**
 * The same rule for an optional string attribute of `data` (in place): normalised, or refused.
 * `previous` is the stored value: a value equal to it is left as it is, so a user stored before
 * this rule can still be deactivated or changed elsewhere (the rule applies to what a request changes).
 */
export function cleanField(holder: Record<string, unknown>, key: string, field: string, kind: TextKind, previous?: unknown): void {
  const v = holder[key];
  if (typeof v !== "string" || v === previous) return;
  holder[key] = cleanText(field, v, kind);
}

/** The parts of a SCIM `name` that are checked as names. */
export const NAME_PARTS = ["formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix"] as const;

/**
 * A user's identifiers and names in `data` (SCIM attributes, in place): userName and each
 * emails[].value as identifiers; displayName and the parts of name as names. `previous`: the
 * stored attributes, whose unchanged values are left alone.
 */
export function cleanUserTexts(data: Record<string, unknown>, previous?: Record<string, unknown>): void {
  cleanField(data, "userName", "userName", "identifier", previous?.userName);
  cleanField(data, "displayName", "displayName", "name", previous?.displayName);
  const name = data.name;
  if (name && typeof name === "object" && !Array.isArray(name)) {
    const before = previous?.name && typeof previous.name === "object" ? previous.name as Record<string, unknown> : undefined;
    const parts = { ...(name as Record<string, unknown>) };
    for (const part of NAME_PARTS) cleanField(parts, part, `name.${part}`, "name", before?.[part]);
    data.name = parts;
  }
  if (Array.isArray(data.emails)) {
    const known = new Set(Array.isArray(previous?.emails) ? (previous.emails as unknown[]).map((e) => (e as { value?: unknown } | null)?.value) : []);
    data.emails = data.emails.map((e: unknown, i) => {
      if (!e || typeof e !== "object" || typeof (e as { value?: unknown }).value !== "string") return e;
      const value = (e as { value: string }).value;
      return known.has(value) ? e : { ...e, value: cleanText(`emails[${i}].value`, value, "identifier") };
    });
  }
}
