/**
 * Who is looking, from GET /v1/Me (generated on the server from the policy table): which kinds of
 * target each action allows the viewer. Pages hide the links and disable the buttons the viewer
 * cannot use, saying why; the server decides every request all the same (a disabled button is a
 * courtesy, never the rule).
 *
 * The kind of an account or user as the viewer stands to it follows the policy's own definition
 * (src/domain/policy/decide.ts targetKind): a closed account is "other" to everyone; an account is
 * "administered" when the viewer holds Administrator there, "member" when they hold another role or
 * own it; a user is "self" or their org role.
 */
import { h } from "./dom.js";
import type { Me } from "./types.js";

export type TargetKind = NonNullable<Me["actions"][string]>["allowed_targets"][number];

export interface Viewer {
  me: Me;
  /** Whether the server would let the viewer take `action` on a target of `kind`: the policy allows it and no invariant of the action rules it out. */
  can(action: string, kind?: TargetKind): boolean;
  /** Why `action` (on `kind`) is refused: the invariant's words, else the policy's. */
  why(action: string, kind?: TargetKind): string;
}

export function viewerOf(me: Me): Viewer {
  const ruledOut = (action: string, kind: TargetKind) => me.actions[action]?.ruled_out.find((r) => r.target === kind);
  return {
    me,
    can: (action, kind = "organization") => (me.actions[action]?.allowed_targets.includes(kind) ?? false) && ruledOut(action, kind) === undefined,
    why: (action, kind = "organization") =>
      ruledOut(action, kind)?.rule ?? me.actions[action]?.refused_because ?? `Your token may not ${me.actions[action]?.what ?? action}.`,
  };
}

export function accountKind(v: Viewer, account: { sid: string; owner_sid: string; status: string }): TargetKind {
  if (account.status !== "active") return "other";
  const roles = v.me.account_roles[account.sid] ?? [];
  if (roles.includes("administrator")) return "administered";
  if (roles.length > 0 || (v.me.user !== null && account.owner_sid === v.me.user.sid)) return "member";
  return "other";
}

export function userKind(v: Viewer, user: { sid: string; org_role: string | null; status: string }): TargetKind {
  if (v.me.user !== null && user.sid === v.me.user.sid) return "self";
  if (user.status !== "managed") return "standard";
  return user.org_role === "owner" ? "owner" : user.org_role === "administrator" ? "administrator" : "standard";
}

/**
 * Disables `control` when the viewer may not take `action` on `kind`, with the reason beside it
 * (and as its description). Answers whether it is allowed.
 */
export function gate(v: Viewer, control: HTMLButtonElement | HTMLInputElement | HTMLSelectElement, action: string, kind: TargetKind = "organization"): boolean {
  if (v.can(action, kind)) return true;
  control.disabled = true;
  control.dataset.refused = action;
  const note = h("span", { class: "hint refused-note", id: `refused-${Math.random().toString(36).slice(2, 10)}` }, `Not available to you: ${v.why(action, kind)}`);
  control.setAttribute("aria-describedby", [note.id, control.getAttribute("aria-describedby")].filter(Boolean).join(" "));
  control.insertAdjacentElement("afterend", note);
  return false;
}
