/**
 * The rules of verified domains that need no store (./domains.ts holds the operations): which
 * names an organization can own, the DNS TXT challenge and how it is looked up, and the state
 * machine of a domain (pending, verified, revalidating, removed) as a pure function of what the
 * DNS answered and the time.
 */
import { domainToASCII } from "node:url";
import { parse as parseDomain } from "tldts";
import { Errors } from "./errors";
import type { TxtResolver } from "./ports/dns";
import { isPublicMailDomain } from "./public-mail-domains";
import type { Domain } from "./types";

export const MAX_DOMAINS_PER_ORG = 100;
export const CHALLENGE_LABEL = "_orgscim";
export const CHALLENGE_PREFIX = "orgscim-domain-verification=";
export const CHALLENGE_TTL_SECONDS = 3600;
const HOUR = 3600_000;
/** A pending domain not verified within this time is removed (docs/model.md#verified-domains: a pending domain lapses after 72 hours). */
export const PENDING_TTL_MS = 72 * HOUR;
/** A revalidating domain whose token is still missing after this time is removed. */
export const REVALIDATION_GRACE_MS = 30 * 24 * HOUR;

export const DOMAIN_SID = /^DM[0-9a-f]{32}$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Endings that public DNS never answers for, so nothing under them can be verified. */
const UNVERIFIABLE_TLDS = new Set(["localhost", "local", "invalid", "arpa", "internal", "home", "lan", "corp"]);

// ---------- names and the challenge ----------

/**
 * The canonical form of a domain name: lower case, ASCII (IDNs in their xn-- form), without a
 * trailing dot. Refuses IP addresses, single labels, names over 253 characters and invalid labels.
 */
export function normalizeDomainName(input: string): string {
  const refuse = (why: string) => Errors.invalidDomainName(input.length > 80 ? `${input.slice(0, 80)}...` : input, why);
  let name = input.trim().toLowerCase();
  if (name.endsWith(".")) name = name.slice(0, -1);
  if (name === "") throw refuse("it is empty; give a name such as example.com");
  if (/^\[?[0-9a-f:.]*:[0-9a-f:.]*\]?$/.test(name) || /^\d{1,3}(\.\d{1,3}){3}$/.test(name)) {
    throw refuse("an IP address is not a domain; give the domain name your users' email addresses end with");
  }
  if (name.includes("@")) throw refuse("give the domain only (example.com), not an email address");
  if (name.startsWith("*.")) throw refuse("wildcards are not accepted; verify each domain or subdomain by its own name");
  if (/[^\x20-\x7e]/.test(name)) {
    const ascii = domainToASCII(name);
    if (ascii === "") throw refuse("it is not a valid internationalized domain name");
    name = ascii;
  }
  if (name.length > 253) throw refuse("a domain name has at most 253 characters");
  const labels = name.split(".");
  if (labels.length < 2) throw refuse("a single label is not a domain an organization can own; give the full name, such as example.com");
  for (const label of labels) {
    if (label === "") throw refuse("it has an empty label (two dots in a row, or a leading dot)");
    if (label.length > 63) throw refuse(`the label '${label.slice(0, 20)}...' is longer than 63 characters`);
    if (!LABEL.test(label)) throw refuse(`the label '${label}' may hold only letters, digits and inner hyphens`);
  }
  const tld = labels[labels.length - 1] as string;
  if (/^\d+$/.test(tld)) throw refuse("the last label cannot be all digits (is it an IP address?)");
  if (UNVERIFIABLE_TLDS.has(tld)) throw refuse(`names under .${tld} are not in public DNS, so they cannot be verified`);
  return name;
}

/**
 * The domain of an email address in normalizeDomainName's canonical form, the form domains are kept
 * and looked up in: lower case, IDNs as xn-- (IDNA's mapping: full-width letters and dots too), no
 * trailing dot. Never throws: what is no domain name stays lower-cased. An address spelt another way
 * than its domain's record was "verified by nobody" (docs/security.md case 74).
 */
export function emailDomain(address: string): string {
  let name = address.slice(address.lastIndexOf("@") + 1).toLowerCase();
  if (/[^\x20-\x7e]/.test(name)) {
    const ascii = domainToASCII(name.replace(/[.\u3002\uff0e\uff61]+$/, ""));
    if (ascii !== "") name = ascii;
  }
  return name.replace(/\.+$/, "");
}

/**
 * One mailbox's key for "is this person managed elsewhere?" (docs/security.md case 78): the local
 * part as the store compares it (foldLocal: SQLite folds ASCII case, MongoDB lower-cases), then the
 * domain in emailDomain's canonical form, so `bob@bücher.test`, `bob@xn--bcher-kva.test` and
 * `bob@BÜCHER.test.` are one key. A string without `@` is its folded self.
 */
export function mailboxKey(address: string, foldLocal: (local: string) => string): string {
  const at = address.lastIndexOf("@");
  return at < 0 ? foldLocal(address) : `${foldLocal(address.slice(0, at))}@${emailDomain(address)}`;
}

