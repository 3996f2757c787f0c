/**
 * Users (seed: "List your Organization's users"): tabs for Managed, Independent and Pending users
 * (GET /v1/Users?Status=, paged), a search by the start of a username or email (Search=, answered
 * by the server from its indexes, so it covers the whole organization), Resend and Revoke of invitations
 * (POST /v1/Invitations/:sid/Resend, DELETE /v1/Invitations/:sid), and the "Invite User"
 * (POST /v1/Invitations) and "Invite User to Account" panels.
 */
import { pageTokenOf, v1, v1All, withQuery } from "./api.js";
import { append, badge, ErrorSlot, field, h, openPanel, Pager, run, statusLine, table, tabs, when } from "./dom.js";
import { flashLine, heading, nameOf, type Page } from "./page.js";
import { confirmPanel, inviteToAccountPanel, roleNames } from "./panels.js";
import {
  ORG_ROLE_LABEL, type AccountPage, type Invitation, type InvitationPage, type Member, type MemberPage, type MemberStatus, type RevokeResult, type UserAccount,
} from "./types.js";

const TABS: { key: MemberStatus; label: string }[] = [
  { key: "managed", label: "Managed users" },
  { key: "independent", label: "Independent users" },
  { key: "pending", label: "Pending users" },
];
const PAGE_SIZE = 20;

export const usersPage: Page = async (root, ctx, [tabParam]) => {
  const status = statusLine();
  const invite = h("button", { type: "button" }, "Invite User");
  const inviteAccount = h("button", { type: "button", class: "secondary" }, "Invite User to Account");
  append(root, heading("Users", [], inviteAccount, invite), mailBanner(ctx), flashLine(ctx), status.el);

  let current: MemberStatus = (tabParam as MemberStatus | undefined) ?? "managed";
  const holder = h("div", {});
  root.append(holder);

  const show = async (tab: MemberStatus, focusTab: boolean) => {
    current = tab;
    ctx.replace(`#/users/${tab}`);
    const t = tabs<MemberStatus>("User lists", TABS, tab, (k) => {
      status.clear(); // the message was about the previous tab
      void show(k, true);
    });
    holder.replaceChildren(t.list, t.panel);
    if (focusTab) t.list.querySelector<HTMLElement>('[aria-selected="true"]')?.focus();
    await listPanel(t.panel, tab, status);
  };

  invite.addEventListener("click", () => inviteUserPanel((message) => {
    status.say(message);
    void show("pending", false);
  }));
  const inviteAccountSlot = new ErrorSlot(inviteAccount);
  root.insertBefore(inviteAccountSlot.el, holder);
  inviteAccount.addEventListener("click", () => void run(inviteAccount, inviteAccountSlot, async () => {
    const accounts = await v1<AccountPage>("GET", withQuery("/Accounts", { Status: "active", PageSize: 100 }));
    inviteToAccountPanel({
      accounts: accounts.accounts,
      done: (message) => {
        status.say(message);
        void show(current, false);
      },
    });
  }));

  await show(current, false);
};

/** The mark of a user the identity provider manages (it has an externalId). */
export function idpBadge(): HTMLElement {
  const b = badge("identity provider", "pending idp");
  b.title = "Managed by your identity provider: its next update overwrites the user's names, emails and status; change them there.";
  return h("span", {}, " ", b);
}

/** Said wherever invitations are made, when this server sends no mail (no SMTP_URL). */
export function mailBanner(ctx: { org: { mail_delivery?: "smtp" | "none" } }): HTMLElement | null {
  if (ctx.org.mail_delivery !== "none") return null;
  return h("p", { class: "banner warn", role: "note" }, h("strong", {}, "Mail is not sent. "),
    "This orgscim server has no SMTP server configured (SMTP_URL), so invitation and password-reset mail stays queued in its outbox and nobody receives it. Ask the operator to set SMTP_URL; until then, invitations show as “mail queued”.");
}

