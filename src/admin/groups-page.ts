/**
 * Groups: the groups the identity provider pushes over SCIM (GET /v1/Groups, paged), what each is
 * bound to (an org role, or a role on an account), and a group's page with its members paged
 * (GET /v1/Groups/:sid/Members). Read-only: groups and their members change in the identity
 * provider, whose next push would overwrite a change made here; the page says so.
 */
import { v1, withQuery } from "./api.js";
import { append, badge, h, when } from "./dom.js";
import { flashLine, heading, type Page } from "./page.js";
import { filteredList } from "./panels.js";
import { ACCOUNT_ROLE_LABEL, ORG_ROLE_LABEL, type Account, type Group, type GroupMembershipPage, type GroupPage } from "./types.js";

/** Account names, looked up once each per visit; the sid when unreadable. */
function accountNames(): (sid: string) => Promise<string | null> {
  const cache = new Map<string, Promise<string | null>>();
  return (sid) => {
    if (!cache.has(sid)) cache.set(sid, v1<Account>("GET", `/Accounts/${sid}`).then((a) => `${a.friendly_name}${a.status === "closed" ? " (closed)" : ""}`).catch(() => null));
    return cache.get(sid)!;
  };
}

/** What membership grants, in words; the account's name fills in when its lookup answers. */
function bindingCell(g: Group, nameOf: (sid: string) => Promise<string | null>): HTMLElement {
  const b = g.binding;
  if (!b) return h("span", { class: "muted" }, "Nothing (not bound)");
  if (b.kind === "org_role") return h("span", {}, `Org role ${ORG_ROLE_LABEL[b.org_role ?? "standard"]}`);
  const sid = b.account_sid ?? "";
  const link = h("a", { href: `#/accounts/${sid}`, class: "mono" }, sid);
  void nameOf(sid).then((name) => {
    if (!name) return;
    link.textContent = name;
    link.classList.remove("mono");
  });
  return h("span", { "data-binding": `${sid}:${b.account_role}` }, `${ACCOUNT_ROLE_LABEL[b.account_role ?? "developer"]} on `, link);
}

const IDP_NOTE = "These groups come from your identity provider over SCIM: add, rename, bind or change members there. orgscim shows them as they are; its next push would overwrite a change made here.";

export const groupsPage: Page = async (root, ctx) => {
  append(root, heading("Groups"), flashLine(ctx), h("p", { class: "intro" }, IDP_NOTE));
  const names = accountNames();
  await filteredList(root, {
    name: "Groups",
    headers: ["Group", "Grants its members", "Members", "External ID", "Updated"],
    empty: "No groups: your identity provider has pushed none yet.",
    load: async (token) => {
      const page = await v1<GroupPage>("GET", withQuery("/Groups", { PageSize: 20, PageToken: token }));
      const rows = page.groups.map((g) => h("tr", { "data-group": g.sid },
        h("td", {}, h("a", { href: `#/groups/${g.sid}` }, g.display_name), " ", badge("identity provider", "pending")),
        h("td", {}, bindingCell(g, names)),
        h("td", { class: "num" }, String(g.member_count)),
        h("td", { class: "mono" }, g.external_id ?? "—"),
        h("td", {}, when(g.date_updated))));
      return { rows, next_page_url: page.meta.next_page_url };
    },
  }).shown;
};

export const groupPage: Page = async (root, ctx, [sid]) => {
  const g = await v1<Group>("GET", `/Groups/${sid}`);
  const names = accountNames();
  append(root, heading(g.display_name, [{ label: "Groups", href: "#/groups" }]), flashLine(ctx),
    h("p", { class: "intro" }, g.built_in ? "A built-in role group: its members are the role's holders (grant and revoke the role on the user's or account's page)." : IDP_NOTE),
    h("dl", { class: "facts" },
      h("dt", {}, "Managed by"), h("dd", {}, g.built_in ? "orgscim (built-in)" : badge("identity provider", "pending")),
      h("dt", {}, "Grants its members"), h("dd", {}, bindingCell(g, names)),
      h("dt", {}, "External ID"), h("dd", { class: "mono" }, g.external_id ?? "—"),
      h("dt", {}, "Members"), h("dd", {}, String(g.member_count)),
      h("dt", {}, "Created"), h("dd", {}, when(g.date_created)),
      h("dt", {}, "Updated"), h("dd", {}, when(g.date_updated)),
      h("dt", {}, "SID"), h("dd", { class: "mono" }, g.sid)));
  root.append(h("h2", {}, "Members"));
  await filteredList(root, {
    name: "Members",
    caption: `Members of ${g.display_name}`,
    headers: ["Member", "User name", "Status", "Added"],
    empty: "No members.",
    load: async (token) => {
      const page = await v1<GroupMembershipPage>("GET", withQuery(`/Groups/${g.sid}/Members`, { PageSize: 20, PageToken: token }));
      const rows = page.members.map((m) => h("tr", { "data-member": m.user_sid },
        h("td", {}, h("a", { href: `#/users/${m.user_sid}` }, m.display_name || m.user_name || m.user_sid)),
        h("td", {}, m.user_name ?? "—"),
        h("td", {}, m.status === null ? badge("gone", "closed") : badge(m.active === false ? "suspended" : m.status, m.active === false ? "warn" : m.status)),
        h("td", {}, when(m.date_added))));
      return { rows, next_page_url: page.meta.next_page_url };
    },
  }).shown;
};
