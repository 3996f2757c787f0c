/**
 * The one function that decides: decide(principal, action, target) from the table (./table.ts).
 * Pure: no store, no clock. The use cases describe their target (./targets.ts); authorize
 * (./authorize.ts) audits and throws what this refuses.
 */
import { SUBJECT_HEADINGS, SUBJECT_LABELS, TARGET_LABELS, type Subject, type TargetKind } from "./kinds";
import type { Principal } from "./principal";
import { RULES, type ActionRule } from "./table";
import type { Target } from "./targets";

export type Decision =
  | { allowed: true; kind: TargetKind }
  | { allowed: false; kind: TargetKind; subject: Subject; reason: string; rule: ActionRule };

export function ruleOf(action: string): ActionRule {
  const rule = RULES.get(action);
  if (!rule) throw new Error(`authorization asked about an action the policy does not know: ${action}`);
  return rule;
}

/** The kind of target, as this principal stands to it. */
export function targetKind(p: Principal, t: Target): TargetKind {
  const me = p.kind === "token" ? p.userId : null;
  switch (t.type) {
    case "organization":
      return "organization";
    case "group":
      return "group";
    case "user":
      if (me !== null && t.id === me) return "self";
      return t.role === "owner" ? "owner" : t.role === "administrator" ? "administrator" : "standard";
    case "account":
    case "invitation": {
      const account = t.type === "account" ? t : t.account;
      if (!account) return "orgInvitation";
      // A closed account grants nothing until it is reopened: neither its ownership nor a role on
      // it (groups an identity provider bound to its roles outlive closing) counts, through any door.
      if (account.closed) return "other";
      const roles = p.kind === "token" ? p.accounts.get(account.id) ?? [] : [];
      if (roles.includes("administrator")) return "administered";
      if (roles.length > 0 || (me !== null && account.ownerId === me)) return "member";
      return "other";
    }
    case "newToken": {
      if (p.kind === "token" && t.scopes.some((s) => !p.scopes.includes(s) && !(s === "scim" && p.scopes.includes("admin")))) return "newWider";
      if (t.userId === null) return "newService";
      return me !== null && t.userId === me ? "newSelf" : "newOtherUser";
    }
    case "token":
      if (p.kind === "token" && (t.id === p.tokenId || (me !== null && t.userId === me))) return "ownToken";
      return t.level === "owner" ? "tokenOwner" : t.level === "administrator" ? "tokenAdministrator" : "tokenStandard";
  }
}

/** The columns a principal must pass: its role's (or the operator's), and the identity provider's without the admin scope. */
export function subjectsOf(p: Principal): Subject[] {
  if (p.kind === "operator") return ["operator"];
  return p.scopes.includes("admin") ? [p.level] : [p.level, "idp"];
}

export const allows = (rule: ActionRule, subject: Subject, kind: TargetKind): boolean => (rule.allow[subject] ?? []).includes(kind);

export function decide(p: Principal, action: string, target: Target): Decision {
  const rule = ruleOf(action);
  const kind = targetKind(p, target);
  for (const subject of subjectsOf(p)) {
    if (!allows(rule, subject, kind)) return { allowed: false, kind, subject, rule, reason: reasonFor(p, rule, subject, kind) };
  }
  return { allowed: true, kind };
}

const ROLE_SUBJECTS: Subject[] = ["owner", "administrator", "standard", "idp"];
const SHORT: Record<Subject, string> = { owner: "Owner", administrator: "Administrator", standard: "Standard User", idp: "identity-provider token", operator: "operator" };

/** "an Owner or Administrator", "an Owner, Administrator or identity-provider token". */
function joinOr(subjects: Subject[]): string {
  const names = subjects.map((s) => SHORT[s]);
  const list = names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
  return `${/^[AEIOU]/.test(list) ? "an" : "a"} ${list}`;
}

function who(p: Principal, subject: Subject): string {
  if (subject === "idp" || p.kind === "operator") return SUBJECT_LABELS[subject];
  if (p.userId === null) return `a token acting for no user (it has ${SUBJECT_HEADINGS[subject]} rights, those of whoever made it)`;
  return SUBJECT_LABELS[subject];
}

/** The refusal message: who may not do what to which target, who may, and what to do. */
export function reasonFor(p: Principal, rule: ActionRule, subject: Subject, kind: TargetKind): string {
  const parts = [`Not allowed: ${who(p, subject)} may not ${rule.what}${kind === "organization" ? "" : ` (target: ${TARGET_LABELS[kind]})`}.`];
  const own = (rule.allow[subject] ?? []).filter((k) => k !== kind);
  if (own.length > 0 && subject !== "idp") parts.push(`${capitalize(SUBJECT_LABELS[subject])} may do this only to ${own.map((k) => TARGET_LABELS[k]).join(", ")}.`);
  const others = ROLE_SUBJECTS.filter((s) => allows(rule, s, kind) && s !== "idp");
  parts.push(others.length > 0 ? `Only ${joinOr(others)} may.` : "Nobody may, through the API.");
  if (subject === "idp") parts.push("It needs a token with the admin scope.");
  if (rule.note) parts.push(rule.note);
  return parts.join(" ");
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
