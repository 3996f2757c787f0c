/** Who is acting: always derived from the bearer token, never from the request body or path. */
import type { Organization, Scope } from "./types";

export interface Actor {
  org: Organization;
  /** The token's id: what the audit log records as the actor. */
  tokenId: string;
  scopes: readonly Scope[];
  /** The user the token acts on behalf of, if any. */
  userId: string | null;
}

export const hasScope = (actor: Actor, scope: Scope): boolean => actor.scopes.includes(scope);
