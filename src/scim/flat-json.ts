/**
 * JSON.stringify of the small flat objects a page writes for every user (meta, the orgscim
 * extension, each group reference), without JSON.stringify's cost per call, which is most of a
 * small object's: the same text, byte for byte (test/scim/flat-json.test.ts).
 */

/** A string JSON.stringify writes as it is between quotes holds none of these (surrogates: only lone ones are escaped, so all are sent to it). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify(s). */
export const jsonString = (s: string): string => (NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`);

/** JSON.stringify(o) for an object whose values are strings, numbers, booleans, null or undefined; any other value: JSON.stringify itself. */
export function flatJson(o: Readonly<Record<string, unknown>>): string {
  let out = "";
  for (const key in o) {
    if (!Object.hasOwn(o, key)) continue;
    const v = o[key];
    let text: string;
    switch (typeof v) {
      case "string":
        text = jsonString(v);
        break;
      case "boolean":
        text = v ? "true" : "false";
        break;
      case "number":
        text = Number.isFinite(v) ? String(v) : "null";
        break;
      case "undefined":
        continue;
      default:
        if (v !== null) return JSON.stringify(o);
        text = "null";
    }
    out += `${out === "" ? "{" : ","}${jsonString(key)}:${text}`;
  }
  return out === "" ? "{}" : `${out}}`;
}
