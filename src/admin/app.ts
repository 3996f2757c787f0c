/**
 * The Admin Center's entry point: sign-in, the side navigation and a hash router
 * (#/users, #/users/US…, #/accounts, #/accounts/AC…, #/groups, #/groups/GP…, #/domains, #/provisioning, #/provisioning/errors, #/outbox, #/audit, #/audit/<target sid>, #/audit/by/<actor sid>, #/settings).
 *
 * Sign-in takes an admin token, or a token made for a user (`orgscim tokens create --user`), and
 * checks it with GET /v1/Organization. The token is kept in memory only (./api.ts): a reload asks
 * for it again. Every action the page takes is a call to the public /v1 or SCIM API.
 */
import { ApiError, signIn, signOut, UNAUTHORIZED, v1 } from "./api.js";
import { accountPage, accountsPage } from "./accounts-page.js";
import { auditPage } from "./audit-page.js";
import { settingsPage } from "./settings-page.js";
import { ErrorSlot, field, h, run } from "./dom.js";
import { domainsPage } from "./domains-page.js";
import { groupPage, groupsPage } from "./groups-page.js";
import { outboxPage } from "./outbox-page.js";
import { provisioningErrorsPage } from "./provisioning-errors-page.js";
import type { Ctx, Page } from "./page.js";
import { provisioningPage } from "./provisioning-page.js";
import type { Me, Organization } from "./types.js";
import { userPage } from "./user-page.js";
import { usersPage } from "./users-page.js";
import { viewerOf, type Viewer } from "./viewer.js";

const main = document.getElementById("main") as HTMLElement;
const nav = document.getElementById("nav") as HTMLElement;
const orgName = document.getElementById("org-name") as HTMLElement;
const signOutButton = document.getElementById("sign-out") as HTMLButtonElement;

let org: Organization | null = null;
let viewer: Viewer | null = null;
let flash: string | null = null;
/** Renders still running for an older route are ignored when they finish. */
let generation = 0;

const ROUTES: { pattern: RegExp; page: Page; section: string }[] = [
  { pattern: /^\/users(?:\/(managed|independent|pending))?$/, page: usersPage, section: "users" },
  { pattern: /^\/users\/(US[0-9a-f]{32})(?:\/(general|accounts))?$/, page: userPage, section: "users" },
  { pattern: /^\/accounts$/, page: accountsPage, section: "accounts" },
  { pattern: /^\/accounts\/(AC[0-9a-f]{32})$/, page: accountPage, section: "accounts" },
  { pattern: /^\/groups$/, page: groupsPage, section: "groups" },
  { pattern: /^\/groups\/(GP[0-9a-f]{32})$/, page: groupPage, section: "groups" },
  { pattern: /^\/domains$/, page: domainsPage, section: "domains" },
  { pattern: /^\/provisioning$/, page: provisioningPage, section: "provisioning" },
  { pattern: /^\/outbox$/, page: outboxPage, section: "outbox" },
  { pattern: /^\/provisioning\/errors$/, page: provisioningErrorsPage, section: "errors" },
  { pattern: /^\/settings$/, page: settingsPage, section: "settings" },
  { pattern: /^\/audit(?:\/((?:US|AC|IV|TK|GP|DM)[0-9a-f]{32}))?$/, page: auditPage, section: "audit" },
  { pattern: /^\/audit\/by\/((?:US|TK|OC)[0-9a-f]{32})$/, page: (root, c, [actor]) => auditPage(root, c, ["", actor ?? ""]), section: "audit" },
];

function ctx(): Ctx {
  const c: Ctx = {
    org: org!,
    viewer: viewer!,
    flash,
    go(hash, message) {
      flash = message ?? null;
      if (location.hash === hash) void render();
      else location.hash = hash;
    },
    replace(hash) {
      history.replaceState(null, "", hash);
    },
  };
  flash = null;
  return c;
}

