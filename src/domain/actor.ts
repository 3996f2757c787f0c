/** Who is acting: always derived from the bearer token, never from the request body or path. */
import type { Principal } from "./policy/principal";
import { SCOPES, type Organization, type Scope } from "./types";

export interface Actor {
  org: Organization;
  /** The token's id: what the audit log records as the actor. */
  tokenId: string;
  scopes: readonly Scope[];
  /** The user the token acts on behalf of, if any. */
  userId: string | null;
  /**
   * What the policy (./policy) sees: set by authentication for every HTTP request, resolved from
   * the stored token on first use otherwise (./policy/principal.ts).
   */
  principal?: Principal;
}

/** The operator: the orgscim command working on the store itself. Full rights; never reachable over HTTP. */
export const operatorActor = (org: Organization, name: string): Actor => ({
  org, tokenId: `operator:${name}`, scopes: SCOPES, userId: null, principal: { kind: "operator", name },
});

/** What the audit log names as the actor: the token and, for a token acting for a user, the user; or the operator. */
export const actorName = (actor: Actor): string =>
  actor.principal?.kind === "operator" ? actor.tokenId : actor.userId ? `${actor.tokenId}/${actor.userId}` : actor.tokenId;