/** One tab: the search form, the table and its pager. */
async function listPanel(panel: HTMLElement, tab: MemberStatus, status: ReturnType<typeof statusLine>): Promise<void> {
  const q = h("input", { type: "search", name: "q", autocomplete: "off", placeholder: "ada@example.com", maxlength: "256" });
  const search = h("button", { type: "submit", class: "secondary" }, "Search");
  const clear = h("button", { type: "button", class: "secondary", hidden: true }, "Clear");
  const searchSlot = new ErrorSlot(search);
  const note = h("p", { class: "hint", "aria-live": "polite" });
  const form = h("form", { class: "toolbar", role: "search", "aria-label": `Search ${tab} users` }, field("Search by username or email", q, "Users whose username or an email starts with this text."), search, clear, searchSlot.el);
  const list = h("div", {});

  /** Pending and expired invitations by user, for the Resend and Revoke buttons. */
  let invitations = new Map<string, Invitation[]>();
  const loadInvitations = async () => {
    if (tab === "managed") return;
    const found = new Map<string, Invitation[]>();
    for (const state of ["pending", "expired"] as const) {
      let token: string | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await v1<InvitationPage>("GET", withQuery("/Invitations", { Status: state, PageSize: 100, PageToken: token }));
        for (const inv of page.invitations) found.set(inv.user_sid, [...(found.get(inv.user_sid) ?? []), inv]);
        const next = pageTokenOf(page.meta.next_page_url);
        if (!next) break;
        token = next;
      }
    }
    invitations = found;
  };

  let searching: string | null = null; // the text searched for; null: no search
  const pager = new Pager(`${tab} users`, async (token) => {
    const [page] = await Promise.all([
      v1<MemberPage>("GET", withQuery("/Users", { Status: tab, Search: searching, PageSize: PAGE_SIZE, PageToken: token })),
      token === undefined ? loadInvitations() : Promise.resolve(),
    ]);
    render(page.users);
    if (searching !== null && token === undefined) {
      note.textContent = page.users.length === 0 ? `No ${tab} user's username or email starts with “${searching}”.`
        : `${tab[0]!.toUpperCase()}${tab.slice(1)} users whose username or email starts with “${searching}”.`;
    }
    return { next: pageTokenOf(page.meta.next_page_url) ?? null, count: page.users.length };
  });

  const render = (users: Member[]) => {
    const headers = tab === "managed" ? ["Name", "Email", "Organization role", "State"]
      : tab === "pending" ? ["Name", "Email", "Invited as", "Invitation", ""]
        : ["Name", "Email", "Access", "Open invitations", ""];
    const rows = users.map((u) => row(u));
    list.replaceChildren(table(TABS.find((t) => t.key === tab)!.label, headers, rows, searching !== null ? "No user matches." : tab === "pending" ? "No pending invitations." : `No ${tab} users.`));
  };

  const row = (u: Member): HTMLTableRowElement => {
    const name = nameOf(u);
    const nameCell = h("td", {}, h("a", { href: `#/users/${u.sid}` }, name), u.managed_by_idp ? idpBadge() : null);
    const email = h("td", {}, u.email ?? u.user_name);
    if (tab === "managed") {
      return h("tr", { "data-user": u.sid }, nameCell, email, h("td", {}, u.org_role ? ORG_ROLE_LABEL[u.org_role] : "—"), h("td", {}, u.active ? badge("active", "ok") : badge("suspended", "warn")));
    }
    const invs = invitations.get(u.sid) ?? [];
    const invCell = h("td", {});
    const actions = h("td", { class: "row-actions" });
    if (invs.length === 0) invCell.append(tab === "pending" ? "No open invitation" : "None");
    for (const inv of invs) {
      invCell.append(h("div", {}, inv.kind === "organization" ? `Organization, ${inv.org_role ? ORG_ROLE_LABEL[inv.org_role] : "—"}` : `Account, ${roleNames(inv.roles)}`,
        h("div", { class: "sub" }, inv.status === "expired" ? "Expired " : "Expires ", when(inv.date_expires)),
        mailBadge(inv)));
      actions.append(invitationActions(inv, name, async (message) => {
        status.say(message);
        await pager.reload();
      }));
    }
    if (tab === "pending") return h("tr", { "data-user": u.sid }, nameCell, email, h("td", {}, invs.length ? (invs[0]!.kind === "organization" ? "Organization member" : "Account user") : "—"), invCell, actions);
    // What an independent user holds now: their accounts and roles (one call per row of this page).
    const access = h("td", { class: "access", "aria-busy": "true" }, "…");
    void v1All<UserAccount>(`/Users/${u.sid}/Accounts`, "accounts").then(
      (list) => access.replaceChildren(...(list.length ? list.map((x) => h("div", {}, h("a", { href: `#/accounts/${x.account.sid}` }, x.account.friendly_name), `: ${roleNames(x.roles)}`)) : ["No account access"])),
      (e: unknown) => access.replaceChildren(h("span", { class: "error" }, e instanceof Error ? e.message : String(e))),
    ).finally(() => access.removeAttribute("aria-busy"));
    return h("tr", { "data-user": u.sid }, nameCell, email, access, invCell, actions);
  };

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void run(search, searchSlot, async () => {
      const text = q.value.trim();
      searching = text || null;
      note.textContent = "";
      clear.hidden = searching === null;
      await pager.reset();
    });
  });
  clear.addEventListener("click", () => {
    q.value = "";
    searching = null;
    note.textContent = "";
    clear.hidden = true;
    q.focus();
    void pager.reset();
  });

  panel.replaceChildren(form, note, list, pager.el);
  await pager.reset();
}

