/**
 * API tokens: `osk_<32 hex>_<secret>`. The hex part names the token record; only a SHA-256 of
 * the secret is stored, and it is compared in constant time. Tokens are random (256 bits), not
 * passwords, so a fast hash is right here (../shared/notes/performance.md).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { type Clock, isoNow } from "./clock";
import type { Repos } from "./ports/store";
import type { ApiToken, Organization, Scope } from "./types";

const FORMAT = /^osk_([0-9a-f]{32})_([A-Za-z0-9_-]{32,128})$/;

export const hashSecret = (secret: string): string => createHash("sha256").update(secret).digest("hex");

export interface IssuedToken {
  token: ApiToken;
  /** The plaintext, shown once. */
  plaintext: string;
}

export function newTokenPlaintext(): string {
  return `osk_${randomBytes(16).toString("hex")}_${randomBytes(32).toString("base64url")}`;
}

export function parseToken(plaintext: string): { id: string; secret: string } | null {
  const m = FORMAT.exec(plaintext);
  return m ? { id: `TK${m[1]}`, secret: m[2] as string } : null;
}

export async function issueToken(
  repos: Repos,
  clock: Clock,
  input: { orgId: string; name: string; scopes: Scope[]; userId?: string | null; plaintext?: string },
): Promise<IssuedToken> {
  const plaintext = input.plaintext ?? newTokenPlaintext();
  const parsed = parseToken(plaintext);
  if (!parsed) throw new Error("token plaintext is not in the osk_<32 hex>_<secret> form");
  const token: ApiToken = {
    id: parsed.id,
    orgId: input.orgId,
    name: input.name,
    scopes: [...new Set(input.scopes)],
    secretHash: hashSecret(parsed.secret),
    userId: input.userId ?? null,
    created: isoNow(clock),
    revoked: null,
  };
  await repos.tokens.insert(token);
  return { token, plaintext };
}

export interface Principal {
  token: ApiToken;
  org: Organization;
}

/** Answers the token and its organization, or null for anything malformed, unknown, revoked, or acting for a suspended or removed user. */
export async function authenticate(repos: Repos, plaintext: string): Promise<Principal | null> {
  const parsed = parseToken(plaintext);
  if (!parsed) return null;
  const token = await repos.tokens.get(parsed.id);
  if (!token || token.revoked) return null;
  const given = Buffer.from(hashSecret(parsed.secret), "hex");
  const stored = Buffer.from(token.secretHash, "hex");
  if (given.length !== stored.length || !timingSafeEqual(given, stored)) return null;
  const org = await repos.orgs.get(token.orgId);
  if (!org) return null;
  if (token.userId) {
    // A token acting for a user works only while that user is an active managed member.
    const user = await repos.users.get(org.id, token.userId);
    if (!user || !user.active || user.status !== "managed") return null;
  }
  return { token, org };
}