/**
 * Refuses a name no organization can own: a public suffix of the Public Suffix List, ICANN or
 * private section (co.uk, github.io: the registrable domains under it belong to unrelated owners),
 * and a public mail or relay service or a name under one (gmail.com, mail.gmail.com, duck.com).
 */
export function checkOwnable(name: string): void {
  const parsed = parseDomain(name, { allowPrivateDomains: true });
  if (parsed.domain === null || parsed.publicSuffix === name) throw Errors.publicSuffix(name);
  if (isPublicMailDomain(name) || isPublicMailDomain(parsed.domain)) throw Errors.publicMailDomain(name);
}

export interface DnsChallenge {
  type: "TXT";
  /** Where to create the record. */
  name: string;
  /** Also accepted: the same value at the domain's apex. */
  apexName: string;
  value: string;
  ttl: number;
}

export const challengeOf = (d: Pick<Domain, "name" | "challenge">): DnsChallenge => ({
  type: "TXT",
  name: `${CHALLENGE_LABEL}.${d.name}`,
  apexName: d.name,
  value: d.challenge,
  ttl: CHALLENGE_TTL_SECONDS,
});

/** When the domain is removed unless verified (pending, revalidating), or null. */
export function expiresAt(d: Domain): string | null {
  if (d.state === "pending") return new Date(Date.parse(d.created) + PENDING_TTL_MS).toISOString();
  if (d.state === "revalidating" && d.revalidatingSince) return new Date(Date.parse(d.revalidatingSince) + REVALIDATION_GRACE_MS).toISOString();
  return null;
}

// ---------- the DNS check ----------

export interface LookupResult {
  found: boolean;
  /** The name the token was found at. */
  foundAt: string | null;
  /** TXT records seen at the challenge name that do not hold the token (a typo, an old token). */
  otherRecords: number;
}

const normalizeTxt = (strings: string[]): string => strings.join("").trim().replace(/^"(.*)"$/, "$1").trim().toLowerCase();

/**
 * Looks for the token at `_orgscim.<domain>` and at the apex. Found at either: found, even if the
 * other lookup failed. Found at neither: "not found" only when both lookups answered; otherwise
 * DnsUnavailable (a failure must never pass for a missing record).
 */
export async function lookupChallenge(dns: TxtResolver, d: Domain): Promise<LookupResult> {
  const c = challengeOf(d);
  const want = c.value.toLowerCase();
  const names = [c.name, c.apexName];
  const answers = await Promise.allSettled(names.map((n) => dns.resolveTxt(n)));
  for (const [i, a] of answers.entries()) {
    if (a.status === "fulfilled" && a.value.some((r) => normalizeTxt(r) === want)) return { found: true, foundAt: names[i] as string, otherRecords: 0 };
  }
  const failed = answers.find((a): a is PromiseRejectedResult => a.status === "rejected");
  if (failed) throw failed.reason;
  const first = answers[0] as PromiseFulfilledResult<string[][]>;
  return { found: false, foundAt: null, otherRecords: first.value.length };
}

// ---------- state transitions ----------

export interface Transition {
  next: Domain;
  action: "domain.verify" | "domain.revalidate" | "domain.remove";
  reason: string;
}

/**
 * What a DNS check means for a domain at `now`; null when nothing changes. `recheck` (the periodic
 * re-check) also expires pending domains; an admin's own Verify never does.
 */
export function transition(d: Domain, found: boolean, now: Date, trigger: "verify" | "recheck"): Transition | null {
  const iso = now.toISOString();
  switch (d.state) {
    case "pending":
      if (found) return { next: { ...d, state: "verified", verifiedAt: iso, revalidatingSince: null }, action: "domain.verify", reason: "the DNS token was found" };
      if (trigger === "recheck" && now.getTime() - Date.parse(d.created) >= PENDING_TTL_MS) {
        return { next: { ...d, state: "removed" }, action: "domain.remove", reason: "not verified within 72 hours of being added" };
      }
      return null;
    case "verified":
      if (found) return null;
      return { next: { ...d, state: "revalidating", revalidatingSince: iso }, action: "domain.revalidate", reason: "the DNS token is no longer found" };
    case "revalidating": {
      if (found) return { next: { ...d, state: "verified", verifiedAt: iso, revalidatingSince: null }, action: "domain.verify", reason: "the DNS token was found again" };
      const since = d.revalidatingSince ?? null;
      if (since === null) return { next: { ...d, revalidatingSince: iso }, action: "domain.revalidate", reason: "the DNS token is no longer found" };
      if (now.getTime() - Date.parse(since) >= REVALIDATION_GRACE_MS) {
        return { next: { ...d, state: "removed" }, action: "domain.remove", reason: "the DNS token was not restored within 30 days" };
      }
      return null;
    }
    case "removed":
      return null;
  }
}
