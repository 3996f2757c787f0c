/**
 * A page token (src/domain/page-tokens.ts) opens to the position it sealed, for the organization and
 * purpose it was sealed for only; any changed byte fails; one position sealed many times gives
 * tokens that differ, each with an IV never used before (IVs are drawn ahead in a pool: past its
 * refills too); and a token in the layout sealed before the pool (IV, then AES-256-GCM of a length
 * byte and the position zero-padded to 48 bytes, then the tag) still opens, so a client's cursor
 * survives the upgrade.
 */
import { createCipheriv, hkdfSync, randomBytes } from "node:crypto";
import { PageTokens } from "../../src/domain/page-tokens";

const master = randomBytes(32);
const ORG = "OR0123456789abcdef0123456789abcdef";
const tokens = new PageTokens(master);

/** The seal as first written (randomBytes IV, Buffer.concat), under the same derived key. */
function sealedTheFirstWay(orgId: string, purpose: string, position: string): string {
  const key = Buffer.from(hkdfSync("sha256", master, Buffer.from(orgId, "utf8"), Buffer.from(`orgscim page token: ${purpose}`, "utf8"), 32));
  const raw = Buffer.from(position, "utf8");
  const plain = Buffer.alloc(48);
  plain[0] = raw.length;
  raw.copy(plain, 1);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url");
}

describe("page tokens", () => {
  it("open to the position sealed, of any length up to 47 bytes, and refuse a longer one", () => {
    for (const position of ["", "czox", "s:1", "m:" + "a".repeat(40), "é李😀", "x".repeat(47)]) {
      expect(tokens.open(ORG, "scim:Users", tokens.seal(ORG, "scim:Users", position))).toBe(position);
    }
    expect(() => tokens.seal(ORG, "scim:Users", "x".repeat(48))).toThrow(/too long/);
    expect(() => tokens.seal(ORG, "scim:Users", "é".repeat(24))).toThrow(/too long/);
  });

  it("open for their organization and purpose only, and not once any byte is changed", () => {
    const token = tokens.seal(ORG, "scim:Users", "s:42");
    expect(tokens.open("OR" + "f".repeat(32), "scim:Users", token)).toBeNull();
    expect(tokens.open(ORG, "scim:Groups", token)).toBeNull();
    const raw = Buffer.from(token, "base64url");
    for (let at = 0; at < raw.length; at++) {
      const changed = Buffer.from(raw);
      changed[at] = (changed[at] as number) ^ 1;
      expect({ at, opened: tokens.open(ORG, "scim:Users", changed.toString("base64url")) }).toEqual({ at, opened: null });
    }
  });

  it("differ each time one position is sealed, each IV used once, across the IV pool's refills", () => {
    const seen = new Set<string>();
    const ivs = new Set<string>();
    const n = 256 * 3 + 7;
    for (let i = 0; i < n; i++) {
      const token = tokens.seal(ORG, "scim:Users", "s:7");
      seen.add(token);
      ivs.add(Buffer.from(token, "base64url").subarray(0, 12).toString("hex"));
      expect(tokens.open(ORG, "scim:Users", token)).toBe("s:7");
    }
    expect([seen.size, ivs.size]).toEqual([n, n]);
  });

  it("open tokens sealed the first way (a cursor issued before the upgrade): the layout is the same", () => {
    for (const position of ["s:1", "s:123456789012345", "m:" + "b".repeat(40)]) {
      expect(tokens.open(ORG, "scim:Users", sealedTheFirstWay(ORG, "scim:Users", position))).toBe(position);
    }
    // The layout is the same both ways: a token sealed now has the first way's length.
    expect(tokens.seal(ORG, "scim:Users", "s:1").length).toBe(sealedTheFirstWay(ORG, "scim:Users", "s:1").length);
  });
});
