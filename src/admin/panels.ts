/**
 * Pieces several pages share: the account-role checkboxes (ticking Administrator clears and
 * disables the others, as the seed says), the "Invite User to Account" panel, a confirmation panel
 * with the seed's acknowledgement bullets, the owner picker (a search through the server), and the
 * filtered, paged list most pages are built around.
 */
import { pageTokenOf, v1, withQuery } from "./api.js";
import { ErrorSlot, field, h, openPanel, Pager, run, table, uid } from "./dom.js";
import { nameOf } from "./page.js";
import { ACCOUNT_ROLE_HINT, ACCOUNT_ROLE_LABEL, ACCOUNT_ROLE_LIST, type AccountInvitationResult, type AccountRole, type Member, type MemberPage } from "./types.js";

export interface RoleBoxes {
  el: HTMLFieldSetElement;
  selected(): AccountRole[];
  inputs: Record<AccountRole, HTMLInputElement>;
}

/**
 * Account roles as checkboxes. Administrator includes the others: ticking it clears and
 * disables them; unticking it enables them again (still cleared).
 */
export function roleCheckboxes(legend: string, initial: AccountRole[] = []): RoleBoxes {
  const inputs = {} as Record<AccountRole, HTMLInputElement>;
  const rows = ACCOUNT_ROLE_LIST.map((role) => {
    const input = h("input", { type: "checkbox", id: uid("role"), name: "role", value: role, checked: initial.includes(role) });
    inputs[role] = input;
    return h("div", { class: "check" }, input, h("label", { for: input.id }, ACCOUNT_ROLE_LABEL[role], " ", h("span", { class: "hint" }, ACCOUNT_ROLE_HINT[role])));
  });
  const sync = () => {
    const admin = inputs.administrator.checked;
    for (const role of ACCOUNT_ROLE_LIST) {
      if (role === "administrator") continue;
      if (admin) inputs[role].checked = false;
      inputs[role].disabled = admin;
    }
  };
  inputs.administrator.addEventListener("change", sync);
  sync();
  const el = h("fieldset", { class: "roles" }, h("legend", {}, legend), ...rows);
  return { el, inputs, selected: () => ACCOUNT_ROLE_LIST.filter((r) => inputs[r].checked) };
}

export const roleNames = (roles: AccountRole[]): string => (roles.length ? roles.map((r) => ACCOUNT_ROLE_LABEL[r]).join(", ") : "—");

/**
 * "Invite User to Account" (POST /v1/Accounts/:sid/Invitations): a managed user of the
 * organization gets the roles at once; anyone else is sent an invitation. `accounts` offers a
 * choice of account when the panel is not opened from an account's page.
 */
export function inviteToAccountPanel(opts: { accountSid?: string; accounts?: { sid: string; friendly_name: string }[]; done: (message: string) => void }): void {
  openPanel("Invite User to Account", (body, close) => {
    const email = h("input", { type: "email", name: "email", autocomplete: "off", required: true, class: "wide" });
    const account = opts.accountSid ? null : h("select", { name: "account", required: true },
      h("option", { value: "" }, "Choose an account…"),
      ...(opts.accounts ?? []).map((a) => h("option", { value: a.sid }, a.friendly_name)));
    const roles = roleCheckboxes("Account role");
    const submit = h("button", { type: "submit" }, "Submit");
    const slot = new ErrorSlot(submit);
    const form = h("form", {},
      account ? field("Account", account) : null,
      field("Email address", email),
      roles.el,
      h("p", { class: "hint" }, "Roles are not exclusive; Administrator includes the others. A user already in your Organization gets access at once; anyone else is sent an email invitation."),
      h("div", { class: "buttons" }, submit, h("button", { type: "button", class: "secondary", onclick: close }, "Cancel")),
      slot.el);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void run(submit, slot, async () => {
        const sid = opts.accountSid ?? account?.value ?? "";
        if (!sid) throw new Error("Choose the account.");
        const selected = roles.selected();
        if (selected.length === 0) throw new Error("Choose at least one account role.");
        const out = await v1<AccountInvitationResult>("POST", `/Accounts/${sid}/Invitations`, { email: email.value.trim(), roles: selected });
        close();
        opts.done(out.outcome === "granted"
          ? `${email.value.trim()} now has ${roleNames(out.roles)} on the account.`
          : `Invitation to ${email.value.trim()} (${roleNames(out.roles)}) queued in the outbox: the mail goes out when the mail server takes it. They are listed as independent users until they accept.`);
      });
    });
    body.appendChild(form);
  });
}

/**
 * A confirmation panel: the seed's bullets, the acknowledgement checkbox, optional extra fields,
 * and the confirm button, enabled once the box is ticked.
 */
