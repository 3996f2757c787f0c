/**
 * A user's page (seed: "manage users individually"): the General tab (name, org role, two-factor
 * requirement, forced password reset; GET and POST /v1/Users/:sid, POST /v1/Users/:sid/PasswordReset),
 * the Accounts tab (GET /v1/Users/:sid/Accounts?Role=: roles, and the accounts they own; each direct
 * role revoked with DELETE /v1/RoleAssignments/:sid, or all of an account's at once), and the "Remove
 * user" and "Delete user" flows with the seed's acknowledgements and the new owner of the user's
 * accounts. An independent user (outside the organization, with access to some of its accounts)
 * has the Accounts tab only: the organization manages their access, not their user.
 */
import { pageTokenOf, v1, v1All, withQuery } from "./api.js";
import { append, badge, checkbox, ErrorSlot, field, h, run, statusLine, table, tabs, uid } from "./dom.js";
import { flashLine, heading, nameOf, type Ctx, type Page } from "./page.js";
import { confirmPanel, roleNames, userPicker, type UserPicker } from "./panels.js";
import { idpBadge } from "./users-page.js";
import { accountKind, gate, userKind } from "./viewer.js";
import {
  type Account, type AccountPage, ACCOUNT_ROLE_LABEL, ACCOUNT_ROLE_LIST, ORG_ROLE_LABEL, type EndMembershipResult, type OrgRole, type PasswordResetResult,
  type RoleAssignment, type User, type UserAccountList,
} from "./types.js";

/** The seed's acknowledgement bullets, word for word. */
export const REMOVE_BULLETS = [
  "This user will be removed from the Organization.",
  "This user will lose access to all managed accounts.",
  "The user will lose access to any role granted by the Organization.",
  "Access to managed accounts can still be granted in the future.",
  "The Organization will no longer be able to control the lifecycle or setting of the user.",
];
export const DELETE_BULLETS = [
  "This action deletes the data associated with the users, but not the accounts the user owns or has access to.",
  "The user will lose all access immediately.",
  "All user data will be deleted immediately.",
  "This action can not be reversed.",
];
export const ACKNOWLEDGE = "I have reviewed and acknowledge the points above";

type Tab = "general" | "accounts";

