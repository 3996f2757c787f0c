/**
 * What a bearer token may do, kept between requests: resolving it reads the token, every token up
 * its chain, the organization, and the users it acts for or was made by with their role groups,
 * on every request. Kept by the SHA-256 of the whole bearer token (so a hit proves the caller
 * holds the exact token that authenticated), for a token of a store that keeps a principal
 * version (Store.principalVersion); every hit reads that version (one indexed row; SQLite answers
 * it on its writer connection: src/store/sqlite/local-changes.ts), and uses the entry only while
 * it is unchanged and the token (and what it stands for) has not expired.
 *
 * The version is raised in the transaction of every write that could change a principal of the
 * organization (a revocation, a suspension, a removal, a role or organization change: the list is
 * src/store/sqlite/principal-versions.ts), so a change committed by this process or any other on
 * the same store is seen by the next request, never later. Only successes are kept (a refused
 * token is resolved again every time; failed authentications have their own budget). A store
 * without a version (MongoDB) resolves every request, as before.
 */
import { hash } from "node:crypto";
import type { Store } from "../domain/ports/store";
import type { Authenticated } from "../domain/tokens";
import { parseToken } from "../domain/tokens";

/** Entries kept at most; past it the oldest goes. */
export const PRINCIPAL_CACHE_ENTRIES = 10_000;

interface Entry {
  orgId: string;
  version: number;
  /** Epoch ms after which the entry is not used: the earliest expiry of what authenticated. */
  notAfter: number;
  auth: Authenticated;
}

/** An optional `expires` (ISO time) of a token row, as epoch ms; Infinity without one. */
function expiryOf(row: unknown): number {
  const expires = (row as { expires?: unknown } | null)?.expires;
  if (typeof expires !== "string") return Infinity;
  const t = Date.parse(expires);
  return Number.isNaN(t) ? -Infinity : t;
}

function freeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (value instanceof Map) for (const v of value.values()) freeze(v);
    else for (const v of Object.values(value as object)) freeze(v);
  }
  return value;
}

export interface PrincipalCacheStats {
  hits: number;
  misses: number;
}

export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();
  readonly stats: PrincipalCacheStats = { hits: 0, misses: 0 };
  /** The store's principal version, bound once (not at every request); undefined when it keeps none. */
  private readonly version: ((orgId: string) => Promise<number>) | undefined;

  constructor(
    private readonly store: Store,
    private readonly resolve: (plaintext: string, now: Date) => Promise<Authenticated | null>,
    private readonly max = PRINCIPAL_CACHE_ENTRIES,
  ) {
    this.version = store.principalVersion?.bind(store);
  }

  /** Whether this store lets principals be kept (it keeps a principal version). */
  get enabled(): boolean {
    return typeof this.store.principalVersion === "function";
  }

  /** The token's principal, from the cache while nothing it was resolved from changed, else resolved afresh. */
  async authenticate(plaintext: string, now: Date): Promise<Authenticated | null> {
    const version = this.version;
    if (!version) return this.resolve(plaintext, now);
    const parsed = parseToken(plaintext);
    if (!parsed) return null;
    const key = hash("sha256", plaintext, "base64"); // one call: no Hash object made and collected a request
    const entry = this.entries.get(key);
    if (entry) {
      if (now.getTime() < entry.notAfter && (await version(entry.orgId)) === entry.version) {
        this.stats.hits++;
        return entry.auth;
      }
      this.entries.delete(key);
    }
    this.stats.misses++;
    // The version is read before anything the principal is resolved from: a change committed
    // after this read raises it, so an entry resolved from older rows is never used.
    const row = await this.store.tokens.get(parsed.id);
    if (!row) return this.resolve(plaintext, now);
    const before = await version(row.orgId);
    const auth = await this.resolve(plaintext, now);
    if (!auth || auth.org.id !== row.orgId) return auth;
    const notAfter = Math.min(expiryOf(row), expiryOf(auth.token));
    if (!(now.getTime() < notAfter)) return auth;
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { orgId: row.orgId, version: before, notAfter, auth: freeze(auth) });
    return auth;
  }

  /** Drops every entry (tests; a store swapped under a running server). */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
