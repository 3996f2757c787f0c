/** Who is acting: always derived from the bearer token, never from the request body or path. */
import { SCOPES, type AccountRole, type Organization, type OrgRole, type Scope } from "./types";

/** What the policy sees of who acts (resolved in ./policy/principal.ts). */
export interface TokenPrincipal {
  kind: "token";
  tokenId: string;
  scopes: readonly Scope[];
  /** The user the token acts for; null for a service token. */
  userId: string | null;
  /** The org role whose column of the policy applies. */
  level: OrgRole;
  /** The acting user's effective roles per account (empty for a service token). */
  accounts: ReadonlyMap<string, readonly AccountRole[]>;
}

export interface OperatorPrincipal {
  kind: "operator";
  /** What the operator ran, for the audit log: "cli import-csv". */
  name: string;
}

export type Principal = TokenPrincipal | OperatorPrincipal;

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
  /** An OAuth access token issued for one API only (RFC 8707): its path, `/scim/v2` or `/v1`. */
  audience?: string | null;
}

/** The operator: the orgscim command working on the store itself. Full rights; never reachable over HTTP. */
export const operatorActor = (org: Organization, name: string): Actor => ({
  org, tokenId: `operator:${name}`, scopes: SCOPES, userId: null, principal: { kind: "operator", name },
});

/** What the audit log names as the actor: the token and, for a token acting for a user, the user; or the operator. */
export const actorName = (actor: Actor): string =>
  actor.principal?.kind === "operator" ? actor.tokenId : actor.userId ? `${actor.tokenId}/${actor.userId}` : actor.tokenId;
