/**
 * The token parts of the Provisioning page (./provisioning-page.ts): a token's state (active,
 * expired, revoked), when it expires, when and from where it was last used, and the Rotate panel
 * (POST /v1/Tokens/{sid}/Rotate: a new token with the old one's name, scopes and user; the old one
 * keeps working for the overlap chosen, so the identity provider switches without a gap).
 */
import { v1 } from "./api.js";
import type { components } from "./api-types.js";
import { ErrorSlot, field, h, openPanel, run, uid, when } from "./dom.js";
import type { Token } from "./types.js";

export type TokenRotated = components["schemas"]["TokenRotated"];

export type TokenState = "active" | "expired" | "revoked";

export function tokenState(t: Token, now: number): TokenState {
  if (t.date_revoked) return "revoked";
  if (t.date_expires && Date.parse(t.date_expires) <= now) return "expired";
  return "active";
}

/** When it stops working: a date, "never", and how soon when that is within two weeks. */
export function tokenExpiry(t: Token): HTMLElement | string {
  if (t.date_revoked) return "—";
  if (!t.date_expires) return h("span", { class: "hint" }, "never");
  const left = Date.parse(t.date_expires) - Date.now();
  const soon = left > 0 && left < 14 * 86_400_000;
  return h("span", {}, when(t.date_expires), soon ? h("div", { class: "sub warn-text" }, `in ${span(left)}`) : null);
}

/** When a request last authenticated with it and from which address; "never" before any use. */
export function tokenLastUse(t: Token): HTMLElement | string {
  if (!t.date_last_used) return h("span", { class: "hint" }, "never");
  return h("span", {}, when(t.date_last_used), t.last_used_address ? h("div", { class: "sub mono" }, "from ", t.last_used_address) : null);
}

function span(ms: number): string {
  const hours = Math.round(ms / 3_600_000);
  if (hours < 48) return hours <= 1 ? "about an hour" : `${hours} hours`;
  return `${Math.round(hours / 24)} days`;
}

/** How long the old token keeps working: the choices offered (seconds), the API's default first. */
const OVERLAPS: [number, string][] = [
  [86_400, "1 day (default)"],
  [3_600, "1 hour"],
  [7 * 86_400, "7 days (the most)"],
  [0, "No overlap: the old token stops at once"],
];

export function rotatePanel(t: Token, done: (made: TokenRotated) => Promise<void>): void {
  openPanel(`Rotate the token ${t.friendly_name}`, (body, close) => {
    const overlap = h("select", { name: "overlap_seconds", id: uid("overlap") }, ...OVERLAPS.map(([s, label]) => h("option", { value: String(s) }, label)));
    const submit = h("button", { type: "submit" }, "Rotate token");
    const slot = new ErrorSlot(submit);
    const form = h("form", { class: "rotate" },
      h("ul", { class: "bullets" },
        h("li", {}, `A new token is made with the same name, scopes${t.user_sid ? " and user" : ""}; its secret is shown once.`),
        h("li", {}, "The old token keeps working for the overlap you choose, then stops: give the identity provider the new token before then."),
        h("li", {}, "If you are signed in with this token, sign in again with the new one.")),
      field("Old token keeps working for", overlap),
      h("div", { class: "buttons" }, submit, h("button", { type: "button", class: "secondary", onclick: close }, "Cancel")),
      slot.el);
    form.addEventListener("change", () => slot.clear());
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void run(submit, slot, async () => {
        const made = await v1<TokenRotated>("POST", `/Tokens/${t.sid}/Rotate`, { overlap_seconds: Number(overlap.value) });
        close();
        await done(made);
      });
    });
    body.appendChild(form);
  });
}
