/** What every page gets from the shell (./app.ts), and the page heading. */
import { h } from "./dom.js";
import type { Organization } from "./types.js";
import type { Viewer } from "./viewer.js";

export interface Ctx {
  org: Organization;
  /** Who is signed in and what the policy allows them (GET /v1/Me): pages disable what they cannot do. */
  viewer: Viewer;
  /** Navigates to a hash route (e.g. "#/users/US..."); `flash` is announced on the next page. */
  go(hash: string, flash?: string): void;
  /** Changes the hash without rendering again (tabs within a page). */
  replace(hash: string): void;
  /** The message left by the previous page's action, once. */
  flash: string | null;
}

export type Page = (root: HTMLElement, ctx: Ctx, params: string[]) => Promise<void>;

/** The page's h1 (focused on navigation so that screen readers announce it) and optional crumbs. */
export function heading(title: string, crumbs: { label: string; href: string }[] = [], ...extra: HTMLElement[]): HTMLElement {
  const nav = crumbs.length
    ? h("nav", { "aria-label": "Breadcrumb", class: "crumbs" }, h("ol", {}, ...crumbs.map((c) => h("li", {}, h("a", { href: c.href }, c.label)))))
    : null;
  return h("div", { class: "page-head" }, nav, h("div", { class: "title-row" }, h("h1", { tabindex: "-1" }, title), ...extra));
}

/** The flash message of the previous action, if any, as a status line. */
export function flashLine(ctx: Ctx): HTMLElement | null {
  return ctx.flash ? h("p", { class: "flash", role: "status" }, ctx.flash) : null;
}

/** A user's name as the console shows it. */
export function nameOf(u: { display_name: string | null; given_name?: string | null; family_name?: string | null; user_name: string }): string {
  const full = [u.given_name, u.family_name].filter(Boolean).join(" ");
  return u.display_name || full || u.user_name;
}

export const isSid = (prefix: string, s: string | undefined): s is string => !!s && new RegExp(`^${prefix}[0-9a-f]{32}$`).test(s);
