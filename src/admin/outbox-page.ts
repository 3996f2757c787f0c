/**
 * Outbox: the organization's mail (GET /v1/Outbox, newest first, paged), with what happened to
 * each: queued (not sent yet), sent, failed (given up; Resend makes a new invitation mail),
 * cancelled (superseded). A banner when this server sends no mail at all (no SMTP_URL).
 */
import { v1, withQuery } from "./api.js";
import { append, badge, field, h, when } from "./dom.js";
import { flashLine, heading, type Page } from "./page.js";
import { filteredList } from "./panels.js";
import type { OutboxMail, OutboxMailPage } from "./types.js";
import { mailBanner } from "./users-page.js";

const KIND: Record<OutboxMail["kind"], string> = { invitation: "Invitation", welcome: "Welcome", password_reset: "Password reset" };
const STATE_KIND: Record<OutboxMail["status"], string> = { queued: "pending", sent: "ok", failed: "warn", cancelled: "closed" };

function stateCell(m: OutboxMail): HTMLElement {
  const label = m.status === "queued" ? (m.attempts > 0 ? `queued, ${m.attempts} failed tr${m.attempts > 1 ? "ies" : "y"}` : "queued, not sent yet") : m.status;
  return h("div", { class: "mail-state", "data-mail": m.status }, badge(label, STATE_KIND[m.status]),
    m.status === "queued" && m.date_next_attempt ? h("div", { class: "sub" }, "next try ", when(m.date_next_attempt)) : null,
    m.last_error ? h("div", { class: "sub" }, `Mail server: ${m.last_error}`) : null,
    m.status === "failed" && m.kind === "invitation" ? h("div", { class: "sub" }, "Resend the invitation to make a new link and try again.") : null);
}

/** Where the mail's subject leads: the invitee's or the user's page. */
function aboutCell(m: OutboxMail): HTMLElement | string {
  if (!m.about_sid) return "—";
  if (/^US[0-9a-f]{32}$/.test(m.about_sid)) return h("a", { href: `#/users/${m.about_sid}` }, "the user");
  return h("a", { href: `#/audit/${m.about_sid}` }, "its history");
}

export const outboxPage: Page = async (root, ctx) => {
  append(root, heading("Outbox"), flashLine(ctx), mailBanner(ctx),
    h("p", { class: "intro" }, "Every mail orgscim sends (invitations, welcomes, password resets), newest first, and what happened to it. Bodies are never shown: an unsent invitation's body holds its link."));
  const status = h("select", { name: "status" }, h("option", { value: "" }, "Any"),
    ...(["queued", "sent", "failed", "cancelled"] as const).map((s) => h("option", { value: s }, s[0]!.toUpperCase() + s.slice(1))));
  await filteredList(root, {
    name: "Outbox",
    headers: ["To", "Mail", "State", "Queued", "Sent", "About"],
    empty: "No mail.",
    filters: { label: "Filter the outbox", fields: [field("State", status)] },
    load: async (token) => {
      const page = await v1<OutboxMailPage>("GET", withQuery("/Outbox", { PageSize: 20, PageToken: token, Status: status.value || undefined }));
      const rows = page.mail.map((m) => h("tr", { "data-mail-sid": m.sid },
        h("td", {}, m.to),
        h("td", {}, KIND[m.kind], h("div", { class: "sub" }, m.subject)),
        h("td", {}, stateCell(m)),
        h("td", {}, when(m.date_created)),
        h("td", {}, when(m.date_sent)),
        h("td", {}, aboutCell(m))));
      return { rows, next_page_url: page.meta.next_page_url };
    },
  }).shown;
};
