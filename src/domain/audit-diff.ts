/**
 * What an audit event keeps of a change: only the attributes that changed, each with its old value
 * (`before`) and its new one (`after`), and never a secret. auditEvent (./audit.ts) applies it to
 * every event, so SCIM, /Bulk, /v1 and the CLI record changes the same way.
 *
 * - Both sides objects: an attribute equal on both sides is dropped; nested objects (a SCIM
 *   user's `name`, an extension) are compared attribute by attribute; arrays (emails, members)
 *   and other values are kept whole when they differ. An attribute present on one side only is
 *   kept on that side (added, or removed).
 * - Ids that say what changed (`id`, `userId`, `accountId`, ... : keys named id or ending in Id)
 *   stay on both sides even when equal: the event must name whose attribute changed.
 * - A create (no before) or a removal (no after) keeps the whole of the other side.
 * - Secrets never: passwords, tokens and their hashes are removed wherever they appear.
 */

/** Keys whose values are never recorded, at any depth (compared without regard to case). */
const SECRET_KEYS = new Set(["password", "token", "tokenhash", "secret", "secrethash", "plaintext", "hash"]);
const IDENTITY_KEY = /^(id|[a-z]+Id)$/;

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The lengths of SECRET_KEYS. A key that lowers to one of them has its length: the only characters
 * that lower to ASCII letters are those letters and the Kelvin sign (one UTF-16 unit to one), so a
 * key of another length is no secret and is never lowered (a lowered copy a key: every key of every
 * audited change passes here).
 */
const SECRET_LENGTHS = new Set([...SECRET_KEYS].map((k) => k.length));

/** Whether `k` names a secret: never recorded. */
const isSecret = (k: string): boolean => SECRET_LENGTHS.has(k.length) && SECRET_KEYS.has(k.toLowerCase());

/** The value without its secrets (a copy; the input is not changed). Its keys read in place: no [key, value] pair made each. */
export function withoutSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutSecrets);
  if (!isPlain(v)) return v;
  const out: Plain = {};
  for (const k of Object.keys(v)) {
    const x = v[k];
    if (x !== undefined && !isSecret(k)) out[k] = withoutSecrets(x);
  }
  return out;
}

/** The keys withoutSecrets keeps of `v`, in its order. */
const kept = (v: Plain): string[] => Object.keys(v).filter((k) => v[k] !== undefined && !isSecret(k));

/** Whether the two are equal once without their secrets (compared in place: no copy is made). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isPlain(a) && isPlain(b)) {
    const ka = kept(a);
    return ka.length === kept(b).length && ka.every((k) => same(a[k], b[k]));
  }
  return false;
}

/**
 * Two objects reduced to the attributes that differ (ids kept), recursively, without their secrets:
 * what diffing their withoutSecrets copies answers, keys in the same order, but only what is kept is copied.
 */
function diff(before: Plain, after: Plain, top: boolean): { before: Plain; after: Plain } {
  const b: Plain = {};
  const a: Plain = {};
  for (const k of new Set([...kept(before), ...kept(after)])) {
    const x = before[k];
    const y = after[k];
    if (same(x, y)) {
      if (top && IDENTITY_KEY.test(k) && x !== undefined && x !== null) {
        b[k] = withoutSecrets(x);
        a[k] = withoutSecrets(y);
      }
      continue;
    }
    if (isPlain(x) && isPlain(y)) {
      const inner = diff(x, y, false);
      b[k] = inner.before;
      a[k] = inner.after;
      continue;
    }
    if (x !== undefined) b[k] = withoutSecrets(x);
    if (y !== undefined) a[k] = withoutSecrets(y);
  }
  return { before: b, after: a };
}

/** What the event records: the changed attributes only, without secrets (null stays null). */
export function auditChange(before: unknown, after: unknown): { before: unknown; after: unknown } {
  const b = before ?? null;
  const a = after ?? null;
  if (isPlain(b) && isPlain(a)) return diff(b, a, true);
  return { before: withoutSecrets(b), after: withoutSecrets(a) };
}
