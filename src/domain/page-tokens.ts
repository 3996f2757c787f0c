/**
 * Opaque page tokens: SCIM cursors (RFC 9865) and /v1 PageTokens. A store's own position (a row
 * number that counts every organization's rows, an offset, an audit event id) is sealed with
 * AES-256-GCM under a key derived for the caller's organization and the list it pages (HKDF-SHA-256
 * of the store's master key, the organization id and the purpose), padded to one length. A token
 * therefore shows nothing (not how many rows other organizations wrote, not even its own
 * position), a changed byte fails authentication, and another organization's token, or a token of
 * another list, does not open. The master key is kept in the store (Store.secret), so every
 * instance and every restart shares it; a store without that method (test doubles) gets a key
 * for the process's life.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, randomFillSync } from "node:crypto";
import { Errors } from "./errors";
import type { ListQuery, ListResult, Store } from "./ports/store";

const SECRET_NAME = "page-token-key";
/** Plaintext length: a length byte and the store's position, zero-padded (positions are short ASCII). */
const PADDED = 48;
const IV = 12;
const TAG = 16;
const TOKEN_BYTES = IV + PADDED + TAG;

export class PageTokens {
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly master: Buffer) {}

  private key(orgId: string, purpose: string): Buffer {
    const id = `${orgId}\u0000${purpose}`;
    let k = this.keys.get(id);
    if (!k) {
      k = Buffer.from(hkdfSync("sha256", this.master, Buffer.from(orgId, "utf8"), Buffer.from(`orgscim page token: ${purpose}`, "utf8"), 32));
      if (this.keys.size > 10_000) this.keys.clear();
      this.keys.set(id, k);
    }
    return k;
  }

  /**
   * Random bytes drawn ahead for IVs (one call to the CSPRNG for 256 tokens), and how many are used:
   * each IV is 12 of them used once. Each process draws its own (Node's cluster starts processes; it
   * copies no memory of one into another).
   */
  private readonly ivPool = Buffer.alloc(IV * 256);
  private ivUsed = this.ivPool.length;

  /** Seals `position` for `orgId` and `purpose`; positions longer than 47 bytes are a bug. */
  seal(orgId: string, purpose: string, position: string): string {
    const length = Buffer.byteLength(position, "utf8");
    if (length >= PADDED) throw new Error(`page position too long to seal (${length} bytes)`);
    // One buffer: the IV, the plaintext where its ciphertext goes (a length byte, the position, zeros), the tag.
    const token = Buffer.alloc(TOKEN_BYTES);
    token[IV] = length;
    token.write(position, IV + 1, "utf8");
    if (this.ivUsed === this.ivPool.length) {
      randomFillSync(this.ivPool);
      this.ivUsed = 0;
    }
    // A fresh random IV each time (never one drawn before: the pool is refilled once used up).
    this.ivPool.copy(token, 0, this.ivUsed, this.ivUsed + IV);
    this.ivUsed += IV;
    const cipher = createCipheriv("aes-256-gcm", this.key(orgId, purpose), token.subarray(0, IV));
    const body = cipher.update(token.subarray(IV, IV + PADDED));
    cipher.final();
    body.copy(token, IV);
    cipher.getAuthTag().copy(token, IV + PADDED);
    return token.toString("base64url");
  }

  /** The position a token seals, or null when it was not sealed by this server for this organization and purpose. */
  open(orgId: string, purpose: string, token: string): string | null {
    if (token.length > 200 || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
    const raw = Buffer.from(token, "base64url");
    if (raw.length !== TOKEN_BYTES || raw.toString("base64url") !== token) return null;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key(orgId, purpose), raw.subarray(0, IV));
      decipher.setAuthTag(raw.subarray(IV + PADDED));
      const plain = decipher.update(raw.subarray(IV, IV + PADDED));
      decipher.final(); // throws unless the tag authenticates the IV and ciphertext
      const length = plain[0] as number;
      if (length >= PADDED) return null;
      return plain.subarray(1, 1 + length).toString("utf8");
    } catch {
      return null;
    }
  }
}

const loaded = new WeakMap<Store, Promise<PageTokens>>();

/** The page tokens of a store, its master key read (or created) once per store object. */
export function pageTokensOf(store: Store): Promise<PageTokens> {
  let p = loaded.get(store);
  if (!p) {
    p = (async () => {
      const encoded = store.secret
        ? await store.secret(SECRET_NAME, () => randomBytes(32).toString("base64"))
        : randomBytes(32).toString("base64");
      return new PageTokens(Buffer.from(encoded, "base64"));
    })();
    p.catch(() => loaded.delete(store));
    loaded.set(store, p);
  }
  return p;
}

/**
 * A list paged by SCIM cursor through a store whose own cursors are positions: the client's
 * cursor is opened (a token it did not get from this server for this organization and list
 * answers invalidCursor, RFC 9865), the store's next cursor is sealed. "" asks for the first page.
 */
export async function withSealedCursor<T>(
  store: Store, orgId: string, purpose: string, query: ListQuery, list: (q: ListQuery) => Promise<ListResult<T>>,
): Promise<ListResult<T>> {
  if (query.cursor === undefined) return list(query);
  const tokens = await pageTokensOf(store);
  let inner = "";
  if (query.cursor !== "") {
    const opened = tokens.open(orgId, purpose, query.cursor);
    if (opened === null) throw Errors.invalidCursor();
    inner = opened;
  }
  const result = await list({ ...query, cursor: inner });
  if (result.nextCursor !== undefined) result.nextCursor = tokens.seal(orgId, purpose, result.nextCursor);
  return result;
}
