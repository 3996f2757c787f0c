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
  /**
   * Kinds the policy allows but an invariant of the action refuses for this viewer whatever the
   * target (./policy/table/rule.ts StateRule: nobody removes themselves; the Owner is never
   * deactivated, removed or deleted), with the rule's words: the server answers those 400 or 409.
   */
  ruledOut: { target: TargetKind; rule: string }[];
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

/** Who the viewer is, for the invariants: whether they are a user, and whether that user is the Owner. */
export interface ViewerSelf {
  isUser: boolean;
  isOwner: boolean;
}

/** The kinds an action's invariants refuse this viewer, among those the policy allows. */
function ruledOutFor(rule: (typeof POLICY)[number], allowed: readonly TargetKind[], self: ViewerSelf): ViewerAction["ruledOut"] {
  const out: ViewerAction["ruledOut"] = [];
  for (const sr of rule.stateRules ?? []) {
    // "self": the actor themself; "owner": the Owner, who is "self" when the viewer is the Owner.
    const kinds: TargetKind[] = sr.on === "self" ? (self.isUser ? ["self"] : []) : ["owner", ...(self.isOwner ? ["self" as const] : [])];
    for (const k of kinds) if (allowed.includes(k) && !out.some((o) => o.target === k)) out.push({ target: k, rule: sr.rule });
  }
  return out;
}

/** Every action of the table, with what it allows this principal's columns (all of them must allow). */
export function actionsFor(columns: readonly Subject[], self: ViewerSelf = { isUser: false, isOwner: false }): ViewerAction[] {
  return POLICY.map((rule) => {
    const allowed = rule.targets.filter((k) => columns.every((c) => allows(rule, c, k)));
    const refusing = columns.find((c) => rule.targets.some((k) => !allows(rule, c, k)));
    return {
      ruledOut: ruledOutFor(rule, allowed, self),
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
    actions: actionsFor(columns, { isUser: user !== null, isOwner: user?.orgRole === "owner" }),
  };
}