export const userPage: Page = async (root, ctx, [sid, tabParam]) => {
  let user = await v1<User>("GET", `/Users/${sid}`);
  const independent = user.status === "independent";
  const status = statusLine();
  const head = heading(nameOf(user), [{ label: "Users", href: `#/users/${user.status}` }], badge(user.status, user.status), ...(user.managed_by_idp ? [idpBadge()] : []));
  append(root, head, flashLine(ctx), status.el,
    independent ? h("p", { class: "intro" }, "An independent user: outside your Organization, with access to some of its accounts only. Their user (name, password, two-factor) is theirs; you manage their access to your accounts.") : null,
    h("dl", { class: "facts" },
      h("dt", {}, "Email"), h("dd", {}, user.email ?? "—"),
      h("dt", {}, "User name"), h("dd", {}, user.user_name),
      h("dt", {}, "SID"), h("dd", { class: "mono" }, user.sid),
      ...(user.external_id ? [h("dt", {}, "External ID"), h("dd", { class: "mono" }, user.external_id)] : []),
      h("dt", {}, "Active"), h("dd", {}, user.active ? "yes" : "no (suspended)"),
      h("dt", {}, "Audit log"), h("dd", {}, h("a", { href: `#/audit/by/${user.sid}` }, "What they did"), " · ", h("a", { href: `#/audit/${user.sid}` }, "What was done to them"))));

  let current: Tab = tabParam === "accounts" || independent ? "accounts" : "general";
  const holder = h("div", {});
  const show = (tab: Tab, focusTab = false) => {
    current = tab;
    ctx.replace(`#/users/${sid}/${tab}`);
    const t = tabs<Tab>("User", independent ? [{ key: "accounts", label: "Accounts" }] : [{ key: "general", label: "General" }, { key: "accounts", label: "Accounts" }], tab, (k) => show(k, true));
    holder.replaceChildren(t.list, t.panel);
    if (focusTab) t.list.querySelector<HTMLElement>('[aria-selected="true"]')?.focus();
    void (tab === "general" ? general(t.panel) : accounts(t.panel));
  };

  const general = async (panel: HTMLElement) => {
    const given = h("input", { type: "text", name: "given_name", value: user.given_name ?? "", maxlength: "256", autocomplete: "off" });
    const family = h("input", { type: "text", name: "family_name", value: user.family_name ?? "", maxlength: "256", autocomplete: "off" });
    const display = h("input", { type: "text", name: "display_name", value: user.display_name ?? "", maxlength: "256", autocomplete: "off" });
    const role = h("select", { name: "org_role", disabled: user.status !== "managed" },
      ...(["owner", "administrator", "standard"] as OrgRole[]).map((r) => h("option", { value: r, selected: r === (user.direct_org_role ?? user.org_role) }, ORG_ROLE_LABEL[r])));
    const effective: OrgRole = user.org_role ?? "standard";
    const twoFactor = checkbox("Require two-factor authentication when signing in", { name: "two_factor_required", checked: user.two_factor_required });
    const save = h("button", { type: "submit" }, "Save");
    const saveSlot = new ErrorSlot(save);
    const roleHint = user.org_role !== (user.direct_org_role ?? user.org_role)
      ? `Effective role ${ORG_ROLE_LABEL[effective]} (also granted through a group from your identity provider).`
      : "Administrator: manages the Organization, its users and accounts. Standard User: can create accounts, no other management access. Owner: choosing it transfers ownership (only the Owner can).";
    // The identity provider owns the names of the users it manages: its next update would overwrite an edit.
    const idpNote = user.managed_by_idp
      ? h("p", { class: "hint idp-note" }, `Your identity provider manages this user (external ID ${user.external_id ?? ""}): change their names there; its next update would overwrite a change made here. The organization role and two-factor requirement are orgscim's.`)
      : null;
    if (user.managed_by_idp) for (const input of [given, family, display]) input.readOnly = true;
    const form = h("form", { class: "card", "aria-label": "General settings" },
      idpNote,
      h("div", { class: "grid2" }, field("First name", given), field("Last name", family)),
      field("Display name", display),
      field("Organization role", role, roleHint),
      twoFactor.el,
      h("div", { class: "buttons" }, save), saveSlot.el);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void run(save, saveSlot, async () => {
        const body: Record<string, unknown> = {};
        const text = (v: string) => (v.trim() === "" ? null : v.trim());
        if (!user.managed_by_idp) {
          if (text(given.value) !== user.given_name) body.given_name = text(given.value);
          if (text(family.value) !== user.family_name) body.family_name = text(family.value);
          if (text(display.value) !== user.display_name) body.display_name = text(display.value);
        }
        if (!role.disabled && role.value !== (user.direct_org_role ?? user.org_role)) body.org_role = role.value;
        if (twoFactor.input.checked !== user.two_factor_required) body.two_factor_required = twoFactor.input.checked;
        if (Object.keys(body).length === 0) {
          status.say("Nothing to save: no setting changed.");
          return;
        }
        user = await v1<User>("POST", `/Users/${sid}`, body);
        status.say(`Saved ${nameOf(user)}'s settings.`);
        head.querySelector("h1")!.textContent = nameOf(user);
      });
    });

    const reset = h("button", { type: "button", class: "secondary" }, "Force password reset");
    const resetSlot = new ErrorSlot(reset);
    const resetState = h("span", { class: "hint", id: uid("reset") }, user.password_reset_required ? "A password reset is pending: the user chooses a new password at the next sign-in." : "");
    reset.addEventListener("click", () => void run(reset, resetSlot, async () => {
      await v1<PasswordResetResult>("POST", `/Users/${sid}/PasswordReset`);
      user = await v1<User>("GET", `/Users/${sid}`);
      resetState.textContent = "A password reset is pending: the user chooses a new password at the next sign-in.";
      status.say(`${nameOf(user)} must choose a new password at the next sign-in; they were sent a mail saying so.`);
    }));
    const resetBox = h("section", { class: "card", "aria-labelledby": "pw-title" },
      h("h2", { id: "pw-title" }, "Password"),
      h("p", {}, "Forcing a reset makes the user create a new password the next time they sign in. orgscim never stores passwords."),
      h("div", { class: "inline" }, reset, resetState), resetSlot.el);
    if (user.status !== "managed") reset.disabled = true;
    panel.replaceChildren(form, resetBox);
    // What the viewer may change here (GET /v1/Me); the server still decides each request.
    const kind = userKind(ctx.viewer, user);
    if (!gate(ctx.viewer, save, "user.update", kind)) for (const input of [given, family, display]) input.readOnly = true;
    if (user.status === "managed") gate(ctx.viewer, reset, "user.password_reset", kind);
  };

  const accounts = async (panel: HTMLElement) => {
    const roleFilter = h("select", { name: "role" }, h("option", { value: "" }, "Any role"), ...ACCOUNT_ROLE_LIST.map((r) => h("option", { value: r }, ACCOUNT_ROLE_LABEL[r])));
    const filter = h("button", { type: "submit", class: "secondary" }, "Filter");
    const slot = new ErrorSlot(filter);
    const list = h("div", {});
    const form = h("form", { class: "toolbar", role: "search", "aria-label": "Filter the user's accounts" }, field("Account role", roleFilter, "Administrator counts for every role."), filter, slot.el);
    const load = async () => {
      const [out, direct] = await Promise.all([
        v1All<UserAccountList["accounts"][number]>(`/Users/${sid}/Accounts`, "accounts", { Role: roleFilter.value || undefined }),
        v1All<RoleAssignment>("/RoleAssignments", "role_assignments", { UserSid: sid }),
      ]);
      const rows = out.map(({ account, roles, owner }) => {
        const mine = direct.filter((a) => a.account_sid === account.sid);
        const mayRevoke = ctx.viewer.can("role_assignment.delete", accountKind(ctx.viewer, account));
        const chips = roles.length ? roles.map((r) => {
          const a = mine.find((x) => x.role === r);
          return h("span", { class: "role-chip", "data-role": r }, ACCOUNT_ROLE_LABEL[r],
            a && mayRevoke ? h("button", { type: "button", class: "icon small", "aria-label": `Revoke ${ACCOUNT_ROLE_LABEL[r]} on ${account.friendly_name}`, onclick: () => revoke(account, [a], `${ACCOUNT_ROLE_LABEL[r]} on ${account.friendly_name}`) }, "×")
              : h("span", { class: "sub", title: "Granted through a group your identity provider manages" }, " (group)"));
        }) : ["—"];
        const removeAll = mine.length && mayRevoke ? h("button", { type: "button", class: "secondary small", "aria-label": `Remove ${nameOf(user)} from ${account.friendly_name}` }, "Remove from account") : null;
        removeAll?.addEventListener("click", () => revoke(account, mine, `all direct roles on ${account.friendly_name}`));
        return h("tr", { "data-account": account.sid },
          h("td", {}, h("a", { href: `#/accounts/${account.sid}` }, account.friendly_name), owner ? h("span", {}, " ", badge("owner", "ok")) : null),
          h("td", { class: "roles-cell" }, ...chips),
          h("td", {}, badge(account.status, account.status)),
          h("td", { class: "row-actions" }, removeAll));
      });
      list.replaceChildren(table(`Accounts of ${nameOf(user)}`, ["Account", "Roles", "Status", ""], rows, roleFilter.value ? "No account with this role." : "This user has no account."));
    };
    /** Revokes direct role assignments after confirmation, then lists again. */
    const revoke = (account: Account, assignments: RoleAssignment[], what: string) => confirmPanel({
      title: `Revoke ${what}`,
      bullets: [`${nameOf(user)} loses ${roleNames(assignments.map((a) => a.role))} on ${account.friendly_name} at once.`, "Roles held through your identity provider's groups stay: change those in the identity provider."],
      confirmLabel: "Revoke",
      danger: true,
      action: async () => {
        for (const a of assignments) await v1("DELETE", `/RoleAssignments/${a.sid}`);
        status.say(`${nameOf(user)} no longer has ${roleNames(assignments.map((a) => a.role))} on ${account.friendly_name}.`);
        await load();
      },
    });
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void run(filter, slot, load);
    });
    panel.replaceChildren(form, list);
    await run(filter, slot, load);
  };

  root.append(holder);
  show(current);

  if (independent) return; // outside the organization: nothing to remove them from but its accounts (above)
  // Remove user / Delete user, at the bottom of the page as in the console.
  const removeButton = h("button", { type: "button", class: "danger-outline" }, "Remove user");
  const deleteButton = h("button", { type: "button", class: "danger" }, "Delete user");
  removeButton.addEventListener("click", () => void endMembership(ctx, user, "remove"));
  deleteButton.addEventListener("click", () => void endMembership(ctx, user, "delete"));
  const kind = userKind(ctx.viewer, user);
  // Neither is offered to a viewer the policy refuses both (a Standard User on their own page, say).
  if (!ctx.viewer.can("user.remove", kind) && !ctx.viewer.can("user.delete", kind)) return;
  root.append(h("section", { class: "danger-zone", "aria-labelledby": "danger-title" },
    h("h2", { id: "danger-title" }, "Remove or delete"),
    h("p", { class: "hint" }, "Remove: the user keeps their login but leaves the Organization. Delete: the user and their data are erased; their accounts stay."),
    h("div", { class: "buttons" }, removeButton, deleteButton)));
  gate(ctx.viewer, removeButton, "user.remove", kind);
  gate(ctx.viewer, deleteButton, "user.delete", kind);
};

