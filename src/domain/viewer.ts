/**
 * Who is looking (GET /v1/Me): the caller's credential, the user it acts for, the column of the
 * policy it answers to, its account roles, and — generated from the policy table (./policy/table.ts),
 * never written by hand — which kinds of target each action allows it. The Admin Center hides or
 * disables what the viewer cannot do, with the reason; the server still decides every request
 * (./policy/authorize.ts): this read only says in advance what it will answer.
 */
import type { Actor } from "./actor";
import { authorize, orgTarget, POLICY, principalOf, subjectsOf } from "./policy";
import { allows } from "./policy/decide";
import { SUBJECT_LABELS, TARGET_LABELS, type Subject, type TargetKind } from "./policy/kinds";
import type { Clock } from "./clock";
import type { Store } from "./ports/store";
import type { AccountRole, OrgRole, Scope, UserRecord } from "./types";

export interface ViewerAction {
  action: string;
  what: string;
  /** The kinds of target the viewer may act on (empty: none); the others are refused. */
  allowed: TargetKind[];
  /** Why the refused kinds are refused, in the words of the refusal (the column that refuses). */
  refusedBecause: string | null;
}

export interface Viewer {
  tokenId: string;
  scopes: readonly Scope[];
  user: UserRecord | null;
  /** The org role whose column applies (a service token: its ceiling). */
  level: OrgRole;
  /** The policy's columns it must pass (./policy/decide.ts subjectsOf). */
  columns: Subject[];
  accounts: { accountId: string; roles: readonly AccountRole[] }[];
  actions: ViewerAction[];
}

/** Every action of the table, with what it allows this principal's columns (all of them must allow). */
export function actionsFor(columns: readonly Subject[]): ViewerAction[] {
  return POLICY.map((rule) => {
    const allowed = rule.targets.filter((k) => columns.every((c) => allows(rule, c, k)));
    const refusing = columns.find((c) => rule.targets.some((k) => !allows(rule, c, k)));
    return {
      action: rule.id,
      what: rule.what,
      allowed: [...allowed],
      refusedBecause: allowed.length === rule.targets.length || refusing === undefined ? null
        : `The policy lets ${SUBJECT_LABELS[refusing]} ${rule.what} ${allowed.length === 0 ? "on nothing" : `only on ${allowed.map((k) => TARGET_LABELS[k]).join("; ")}`}.`,
    };
  });
}

export async function describeViewer(deps: { store: Store; clock: Clock }, actor: Actor): Promise<Viewer> {
  await authorize(deps, actor, { action: "viewer.read", target: orgTarget(actor.org.id) });
  const p = await principalOf(deps.store, actor);
  if (p.kind === "operator") throw new Error("the operator has no /v1 viewer");
  const columns = subjectsOf(p);
  const user = p.userId ? await deps.store.users.get(actor.org.id, p.userId) : null;
  return {
    tokenId: p.tokenId,
    scopes: p.scopes,
    user,
    level: p.level,
    columns,
    accounts: [...p.accounts.entries()].map(([accountId, roles]) => ({ accountId, roles })).sort((a, b) => a.accountId.localeCompare(b.accountId)),
    actions: actionsFor(columns),
  };
}
