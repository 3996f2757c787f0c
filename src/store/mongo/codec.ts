/**
 * Key encoding for free-form sub-documents (SCIM `data`, audit `before`/`after`).
 *
 * MongoDB cannot address a field whose name contains `.` with a dotted path, and names starting
 * with `$` are operators. SCIM extension attributes live under their URN
 * ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"), which contains dots. So every key
 * of these sub-documents is stored encoded, at every depth:
 *   `%` -> `%25`, `.` -> `%2E`, `$` -> `%24`, NUL -> `%00`
 * and decoded on read. The filter compiler encodes path segments the same way (`encodeKey`), so
 * `urn:...:2.0:User:employeeNumber` is queried as `data.urn:...:2%2E0:User.employeeNumber`.
 * Objects are rebuilt with defineProperty, so a key such as `__proto__` stays plain data.
 */

export const encodeKey = (key: string): string =>
  key.replace(/%/g, "%25").replace(/\./g, "%2E").replace(/\$/g, "%24").replace(/\0/g, "%00");

export const decodeKey = (key: string): string =>
  key.replace(/%(2E|24|00|25)/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/** A plain object of any realm (its prototype is null or a realm's Object.prototype); not a Date, ObjectId, ... */
export const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === null || (typeof proto === "object" && Object.getPrototypeOf(proto) === null);
};

function mapObject(value: Record<string, unknown>, f: (k: string) => string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    Object.defineProperty(out, f(k), { value: mapKeys(v, f), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function mapKeys(value: unknown, f: (k: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => mapKeys(v, f));
  return isPlainObject(value) ? mapObject(value, f) : value;
}

/** A deep copy of `value` whose object keys are safe MongoDB field names. */
export const encodeKeys = (value: unknown): unknown => mapKeys(value, encodeKey);

/** The inverse of encodeKeys. */
export const decodeKeys = (value: unknown): unknown => mapKeys(value, decodeKey);

/** decodeKeys of a sub-document: an object stays an object. */
export const decodeObjectKeys = (value: Record<string, unknown>): Record<string, unknown> => mapObject(value, decodeKey);
