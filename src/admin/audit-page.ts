/**
 * The audit log (GET /v1/AuditEvents): every change and refusal, newest first, filtered by action,
 * target, actor (a user: whatever acted for them; or a token, client or operator command), outcome
 * and time (From inclusive, To exclusive), paged; "Only this actor" beside each actor narrows to them. Each event shows who acted and
 * on what with names next to the sids (users, accounts, invitations and tokens are looked up once
 * each, through the same API), and the attributes that changed, old → new.
 */
import { v1, v1All, withQuery } from "./api.js";
import { append, badge, field, h, when } from "./dom.js";
import { flashLine, heading, nameOf, type Page } from "./page.js";
import { filteredList } from "./panels.js";
import type { Account, AuditEvent, AuditEventPage, Invitation, Token, User } from "./types.js";

/** Names of sids, each looked up at most once per visit of the page; null: not found (deleted, or not readable). */
class Names {
  private readonly cache = new Map<string, Promise<string | null>>();
  constructor(private readonly tokens: Map<string, Token>) {}

  of(sid: string): Promise<string | null> {
    let p = this.cache.get(sid);
    if (!p) {
      p = this.lookup(sid).catch(() => null);
      this.cache.set(sid, p);
    }
    return p;
  }

  private async lookup(sid: string): Promise<string | null> {
    if (/^US[0-9a-f]{32}$/.test(sid)) return nameOf(await v1<User>("GET", `/Users/${sid}`));
    if (/^AC[0-9a-f]{32}$/.test(sid)) return (await v1<Account>("GET", `/Accounts/${sid}`)).friendly_name;
    if (/^IV[0-9a-f]{32}$/.test(sid)) return `invitation to ${(await v1<Invitation>("GET", `/Invitations/${sid}`)).email}`;
    if (/^TK[0-9a-f]{32}$/.test(sid)) {
      const t = this.tokens.get(sid);
      return t ? `token “${t.friendly_name}”` : null;
    }
    return null;
  }
}

/** A sid with its name before it, when known: "Ada Lovelace (US…)". */
async function named(names: Names, sid: string, compact = false): Promise<HTMLElement> {
  const name = await names.of(sid);
  const link = /^US/.test(sid) ? `#/users/${sid}` : /^AC/.test(sid) ? `#/accounts/${sid}` : null;
  if (!name) return h("span", { class: "named mono" }, sid);
  // compact (inside the changes): the sid is the name's tooltip, to keep one line per attribute.
  return h("span", { class: "named", title: sid, "data-sid": sid }, link ? h("a", { href: link }, name) : name, compact ? null : h("span", { class: "sub mono" }, ` ${sid}`));
}

/**
 * The actor: `TK…/US…` (a token acting for a user), `TK…` (a service token), `invitation:IV…/US…`
 * (the invitee accepting with the emailed token), `operator:…` (the orgscim command).
 */
async function actorCell(names: Names, actor: string): Promise<HTMLElement> {
  if (actor.startsWith("operator:")) return h("span", {}, `operator (${actor.slice("operator:".length)})`);
  const [first, userSid] = actor.split("/");
  const inv = /^invitation:(IV[0-9a-f]{32})$/.exec(first ?? "");
  if (inv) {
    const who = userSid ? await names.of(userSid) : null;
    const invited = who ?? (await names.of(inv[1]!))?.replace(/^invitation to /, "") ?? null;
    return h("span", {}, invited ? `${invited} (with the invitation)` : actor, h("div", { class: "sub mono" }, inv[1]!));
  }
  if (userSid) return h("span", {}, await named(names, userSid), h("div", { class: "sub" }, "with ", await named(names, first!)));
  return named(names, first!);
}

const SID = /^(US|AC|IV|TK|GP|DM)[0-9a-f]{32}$/;
const LABEL: Record<string, string> = { userId: "user", accountId: "account", ownerId: "owner", owner: "owner", via: "through group" };

function show(v: unknown): string {
  if (v === undefined) return "(none)";
  if (v === null) return "null";
  if (Array.isArray(v)) return v.map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))).join(", ") || "[]";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** Flattens {a: {b: 1}} into [["a.b", 1]]. */
function flat(v: unknown, prefix = ""): [string, unknown][] {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return prefix ? [[prefix, v]] : [];
  const out: [string, unknown][] = [];
  for (const [k, x] of Object.entries(v)) out.push(...flat(x, prefix ? `${prefix}.${k}` : k));
  return out;
}

/** The changes of an event, one line per attribute: "familyName: Brewster → Hopper"; sids named. */
async function changesCell(names: Names, e: AuditEvent): Promise<HTMLElement[]> {
  const before = new Map(flat(e.before));
  const after = new Map(flat(e.after));
  const lines: HTMLElement[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(key);
    const a = after.get(key);
    const label = LABEL[key] ?? key;
    const one = async (v: unknown) => (typeof v === "string" && SID.test(v) ? named(names, v, true) : h("span", {}, show(v)));
    if (e.before !== null && e.after !== null && before.has(key) && after.has(key) && show(a) === show(b)) {
      lines.push(h("div", { class: "diff same" }, `${label}: `, await one(a)));
    } else if (e.before === null || (!before.has(key) && e.after !== null)) {
      lines.push(h("div", { class: "diff" }, `${label}: `, await one(a)));
    } else if (e.after === null) {
      lines.push(h("div", { class: "diff" }, `${label}: `, await one(b), typeof b === "string" && SID.test(b) ? null : " → (removed)"));
    } else {
      lines.push(h("div", { class: "diff" }, `${label}: `, await one(b), " → ", after.has(key) ? await one(a) : "(removed)"));
    }
  }
  return lines;
}

