/**
 * "Is this mailbox managed by another organization?" in SQLite (docs/security.md case 78). Stored
 * primary emails keep the spelling they were given, and users_primary_email orders them without
 * ASCII case (NOCASE); a mailbox's domain may be spelt many ways (IDN in Unicode or as xn--,
 * full-width letters, a trailing dot), which NOCASE does not fold. So the question reads the
 * index range of the asked local part, takes from the table only the address itself and the
 * addresses whose spelling the key may change (SPELT_OTHERWISE), and compares keys.
 */
import { mailboxKey } from "../../domain/domain-rules";

/** ASCII case folded, as SQLite's NOCASE compares. */
const asciiLower = (s: string): string => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/** Printable ASCII, not ending in a dot: an address whose key is its own text without ASCII case. */
const PLAIN = /^[ -~]*[ -\-/-~]$/;

/** The key an address is compared by: the local part without ASCII case, the domain canonical. */
export const sqliteMailboxKey = (address: string): string =>
  PLAIN.test(address) ? address.toLowerCase() : mailboxKey(address, asciiLower);

/**
 * Addresses whose key may differ from their own text without ASCII case: a character outside
 * printable ASCII (an IDN in Unicode, full-width letters, a Unicode letter's case) or a trailing dot.
 */
export const SPELT_OTHERWISE = "primary_email GLOB '*[^ -~]*' OR primary_email GLOB '*.'";

/**
 * The NOCASE range holding every address with the asked key's local part, in SQL over the key `k`:
 * from `local@` up to `local` + the character after `@` (which NOCASE folds to `a`, above `@`); a
 * key with more than one `@` ranges from its first, wider, and the keys compared decide. A key
 * without `@` ranges over itself alone.
 */
export const rangeOf = (k: string): { from: string; below: string } => ({
  from: `CASE instr(${k}, '@') WHEN 0 THEN ${k} ELSE substr(${k}, 1, instr(${k}, '@')) END`,
  below: `CASE instr(${k}, '@') WHEN 0 THEN ${k} || char(1) ELSE substr(${k}, 1, instr(${k}, '@') - 1) || 'A' END`,
});
