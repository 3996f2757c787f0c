/**
 * Whether two values have the same JSON text, JSON.stringify(a) === JSON.stringify(b), found by
 * walking both in place: no text is made, and the walk stops at the first difference (a PUT that
 * changes a title stops there instead of writing out both users' attributes). JSON's rules are
 * kept: members in their order, a member whose value is undefined (or a function or symbol)
 * absent, such an array element null, a number that is not finite null, 0 and -0 alike. A value
 * that is not a primitive, a plain object or a plain array (a Date, anything with toJSON, a boxed
 * value, a bigint) makes the walk give up: the two JSON texts are compared instead.
 */

/** Thrown by the walk when it meets a value whose text only JSON.stringify knows. */
const NOT_PLAIN = Symbol("not plain");

/** Whether JSON writes `v` (as a member: else the member is absent; as an element: else null). */
function written(v: unknown): boolean {
  switch (typeof v) {
    case "undefined": case "function": case "symbol": return false;
    case "bigint": throw NOT_PLAIN;
    case "object":
      if (v !== null && !isPlain(v)) throw NOT_PLAIN;
      return true;
    default: return true;
  }
}

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  const plain = Array.isArray(v) ? proto === Array.prototype : proto === Object.prototype || proto === null;
  return plain && typeof (v as { toJSON?: unknown }).toJSON !== "function";
}

export function sameJsonText(a: unknown, b: unknown): boolean {
  try {
    const wa = written(a);
    const wb = written(b);
    if (!wa || !wb) return wa === wb; // JSON.stringify answers undefined for both
    return same(a, b);
  } catch (e) {
    if (e !== NOT_PLAIN) throw e;
    return JSON.stringify(a) === JSON.stringify(b);
  }
}

/** Two written values (primitives, plain objects, plain arrays), as the walk meets them. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && !Number.isFinite(a)) a = null;
  if (typeof b === "number" && !Number.isFinite(b)) b = null;
  if (a === b) return true; // 0 and -0 are both written 0
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  const arrays = Array.isArray(a);
  if (arrays !== Array.isArray(b)) return false;
  if (arrays) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) {
      const u = written(x[i]) ? x[i] : null;
      const v = written(y[i]) ? y[i] : null;
      if (!same(u, v)) return false;
    }
    return true;
  }
  return sameMembers(a as Record<string, unknown>, b as Record<string, unknown>);
}

/** The written members of both, pairwise in order: the same keys with the same values. */
function sameMembers(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  let j = 0;
  for (const k of ka) {
    const v = a[k];
    if (!written(v)) continue;
    while (j < kb.length && !written(b[kb[j]!])) j++;
    if (j === kb.length || kb[j] !== k || !same(v, b[k])) return false;
    j++;
  }
  while (j < kb.length && !written(b[kb[j]!])) j++;
  return j === kb.length;
}