async function endMembership(ctx: Ctx, user: User, mode: "remove" | "delete"): Promise<void> {
  const owned = await accountsOwnedBy(user.sid).catch(() => []);
  let picker: UserPicker | null = null;
  const verb = mode === "remove" ? "Remove" : "Delete";
  confirmPanel({
    title: `${verb} ${nameOf(user)}`,
    intro: mode === "remove"
      ? "This action will remove the user's access to your Organization and all managed accounts while leaving their user active."
      : "This action will immediately delete and remove the user, but not the accounts they own or have access to.",
    bullets: mode === "remove" ? REMOVE_BULLETS : DELETE_BULLETS,
    acknowledge: ACKNOWLEDGE,
    confirmLabel: `${verb} user`,
    danger: true,
    extra: (form) => {
      const list = owned.length
        ? `${nameOf(user)} owns ${owned.length} account${owned.length > 1 ? "s" : ""}: ${owned.map((a) => a.friendly_name).join(", ")}. They pass to the user you choose.`
        : `${nameOf(user)} owns no account now; the user you choose receives any that appear before you confirm.`;
      picker = userPicker("Owner of the account(s)", { exclude: user.sid, placeholder: "Choose a managed user…", required: false, hint: list, id: "new-owner" }); // checked by the action, beside its button
      form.append(picker.el);
      form.dataset.ownerSelect = picker.select.id;
    },
    action: async () => {
      const select = picker!.select;
      if (!select.value) throw new Error("Choose the owner of the account(s).");
      const out = await v1<EndMembershipResult>("POST", `/Users/${user.sid}/${verb}`, { acknowledge: true, new_owner_sid: select.value });
      const heir = picker!.chosen();
      const moved = out.accounts_handed_over.length;
      ctx.go("#/users/managed", `${nameOf(user)} was ${out.action}.${moved ? ` ${moved} account${moved > 1 ? "s" : ""} now belong${moved > 1 ? "" : "s"} to ${heir ? nameOf(heir) : select.value}.` : ""}`);
    },
  });
}

/** The accounts a user owns (GET /v1/Accounts, every page, up to 5000 accounts). */
async function accountsOwnedBy(userSid: string): Promise<Account[]> {
  const out: Account[] = [];
  let token: string | undefined;
  for (let i = 0; i < 50; i++) {
    const page = await v1<AccountPage>("GET", withQuery("/Accounts", { Status: "active", PageSize: 100, PageToken: token }));
    out.push(...page.accounts.filter((a) => a.owner_sid === userSid));
    const next = pageTokenOf(page.meta.next_page_url);
    if (!next) break;
    token = next;
  }
  return out;
}
