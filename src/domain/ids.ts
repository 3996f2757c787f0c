/**
 * Identifiers in Twilio's shape: two letters and 32 hex digits. The first 12 digits are the time the
 * id was made (milliseconds since 1970), the other 20 are random (80 bits): ids made later sort
 * after, so the B-tree of an index on ids (users' id, audit events', memberships', and the indexes
 * that lead with a target id) grows at its end, where a group commit's writes share their pages,
 * instead of one page a write anywhere in it (issue 18: 20.6 → 15.5 WAL pages a create at 10
 * connections, bench/write-cost.mjs). The time is no secret: every record shows its creation time.
 */
import { randomBytes } from "node:crypto";

export type IdPrefix = "OR" | "US" | "GP" | "TK" | "DM" | "IV" | "AE" | "AC" | "IY" | "GM";

/**
 * Ids take their 10 random bytes from a pool filled 4,000 bytes at a time: one call into the system's
 * random source per 400 ids instead of one per id (it was 4% of a 100,000-user import). Ids name
 * records; they are not secrets (token and invitation secrets are drawn on their own).
 */
const POOL_BYTES = 4000;
const RANDOM_BYTES = 10;
let pool = Buffer.alloc(0);
let at = POOL_BYTES;

export const newId = (prefix: IdPrefix): string => {
  if (at + RANDOM_BYTES > pool.length) {
    pool = randomBytes(POOL_BYTES);
    at = 0;
  }
  const id = prefix + Date.now().toString(16).padStart(12, "0").slice(-12) + pool.toString("hex", at, at + RANDOM_BYTES);
  at += RANDOM_BYTES;
  return id;
};
