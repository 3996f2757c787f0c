/**
 * Accounts: the list (GET /v1/Accounts, paged), and an account's page with its users and their
 * roles (GET /v1/Accounts/:sid/Users), granting and revoking roles (POST and DELETE
 * /v1/RoleAssignments), inviting a user to the account, removing a user from it (revoking
 * their role assignments there), closing it and reopening a closed one (POST .../Reopen).
 */
import { v1, v1All, withQuery } from "./api.js";
import { actionButton, append, badge, ErrorSlot, field, h, openPanel, run, statusLine, table, when } from "./dom.js";
import { flashLine, heading, nameOf, type Page } from "./page.js";
import { mailBanner } from "./users-page.js";
import { confirmPanel, filteredList, inviteToAccountPanel, roleCheckboxes, roleNames, userPicker } from "./panels.js";
import type { Account, AccountPage, AccountReopened, AccountRole, AccountUser, GroupPage, RoleAssignment, User } from "./types.js";
import { accountKind, gate } from "./viewer.js";

export const accountsPage: Page = async (root, ctx) => {
  const status = statusLine();
  const create = h("button", { type: "button" }, "Create account");
  append(root, heading("Accounts", [], create), flashLine(ctx), status.el);

  // Owners' names, looked up once each (GET /v1/Users/{sid}) for the accounts a page shows; a sid when unreadable.
  const owners = new Map<string, Promise<User | null>>();
  const ownerOf = (sid: string) => {
    if (!owners.has(sid)) owners.set(sid, v1<User>("GET", `/Users/${sid}`).catch(() => null));
    return owners.get(sid)!;
  };

  const filter = h("select", { name: "status" }, h("option", { value: "" }, "All"), h("option", { value: "active" }, "Active"), h("option", { value: "closed" }, "Closed"));
  await filteredList(root, {
    name: "Accounts",
    headers: ["Account", "Owner", "Status", "Created", "SID"],
    empty: "No accounts yet.",
    filters: { label: "Filter accounts", fields: [field("Status", filter)] },
    load: async (token) => {
      const page = await v1<AccountPage>("GET", withQuery("/Accounts", { PageSize: 20, PageToken: token, Status: filter.value || undefined }));
      const rows = page.accounts.map((a) => h("tr", {},
        h("td", {}, h("a", { href: `#/accounts/${a.sid}` }, a.friendly_name)),
        h("td", {}, ownerName(a.owner_sid, ownerOf(a.owner_sid))),
        h("td", {}, badge(a.status, a.status)),
        h("td", {}, when(a.date_created)),
        h("td", { class: "mono" }, a.sid)));
      return { rows, next_page_url: page.meta.next_page_url };
    },
  }).shown;

  create.addEventListener("click", () => openPanel("Create account", (body, close) => {
    const name = h("input", { type: "text", name: "friendly_name", required: true, maxlength: "200", class: "wide" });
    const owner = userPicker("Owner", { placeholder: "Choose the owner…", hint: "An active managed user of the organization." });
    const submit = h("button", { type: "submit" }, "Create account");
    const slot = new ErrorSlot(submit);
    const form = h("form", {}, field("Account name", name), owner.el,
      h("div", { class: "buttons" }, submit, h("button", { type: "button", class: "secondary", onclick: close }, "Cancel")), slot.el);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void run(submit, slot, async () => {
        const a = await v1<Account>("POST", "/Accounts", { friendly_name: name.value, ...(owner.select.value ? { owner_sid: owner.select.value } : {}) });
        close();
        ctx.go(`#/accounts/${a.sid}`, `Account ${a.friendly_name} created.`);
      });
    });
    body.appendChild(form);
  }));
};

/** A link to the owner: their sid at once, their name when the lookup answers. */
function ownerName(sid: string, owner: Promise<User | null>): HTMLElement {
  const link = h("a", { href: `#/users/${sid}`, class: "mono" }, sid);
  void owner.then((u) => {
    if (!u) return;
    link.textContent = nameOf(u);
    link.classList.remove("mono");
  });
  return link;
}