async function render(): Promise<void> {
  const mine = ++generation;
  if (!org) return showSignIn();
  const path = location.hash.replace(/^#/, "") || homeOf(viewer!);
  const route = ROUTES.map((r) => ({ r, m: r.pattern.exec(path) })).find((x) => x.m);
  for (const a of nav.querySelectorAll<HTMLAnchorElement>("a[data-section]")) {
    if (route && a.dataset.section === route.r.section) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const root = h("div", { class: "page" });
  if (!route) {
    main.replaceChildren(h("h1", { tabindex: "-1" }, "Not found"), h("p", {}, "No such page. ", h("a", { href: "#/users" }, "Go to Users")));
    return;
  }
  const c = ctx();
  main.replaceChildren(root);
  try {
    await route.r.page(root, c, route.m!.slice(1).filter((x): x is string => x !== undefined));
  } catch (e) {
    if (mine !== generation) return;
    const slot = new ErrorSlot();
    slot.show(e);
    root.replaceChildren(h("h1", { tabindex: "-1" }, "This page could not be shown"), slot.el, h("p", {}, h("a", { href: "#/users" }, "Go to Users")));
  }
  if (mine !== generation) return;
  document.title = `${root.querySelector("h1")?.textContent ?? "Admin Center"} · orgscim Admin Center`;
  if (!main.contains(document.activeElement) || document.activeElement === main) root.querySelector<HTMLElement>("h1")?.focus();
}

/** Where the viewer lands: the users list, or their own page when the policy does not let them list users. */
function homeOf(v: Viewer): string {
  if (v.can("user.list") || !v.me.user) return "/users";
  return `/users/${v.me.user.sid}`;
}

/** Shows the sections the viewer may open: a link whose read the policy refuses them is hidden. */
function showNav(v: Viewer): void {
  for (const a of nav.querySelectorAll<HTMLAnchorElement>("a[data-action]")) {
    const li = a.closest("li");
    if (li) li.hidden = !v.can(a.dataset.action ?? "");
  }
}

function showSignIn(message?: string): void {
  for (const d of document.querySelectorAll("dialog")) d.close(); // no panel outlives the session
  nav.hidden = true;
  signOutButton.hidden = true;
  orgName.textContent = "";
  const input = h("input", { type: "password", name: "token", autocomplete: "off", spellcheck: "false", required: true, class: "wide" });
  const submit = h("button", { type: "submit" }, "Sign in");
  const slot = new ErrorSlot(input);
  const form = h("form", { class: "card signin", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title", tabindex: "-1" }, "Sign in to the Admin Center"),
    h("p", {}, "Paste an API token with the admin scope, or a token made for your user (", h("code", {}, "orgscim tokens create --scopes admin --user US…"), "). Owners and Administrators can do everything here."),
    field("API token", input, "Kept in this tab's memory only: reloading or closing the page signs you out."),
    slot.el,
    h("div", { class: "buttons" }, submit));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void run(submit, slot, async () => {
      const t = input.value.trim();
      if (!t) throw new Error("Enter a token.");
      signIn(t);
      try {
        org = await v1<Organization>("GET", "/Organization");
        viewer = viewerOf(await v1<Me>("GET", "/Me"));
      } catch (e) {
        org = null;
        signOut();
        if (e instanceof ApiError && e.status === 401) throw new ApiError(401, e.code, `This token was not accepted: ${e.message}`);
        throw e;
      }
      input.value = "";
      orgName.textContent = org.friendly_name;
      showNav(viewer!);
      nav.hidden = false;
      signOutButton.hidden = false;
      if (!location.hash || location.hash === "#" || location.hash === "#/") location.hash = `#${homeOf(viewer!)}`;
      else void render();
    });
  });
  if (message) form.insertBefore(h("p", { class: "status", role: "status" }, message), form.children[1] ?? null);
  main.replaceChildren(form);
  input.focus();
}

signOutButton.addEventListener("click", () => {
  signOut();
  org = null;
  viewer = null;
  flash = null;
  showSignIn("You are signed out.");
});

window.addEventListener("hashchange", () => void render());
// A token that stops working mid-session (revoked, or its user suspended or removed) signs out.
window.addEventListener(UNAUTHORIZED, (ev) => {
  if (!org) return; // signing in: the form shows the refusal itself
  signOut();
  org = null;
  viewer = null;
  flash = null;
  showSignIn(`Your token is no longer accepted (${(ev as CustomEvent<string>).detail}). Sign in again.`);
});
showSignIn();
