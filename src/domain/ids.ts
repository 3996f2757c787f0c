/** Identifiers in Twilio's shape: two letters and 32 hex digits, random. */
import { randomBytes } from "node:crypto";

export type IdPrefix = "OR" | "US" | "GP" | "TK" | "DM" | "IV" | "AE" | "AC" | "IY" | "GM";

/**
 * Ids take their 16 random bytes from a pool filled 4 KB at a time: one call into the system's
 * random source per 256 ids instead of one per id (it was 4% of a 100,000-user import). Ids name
 * records; they are not secrets (token and invitation secrets are drawn on their own).
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let at = POOL_BYTES;

export const newId = (prefix: IdPrefix): string => {
  if (at + 16 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    at = 0;
  }
  const id = prefix + pool.toString("hex", at, at + 16);
  at += 16;
  return id;
};