export const accountPage: Page = async (root, ctx, [sid]) => {
  const account = await v1<Account>("GET", `/Accounts/${sid}`);
  let owner: User | null = null;
  try {
    owner = await v1<User>("GET", `/Users/${account.owner_sid}`);
  } catch {
    owner = null; // the owner's name is a nicety; the sid is shown instead
  }
  const status = statusLine();
  append(root,
    heading(account.friendly_name, [{ label: "Accounts", href: "#/accounts" }], badge(account.status, account.status)),
    mailBanner(ctx),
    flashLine(ctx),
    status.el,
    h("dl", { class: "facts" },
      h("dt", {}, "Owner"), h("dd", {}, h("a", { href: `#/users/${account.owner_sid}` }, owner ? nameOf(owner) : account.owner_sid)),
      h("dt", {}, "SID"), h("dd", { class: "mono" }, account.sid),
      h("dt", {}, "Created"), h("dd", {}, when(account.date_created))),
  );

  const invite = h("button", { type: "button", disabled: account.status === "closed" }, "Invite User");
  const usersBox = h("div", {});
  const usersSlot = new ErrorSlot();
  root.append(h("section", { "aria-labelledby": "account-users" },
    h("div", { class: "title-row" }, h("h2", { id: "account-users" }, "Users"), invite),
    usersSlot.el, usersBox));
  // What the viewer may do here, as the policy says (GET /v1/Me); the server still decides each request.
  const kind = accountKind(ctx.viewer, account);
  if (account.status === "active") gate(ctx.viewer, invite, "invitation.create", kind);
  const mayGrant = ctx.viewer.can("role_assignment.create", kind);
  const mayRevoke = ctx.viewer.can("role_assignment.delete", kind);

  const load = async () => {
    if (!ctx.viewer.can("account.users.read", kind)) {
      usersBox.replaceChildren(h("p", { class: "hint refused-note" }, `Not available to you: ${ctx.viewer.why("account.users.read")}`));
      return;
    }
    const [users, direct] = await Promise.all([
      v1All<AccountUser>(`/Accounts/${sid}/Users`, "users"),
      v1All<RoleAssignment>("/RoleAssignments", "role_assignments", { AccountSid: sid }),
    ]);
    const byUser = new Map<string, RoleAssignment[]>();
    for (const a of direct) byUser.set(a.user_sid, [...(byUser.get(a.user_sid) ?? []), a]);
    const rows = users.map((u) => userRow(u, byUser.get(u.user_sid) ?? []));
    usersBox.replaceChildren(table(`Users of ${account.friendly_name}`, ["User", "Status", "Roles", ""], rows, "No user has a role on this account, and its owner is no longer a user of the organization."));
  };

  const userRow = (u: AccountUser, assignments: RoleAssignment[]): HTMLTableRowElement => {
    const label = u.display_name || u.user_name;
    const edit = h("button", { type: "button", class: "secondary small", "aria-label": `Edit roles of ${label}` }, "Edit roles");
    const remove = h("button", { type: "button", class: "secondary small", "aria-label": `Remove ${label} from the account` }, "Remove");
    edit.addEventListener("click", () => editRoles(u, assignments));
    remove.addEventListener("click", () => confirmPanel({
      title: `Remove ${label} from ${account.friendly_name}`,
      bullets: ["The user will be permanently removed from the account.", "This action can not be reversed."],
      confirmLabel: "Remove",
      danger: true,
      action: async () => {
        for (const a of assignments) await v1("DELETE", `/RoleAssignments/${a.sid}`);
        await load();
        const left = (await v1All<AccountUser>(`/Accounts/${sid}/Users`, "users")).find((x) => x.user_sid === u.user_sid);
        status.say(left
          ? `${label}'s direct roles were revoked; ${roleNames(left.roles)} still come from groups your identity provider manages.`
          : `${label} was removed from the account.`);
      },
    }));
    if (assignments.length === 0) remove.disabled = true;
    // A closed account takes no role (the server answers 6503): nothing to edit until it is reopened.
    if ((!mayGrant && !mayRevoke) || account.status !== "active") edit.disabled = true;
    if (!mayRevoke) remove.disabled = true;
    return h("tr", { "data-user": u.user_sid },
      h("td", {}, h("a", { href: `#/users/${u.user_sid}` }, label), u.owner ? h("span", {}, " ", badge("owner", "ok")) : null, label !== u.user_name ? h("div", { class: "sub" }, u.user_name) : null),
      h("td", {}, badge(u.status, u.status)),
      h("td", { class: "roles-cell" }, roleNames(u.roles)),
      h("td", { class: "row-actions" }, edit, " ", remove));
  };

  const editRoles = (u: AccountUser, assignments: RoleAssignment[]) => openPanel(`Roles of ${u.display_name || u.user_name}`, (body, close) => {
    const directRoles = assignments.map((a) => a.role);
    const fromGroups = u.roles.filter((r) => !directRoles.includes(r));
    const boxes = roleCheckboxes("Account role", directRoles);
    const save = h("button", { type: "submit" }, "Save roles");
    const slot = new ErrorSlot(save);
    const form = h("form", {}, boxes.el,
      fromGroups.length ? h("p", { class: "hint" }, `Also held through groups from your identity provider: ${roleNames(fromGroups)}. Change those in the identity provider.`) : null,
      h("div", { class: "buttons" }, save, h("button", { type: "button", class: "secondary", onclick: close }, "Cancel")), slot.el);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void run(save, slot, async () => {
        const wanted = boxes.selected();
        await applyRoles(sid!, u.user_sid, assignments, wanted);
        close();
        await load();
        status.say(`Roles of ${u.display_name || u.user_name} on ${account.friendly_name}: ${roleNames(wanted)}.`);
      });
    });
    body.appendChild(form);
  });

  invite.addEventListener("click", () => inviteToAccountPanel({
    accountSid: sid!,
    done: (message) => {
      status.say(message);
      void run(null, usersSlot, load);
    },
  }));

  await run(null, usersSlot, load);

  if (account.status === "active") {
    const close = actionButton("Close account", async () => confirmPanel({
      title: `Close ${account.friendly_name}`,
      bullets: ["Every direct role on the account ends.", "The account stays listed, as closed."],
      confirmLabel: "Close account",
      danger: true,
      action: async () => {
        await v1("DELETE", `/Accounts/${sid}`);
        ctx.go(`#/accounts/${sid}`, `${account.friendly_name} is closed.`);
      },
    }), { class: "danger" });
    root.append(h("section", { class: "danger-zone", "aria-label": "Close the account" }, close.wrap));
    gate(ctx.viewer, close.button, "account.close", kind);
  } else {
    // The owner can still own it (an active managed user), or the reopening names a new one.
    const ownerCan = owner !== null && owner.status === "managed" && owner.active;
    const reopen = actionButton("Reopen account", async () => {
      let newOwner: HTMLSelectElement | null = null;
      // Whom reopening lets back in: the identity provider's groups bound to its roles grant again at once.
      const bound = (await v1<GroupPage>("GET", withQuery("/Groups", { Account: sid, PageSize: 100 }))).groups;
      confirmPanel({
        title: `Reopen ${account.friendly_name}`,
        bullets: [
          "The account is active again; users can be given roles on it.",
          "Roles it had before it was closed do not come back: grant them again.",
          bound.length === 0
            ? "No group from your identity provider is bound to its roles: nobody gets a role back by reopening it."
            : `These groups from your identity provider grant their roles again at once, to whoever is in them now: ${bound.map((g) => `${g.display_name} (${g.binding?.account_role ? roleNames([g.binding.account_role as AccountRole]) : "a role"}, ${g.member_count} member${g.member_count === 1 ? "" : "s"})`).join("; ")}. Change them in the identity provider if they should not.`,
        ],
        confirmLabel: "Reopen account",
        extra: ownerCan ? undefined : (form) => {
          const picker = userPicker("New owner", { placeholder: "Choose the new owner…", hint: `${owner ? nameOf(owner) : account.owner_sid} can no longer own it: choose an active managed user.` });
          newOwner = picker.select;
          form.append(picker.el);
        },
        action: async () => {
          const out = await v1<AccountReopened>("POST", `/Accounts/${sid}/Reopen`, newOwner ? { owner_sid: newOwner.value } : {});
          const again = out.groups_granting_again;
          ctx.go(`#/accounts/${sid}`, `${account.friendly_name} is open again.${again.length ? ` Granting their roles again: ${again.map((g) => g.display_name).join(", ")}.` : ""}`);
        },
      });
    });
    root.append(h("section", { class: "danger-zone", "aria-label": "Reopen the account" },
      h("p", { class: "hint" }, "Closed ", when(account.date_updated), ". An Owner or Administrator of the organization can reopen it."), reopen.wrap));
    gate(ctx.viewer, reopen.button, "account.reopen", kind);
  }
};

/**
 * Makes the user's direct roles on the account exactly `wanted`: revokes the assignments no longer
 * wanted, then grants the new ones. Granting Administrator clears the others on the server, so
 * their assignments are not revoked one by one.
 */
export async function applyRoles(accountSid: string, userSid: string, current: RoleAssignment[], wanted: AccountRole[]): Promise<void> {
  const adminWanted = wanted.includes("administrator");
  const has = new Set(current.map((a) => a.role));
  for (const a of current) {
    if (wanted.includes(a.role)) continue;
    if (adminWanted && !has.has("administrator")) continue; // cleared by the Administrator grant below
    await v1("DELETE", `/RoleAssignments/${a.sid}`);
  }
  for (const role of wanted) if (!has.has(role)) await v1("POST", "/RoleAssignments", { account_sid: accountSid, user_sid: userSid, role });
}