const ACTIONS = [
  "user.create", "user.update", "user.remove", "user.delete", "user.password_reset", "account.create", "account.update", "account.close", "account.reopen",
  "role_assignment.create", "role_assignment.delete", "invitation.create", "invitation.resend", "invitation.revoke", "invitation.accept",
  "group.create", "group.update", "group.delete", "domain.create", "domain.verify", "domain.remove", "token.create", "token.revoke", "organization.settings.update",
];

/** A datetime-local value (the reader's time zone) as an ISO instant, or undefined when empty. */
const instant = (v: string): string | undefined => (v ? new Date(v).toISOString() : undefined);

export const auditPage: Page = async (root, ctx, params) => {
  append(root, heading("Audit log"), flashLine(ctx),
    h("p", { class: "intro" }, "Every change and every refused action, newest first: who acted, on what, and the attributes that changed (old → new). Secrets are never recorded."));
  const tokens = new Map((await v1All<Token>("/Tokens", "tokens").catch(() => [] as Token[])).map((t) => [t.sid, t]));
  const names = new Names(tokens);

  const action = h("input", { type: "text", name: "action", list: "audit-actions", placeholder: "role_assignment.delete", autocomplete: "off", maxlength: "100" });
  const actions = h("datalist", { id: "audit-actions" }, ...ACTIONS.map((a) => h("option", { value: a })));
  const target = h("input", { type: "text", name: "target", placeholder: "US…, AC…, IV…", autocomplete: "off", maxlength: "100", class: "mono", value: params[0] ?? "" });
  const actor = h("input", { type: "text", name: "actor", placeholder: "US…, TK…, OC…, operator:…", autocomplete: "off", maxlength: "200", class: "mono", value: params[1] ?? "" });
  const outcome = h("select", { name: "outcome" }, h("option", { value: "" }, "Any"), h("option", { value: "success" }, "Success"), h("option", { value: "refused" }, "Refused"));
  const from = h("input", { type: "datetime-local", name: "from" });
  const to = h("input", { type: "datetime-local", name: "to" });

  /** A row now; its names and changes fill in as their lookups answer (aria-busy meanwhile). */
  const row = (e: AuditEvent): HTMLTableRowElement => {
    const who = h("td", { class: "who", "aria-busy": "true" }, e.actor);
    const what = h("td", { class: "target", "aria-busy": "true" }, e.target_type, e.target_sid ? h("div", { class: "sub mono" }, e.target_sid) : null);
    const changes = h("td", { class: "changes", "aria-busy": "true" });
    const fill = async (cell: HTMLElement, build: () => Promise<(HTMLElement | string | null)[]>) => {
      try {
        cell.replaceChildren(...(await build()).filter((x): x is HTMLElement | string => x !== null));
      } finally {
        cell.removeAttribute("aria-busy");
      }
    };
    void fill(who, async () => [await actorCell(names, e.actor), onlyButton(e.actor)]);
    void fill(what, async () => [e.target_type, e.target_sid ? h("div", {}, await named(names, e.target_sid)) : null]);
    void fill(changes, async () => [
      ...(e.outcome === "refused" ? [h("div", {}, badge("refused", "warn"), " ", e.reason ?? "")] : []),
      ...(await changesCell(names, e)),
    ]);
    return h("tr", { "data-event": e.sid, "data-action": e.action }, h("td", {}, when(e.date_created)), who, h("td", { class: "mono action-name" }, e.action), what, changes);
  };

  /** Narrows the log to this event's actor: the user it acted for, else the credential that acted. */
  const onlyButton = (who: string): HTMLElement => {
    const parts = /^(.*)\/(US[0-9a-f]{32})$/.exec(who);
    const value = parts ? parts[2]! : who;
    const b = h("button", { type: "button", class: "link small", title: value }, "Only this actor");
    b.addEventListener("click", () => {
      actor.value = value;
      void log.pager.reset();
    });
    return h("div", {}, b);
  };

  const log = filteredList(root, {
    name: "Audit log",
    caption: "Audit events",
    headers: ["When", "Who", "Action", "Target", "Changes"],
    empty: "No event matches.",
    filters: {
      label: "Filter the audit log",
      fields: [field("Action", action), actions, field("Target SID", target), field("Actor", actor), field("Outcome", outcome), field("From (your time)", from), field("Before (your time)", to)],
    },
    load: async (token) => {
      const page = await v1<AuditEventPage>("GET", withQuery("/AuditEvents", {
        PageSize: 20, PageToken: token, Action: action.value.trim() || undefined, TargetSid: target.value.trim() || undefined,
        Actor: actor.value.trim() || undefined, Outcome: outcome.value || undefined, From: instant(from.value), To: instant(to.value),
      }));
      return { rows: page.audit_events.map((e) => row(e)), next_page_url: page.meta.next_page_url };
    },
  });
  await log.shown;
};
