/**
 * The one wrapper every use case calls before it reads or changes anything: asks decide() for
 * each check, and on the first refusal records exactly one audit event (outside any transaction,
 * so it outlives the refused change) and throws a Refusal: 403 with the reason.
 *
 * Call it before opening a transaction: an audit event appended inside one is rolled back with it.
 */
import type { Actor } from "../actor";
import { auditRefusal } from "../audit";
import type { Clock } from "../clock";
import { DomainError } from "../errors";
import type { Repos } from "../ports/store";
import { decide } from "./decide";
import { principalOf, resolveTokenPrincipal, type Principal } from "./principal";
import type { Organization } from "../types";
import { refOf, type Target } from "./targets";

/** Role refusals keep the code clients have seen for them (4009); everything else is 7002. */
const CODES: Record<string, number> = {
  "org_role.administrator.grant": 4009, "org_role.administrator.revoke": 4009, "org_role.owner.grant": 4009,
};

/** A refusal of the policy: kind forbidden. Already audited when it reaches a caller. */
export class Refusal extends DomainError {
  readonly action: string;
  constructor(action: string, reason: string) {
    super("forbidden", CODES[action] ?? 7002, reason);
    this.name = "Refusal";
    this.action = action;
  }
}

export interface AuthzDeps {
  store: Repos;
  clock: Clock;
}

export interface Check {
  action: string;
  target: Target;
}

/**
 * What a request says that is opened only once the policy allowed: a page token or cursor is a
 * sealed position in someone's data, so a caller the policy refuses gets 403 whatever it sends,
 * never a 400 about a token. A use case resolves it after its authorize(); a plain value is
 * taken as is.
 */
export type AfterPolicy<T> = T | (() => T);
export const afterPolicy = <T>(v: AfterPolicy<T>): T => (typeof v === "function" ? (v as () => T)() : v);

/**
 * Throws (after auditing once) unless the actor may do every check. `op` names what the audit
 * event records as attempted (the use case's action and the resource addressed); by default, the
 * refused check itself.
 */
export async function authorize(deps: AuthzDeps, actor: Actor, checks: Check | readonly Check[], op?: { action: string; target: Target }): Promise<void> {
  const principal = await principalOf(deps.store, actor);
  for (const c of Array.isArray(checks) ? checks : [checks as Check]) {
    const d = decide(principal, c.action, c.target);
    if (d.allowed) continue;
    await auditRefusal(deps.store, deps.clock, actor, op?.action ?? c.action, refOf(op?.target ?? c.target), d.reason);
    throw new Refusal(c.action, d.reason);
  }
}


/**
 * What an actor that may have to answer for a deferred grant is recorded as: its token's id, or
 * `operator` (the operator, and an in-process actor whose token is not stored, which principalOf
 * takes as one the operator made).
 */
export async function grantorOf(repos: Repos, actor: Actor): Promise<string> {
  if ((await principalOf(repos, actor)).kind === "operator") return "operator";
  return (await repos.tokens.get(actor.tokenId)) ? actor.tokenId : "operator";
}

/**
 * Whether `grantor` (a token id, or `operator`, as grantorOf recorded it) would still be allowed
 * every check now: for what a principal sets in motion and someone else completes later (an
 * invitation accepted days after it was sent). A revoked, foreign or unknown token, or one that
 * no longer authenticates (its user or maker suspended or gone, a token up its chain revoked), may
 * do nothing. No audit event: the caller reports the refusal in its own terms.
 */
export async function grantorMay(repos: Repos, org: Organization, grantor: string, checks: readonly Check[]): Promise<boolean> {
  let p: Principal | null = null;
  if (grantor === "operator") p = { kind: "operator", name: "deferred grant" };
  else {
    const t = await repos.tokens.get(grantor);
    if (t && t.orgId === org.id && !t.revoked) p = await resolveTokenPrincipal(repos, org, t);
  }
  if (!p) return false;
  const principal = p;
  return checks.every((c) => decide(principal, c.action, c.target).allowed);
}
