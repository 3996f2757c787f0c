/**
 * docs/authorization.md, rendered from the policy table (./table.ts). `npm run docs:authorization`
 * writes it; test/authz/docs.test.ts fails when the committed file differs from this rendering.
 */
import { doorText, SUBJECT_HEADINGS, SUBJECTS, TARGET_LABELS, type Door, type Subject } from "./kinds";
import { POLICY, PUBLIC_DOORS, type ActionRule } from "./table";

const cell = (rule: ActionRule, s: Subject): string => {
  const allowed = rule.allow[s] ?? [];
  if (allowed.length === 0) return "—";
  if (allowed.length === rule.targets.length) return rule.targets.length === 1 ? "yes" : "any";
  return allowed.map((k) => TARGET_LABELS[k]).join("; ");
};

const apiOrder: Door["api"][] = ["scim", "bulk", "v1", "cli"];

export function renderAuthorizationDoc(): string {
  const out: string[] = [];
  out.push(
    "# Authorization",
    "",
    "<!-- Generated from src/domain/policy/table.ts by `npm run docs:authorization`; test/authz/docs.test.ts fails when this file is stale. Do not edit by hand. -->",
    "",
    "orgscim decides every request with one policy, kept as a table in the domain (`src/domain/policy/table.ts`).",
    "Every use case asks it, whatever door the request came through (SCIM, each operation of a SCIM `/Bulk`",
    "request, the admin API `/v1`, the Admin Center, which calls those two, and the `orgscim` command); no route",
    "decides rights itself. A refusal answers 403 with the reason (SCIM: RFC 7644 §3.12, `/v1`: its error shape)",
    "and leaves exactly one audit event (`outcome: refused`) naming the real actor. The matrix test",
    "(`test/authz/matrix.test.ts`) is generated from the same table and runs every principal against every",
    "action over HTTP.",
    "",
    "## Who acts",
    "",
    "The organization always comes from the token. Then, once per request:",
    "",
    "- **A token acting for a user** (`orgscim tokens create --user US...`, or one a user made for themself with",
    "  `POST /v1/Tokens` and their own `user_sid`) has that user's current effective org role and account roles:",
    "  the column of that role applies, and it stops working when the user is suspended or leaves.",
    "- **A token acting for no user** (a service token) has the column of its *ceiling*: the org role of whoever",
    "  made it, when they made it. The operator (the `orgscim` command, and the first start's bootstrap token)",
    "  counts as Owner, so a new organization's bootstrap token can appoint its first Owner.",
    "- **Every token is capped by its maker, now.** A token records who made it (`created_by`: `operator`, or the",
    "  token that made it) and the user whose rights cap it. When that user is demoted, the token is lowered to",
    "  their new role at the next request; when they are suspended, removed or deleted, the token stops working",
    "  (401). It is not revoked: reactivating a suspended maker restores it. A token never carries more than its maker holds.",
    "  Revoking a token also stops every token it made, and the tokens those made (401): its holder cannot mint a",
    "  copy to outlive the revocation.",
    "- **A grant completed later is asked again.** An invitation records the token that sent (or last resent) it;",
    "  accepting it asks the policy, as that token now, what sending it asked (`invitation.create`, and",
    "  `org_role.administrator.grant` or `role_assignment.create` on its account). When the sender was demoted,",
    "  suspended or removed, lost the account, or the token was revoked, accepting answers 409 (6615) and the",
    "  invitation stays pending until an Owner or Administrator resends it.",
    "- **Scopes limit further.** `admin` opens both APIs. A token with the `scim` scope only reaches SCIM alone",
    "  and must also pass the *scim scope only* column: what an identity provider may do. `/v1` needs the",
    "  `admin` scope; a token without it is refused with 403 (and an audit event, action `scope.required`).",
    "- **A closed account grants nothing until it is reopened.** Closing ends the direct roles on it, but groups an",
    "  identity provider bound to its roles outlive closing: their members still hold those roles in the store, and",
    "  the policy does not count them, nor the account's ownership. To everyone, a closed account is *any other",
    "  account*: an Owner or Administrator of the organization reads and reopens it; its former account",
    "  Administrators and its owner (Standard Users) can neither read it nor hand its roles on (by SCIM, `/Bulk`",
    "  or `/v1`) until it is reopened, when those groups grant again.",
    "- **The operator** is the `orgscim` command working on the store itself: full rights, never over HTTP.",
    "- **Another organization's** users, groups, accounts, tokens and invitations are indistinguishable from",
    "  ids that do not exist (404), for every principal.",
    "- **The policy answers first.** Only the request's shape (its JSON, its schema, parameter syntax) is checked",
    "  before the policy, since it says which action is asked; anything that reads the organization's data or",
    "  opens a sealed value (a `/v1` PageToken, a SCIM cursor) comes after: a caller the policy refuses gets 403",
    "  whatever page token it sends (the matrix sends every refused read again with one this server never issued).",
    "- **The audit log names who acted**: a token acting for a user as `TK.../US...`, a service token as `TK...`,",
    "  the `orgscim` command as `operator:cli <command>`.",
    "",
    "A column applies to a *kind of target*: the actor themself, a Standard User, an Administrator, the Owner",
    "(for users; also for what a token can do), an account the actor administers, owns or holds a lesser role",
    "on, or any other (for accounts and invitations to them).",
    "",
    "## The table",
    "",
    "\"any\": every kind of target the action has; \"yes\": allowed (the action has one kind of target); \"—\": refused.",
    "",
    `| action | what | ${SUBJECTS.map((s) => SUBJECT_HEADINGS[s]).join(" | ")} |`,
    `|---|---|${SUBJECTS.map(() => "---").join("|")}|`,
  );
  for (const r of POLICY) out.push(`| \`${r.id}\` | ${r.what} | ${SUBJECTS.map((s) => cell(r, s)).join(" | ")} |`);
  out.push("", "## Each action", "");
  for (const r of POLICY) {
    out.push(`### \`${r.id}\``, "", `${capitalize(r.what)}. Targets: ${r.targets.map((k) => TARGET_LABELS[k]).join("; ")}.`, "");
    const doors = [...r.doors].sort((a, b) => apiOrder.indexOf(a.api) - apiOrder.indexOf(b.api));
    out.push("Doors:", "", ...doors.map((d) => `- ${doorText(d)}`), "");
    if (r.stateRules?.length) {
      out.push("Rules of state (whoever acts, once the policy allowed; the first that applies answers):", "");
      for (const sr of r.stateRules) {
        const whom = sr.on === "owner" ? "The Owner (themselves included)" : "Themselves";
        out.push(`- ${whom}: ${sr.rule} (${Object.entries(sr.status).map(([api, st]) => `${api} ${st}`).join(", ")}).`);
      }
      out.push("");
    }
    if (r.note) out.push(r.note, "");
  }
  out.push(
    "## Without a bearer token",
    "",
    "These carry their own credential, or need none; they are outside the policy:",
    "",
    ...PUBLIC_DOORS.map((d) => `- ${doorText(d)}: ${d.why}.`),
    "- `GET /healthz`, `GET /readyz`, and the Admin Center's static files under `/admin` (it signs in with a token).",
    "",
    "## Tokens made before this policy",
    "",
    "SQLite migration 12 records, for each existing token, who made it from the audit log's `token.create`",
    "events (an Administrator's ceiling, since the log does not say whether the Owner or an Administrator made",
    "it); tokens without such an event were the operator's (ceiling Owner). Tokens acting for a user that",
    "someone else made through `/v1/Tokens` are revoked, each with an audit event: only the user themself or",
    "the operator makes those now. On MongoDB, a token without these fields is read with an Administrator's",
    "ceiling and no maker to follow; make a new one with `orgscim tokens create` where the Owner's rights are needed.",
    "",
  );
  return out.join("\n");
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