/** The invitation mail's state, from the outbox: what really happened to it. */
export function mailBadge(inv: Invitation): HTMLElement {
  const m = inv.mail;
  if (!m) return h("div", { class: "mail-state" }, badge("no mail recorded", "warn"));
  const label = m.status === "queued" ? (m.attempts > 0 ? `mail queued, ${m.attempts} failed tr${m.attempts > 1 ? "ies" : "y"}` : "mail queued, not sent yet")
    : m.status === "sent" ? "mail sent" : m.status === "failed" ? "mail failed" : "mail cancelled";
  const kind = m.status === "sent" ? "ok" : m.status === "queued" ? "pending" : "warn";
  return h("div", { class: "mail-state", "data-mail": m.status }, badge(label, kind),
    m.date_sent ? h("span", { class: "sub" }, " ", when(m.date_sent)) : null,
    m.last_error ? h("div", { class: "sub" }, `Mail server: ${m.last_error}`) : null,
    m.status === "failed" ? h("div", { class: "sub" }, "Resend makes a new link and tries again.") : null);
}

function invitationActions(inv: Invitation, name: string, done: (message: string) => Promise<void>): HTMLElement {
  const resend = h("button", { type: "button", class: "secondary small", "aria-label": `Resend the invitation to ${name}` }, "Resend");
  const revoke = h("button", { type: "button", class: "secondary small", "aria-label": `Revoke the invitation to ${name}` }, "Revoke");
  const slot = new ErrorSlot(resend);
  revoke.setAttribute("aria-describedby", slot.el.id);
  resend.addEventListener("click", () => void run(resend, slot, async () => {
    const next = await v1<Invitation>("POST", `/Invitations/${inv.sid}/Resend`);
    const state = next.mail?.status === "sent" ? "its new mail is sent" : next.mail?.status === "failed" ? "its new mail failed" : "its new mail is queued in the outbox";
    await done(`The invitation to ${inv.email} was renewed: ${state}; it now expires ${new Date(next.date_expires).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}. The previous link no longer works.`);
  }));
  revoke.addEventListener("click", () => confirmPanel({
    title: `Revoke the invitation to ${inv.email}`,
    bullets: ["The invitation stops working at once.", inv.new_user ? "The user created for this invitation is removed." : "The user keeps the access they had before."],
    confirmLabel: "Revoke invitation",
    danger: true,
    action: async () => {
      const out = await v1<RevokeResult>("DELETE", `/Invitations/${inv.sid}`);
      await done(`The invitation to ${inv.email} was revoked${out.member === "removed" ? " and its pending user removed" : out.member === "independent" ? "; they keep their account access as an independent user" : ""}.`);
    },
  }));
  return h("div", { class: "inv-actions" }, resend, " ", revoke, slot.el);
}

/** "Invite User to Organization" (seed): an email address and an org role. */
function inviteUserPanel(done: (message: string) => void): void {
  openPanel("Invite User to Organization", (body, close) => {
    const email = h("input", { type: "email", name: "email", autocomplete: "off", required: true, class: "wide" });
    const admin = h("input", { type: "radio", name: "org_role", value: "administrator", id: "role-admin" });
    const standard = h("input", { type: "radio", name: "org_role", value: "standard", id: "role-standard", checked: true });
    const submit = h("button", { type: "submit" }, "Invite User");
    const slot = new ErrorSlot(submit);
    const form = h("form", {},
      field("Email address", email, "The email's domain must be one your Organization has verified (see Domains)."),
      h("fieldset", { class: "roles" }, h("legend", {}, "Role"),
        h("div", { class: "check" }, admin, h("label", { for: admin.id }, "Administrator ", h("span", { class: "hint" }, "Manages your Organization and its users and accounts."))),
        h("div", { class: "check" }, standard, h("label", { for: standard.id }, "Standard User (Account Creation) ", h("span", { class: "hint" }, "Access only through the roles they get on accounts; can create new accounts.")))),
      h("div", { class: "buttons" }, submit, h("button", { type: "button", class: "secondary", onclick: close }, "Cancel")),
      slot.el);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void run(submit, slot, async () => {
        const inv = await v1<Invitation>("POST", "/Invitations", { email: email.value.trim(), org_role: admin.checked ? "administrator" : "standard" });
        close();
        done(`Invitation to ${inv.email} queued in the outbox: the mail goes out when the mail server takes it. They are listed under Pending users until they accept.`);
      });
    });
    body.appendChild(form);
  });
}