export function confirmPanel(opts: {
  title: string;
  intro?: string;
  bullets: string[];
  acknowledge?: string;
  confirmLabel: string;
  danger?: boolean;
  extra?: (form: HTMLFormElement) => void;
  action: () => Promise<void>;
}): void {
  openPanel(opts.title, (body, close) => {
    const confirm = h("button", { type: "submit", class: opts.danger ? "danger" : undefined }, opts.confirmLabel);
    const slot = new ErrorSlot(confirm);
    const form = h("form", {}, opts.intro ? h("p", {}, opts.intro) : null, h("ul", { class: "bullets" }, ...opts.bullets.map((b) => h("li", {}, b))));
    if (opts.acknowledge) {
      const ack = h("input", { type: "checkbox", id: uid("ack"), name: "acknowledge", required: true });
      form.appendChild(h("div", { class: "check ack" }, ack, h("label", { for: ack.id }, opts.acknowledge)));
      confirm.disabled = true;
      ack.addEventListener("change", () => (confirm.disabled = !ack.checked));
    }
    opts.extra?.(form);
    form.addEventListener("change", () => slot.clear()); // a message about the previous try, not this one
    form.append(h("div", { class: "buttons" }, confirm, h("button", { type: "button", class: "secondary", onclick: close }, "Cancel")), slot.el);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void run(confirm, slot, async () => {
        await opts.action();
        close();
      });
    });
    body.appendChild(form);
  }, { wide: true });
}

export interface UserPicker {
  /** The search box and the select, to put in a form. */
  el: HTMLElement;
  select: HTMLSelectElement;
  /** The chosen user as the last search answered it. */
  chosen(): Member | undefined;
}

/**
 * Choosing an active managed user (an account's owner) by searching the server: GET /v1/Users with
 * Status=managed, Search (a userName or email prefix, across the whole organization) and a page of
 * PICKER_PAGE; never a list loaded whole. The select holds the matches; when more match, it says so.
 */
export function userPicker(label: string, opts: { exclude?: string; placeholder: string; required?: boolean; hint?: string; id?: string }): UserPicker {
  const search = h("input", { type: "search", name: "user-search", autocomplete: "off", maxlength: "200", placeholder: "Start of an email or user name" });
  const select = h("select", { name: "user", required: opts.required !== false, id: opts.id }, h("option", { value: "" }, opts.placeholder));
  const more = h("p", { class: "hint", role: "status" });
  let shown: Member[] = [];
  let asked = 0;
  const load = async () => {
    const mine = ++asked;
    const term = search.value.trim();
    select.setAttribute("aria-busy", "true");
    try {
      const page = await v1<MemberPage>("GET", withQuery("/Users", { Status: "managed", PageSize: PICKER_PAGE, Search: term || undefined }));
      if (mine !== asked) return; // a later search answered first
      const keep = select.value;
      shown = page.users.filter((u) => u.active && u.sid !== opts.exclude);
      select.replaceChildren(h("option", { value: "" }, opts.placeholder),
        ...shown.map((u) => h("option", { value: u.sid, selected: u.sid === keep }, `${nameOf(u)}${u.email && u.email !== nameOf(u) ? ` <${u.email}>` : ""}`)));
      more.textContent = page.meta.next_page_url
        ? `More users match${term ? ` “${term}”` : ""}: type more of an email or user name to find others.`
        : shown.length === 0 ? `No active managed user matches${term ? ` “${term}”` : ""}.` : "";
    } catch (e) {
      if (mine === asked) more.textContent = e instanceof Error ? e.message : String(e);
    } finally {
      if (mine === asked) select.removeAttribute("aria-busy");
    }
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => void load(), 250);
  });
  search.addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter") return;
    ev.preventDefault(); // searching, not submitting the form
    clearTimeout(timer);
    void load();
  });
  void load();
  const el = h("div", { class: "picker" }, field("Search users", search), field(label, select, opts.hint), more);
  return { el, select, chosen: () => shown.find((u) => u.sid === select.value) };
}
const PICKER_PAGE = 20;

export interface FilteredList {
  /** Its pager: `pager.reset()` shows the first page again (after a change, or a filter set from elsewhere). */
  pager: Pager;
  /** The first page, shown (false: its error is shown beside the pager). */
  shown: Promise<boolean>;
}

/**
 * A paged table with an optional filter form, appended to `into`: the form (`filters`, then a
 * Filter button; submitting it goes back to the first page), the table of one page, the pager.
 * `load` fetches a page (`token` undefined: the first) reading the filters' current values, and
 * answers its rows and the page's `next_page_url`. Loading the first page starts at once.
 */
export function filteredList(into: HTMLElement, opts: {
  /** The pager's name, and the table's caption unless `caption` says otherwise. */
  name: string;
  caption?: string;
  headers: string[];
  /** What the table says when a page has no row. */
  empty: string;
  filters?: { label: string; fields: (Node | null)[] };
  load: (token: string | undefined) => Promise<{ rows: HTMLTableRowElement[]; next_page_url: string | null }>;
}): FilteredList {
  const list = h("div", {});
  const pager = new Pager(opts.name, async (token) => {
    const page = await opts.load(token);
    list.replaceChildren(table(opts.caption ?? opts.name, opts.headers, page.rows, opts.empty));
    return { next: pageTokenOf(page.next_page_url) ?? null, count: page.rows.length };
  });
  if (opts.filters) {
    const form = h("form", { class: "toolbar", role: "search", "aria-label": opts.filters.label },
      ...opts.filters.fields, h("button", { type: "submit", class: "secondary" }, "Filter"));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void pager.reset();
    });
    into.append(form);
  }
  into.append(list, pager.el);
  return { pager, shown: pager.reset() };
}
