/**
 * The accept page (/admin/accept): the link in an invitation mail opens it, with the token after
 * the # (PUBLIC_URL/admin/accept#token=oiv_…). A browser never sends the part after # to a
 * server, so the token is in no request line, access log or Referer header (the page also sends
 * no Referer at all: Referrer-Policy and the meta tag). The page:
 *
 * 1. takes the token from the fragment and removes it from the address bar and the history at
 *    once (it stays in this tab's memory only; a reload asks for the code from the mail);
 * 2. shows who invites the reader to what (POST /v1/Invitations/Preview, the token in the body),
 *    and the address the invitation is for: accepting acts for that address, whoever presses;
 * 3. accepts with one button (POST /v1/Invitations/Accept) and says what the reader now has.
 *
 * A token that is not valid, has expired, was used or revoked gets a page saying so and what to do.
 * No bearer token, no cookie, no storage: the emailed token is the only credential.
 */
import { ApiError, v1Public } from "./api.js";
import { ErrorSlot, field, h, run } from "./dom.js";
import type { components } from "./api-types.js";

type Preview = components["schemas"]["InvitationPreview"];
type Accepted = components["schemas"]["InvitationAcceptResult"];

const main = document.getElementById("main") as HTMLElement;

const ROLE_LABEL: Record<string, string> = { administrator: "Administrator", billing_manager: "Billing Manager", developer: "Developer", support: "Support" };
const ORG_ROLE_LABEL: Record<string, string> = { owner: "Owner", administrator: "Administrator", standard: "Standard User" };
const roleList = (roles: string[]): string => roles.map((r) => ROLE_LABEL[r] ?? r).join(", ");

async function post<T>(path: "/Invitations/Preview" | "/Invitations/Accept", token: string): Promise<T> {
  return v1Public<T>(path, { token });
}

/** What each refusal means to the person holding the link. */
const CLOSED: Record<number, { title: string; text: string }> = {
  6605: { title: "This invitation link is not valid", text: "Check that you opened the whole link from the most recent invitation mail: when an invitation is sent again, only the newest link works. Otherwise ask whoever invited you for a new invitation." },
  6606: { title: "This invitation has expired", text: "Ask whoever invited you to send it again: the new mail has a new link." },
  6607: { title: "This invitation was already accepted", text: "A link works once. If you accepted it, you already have the access it offered: sign in as usual." },
  6608: { title: "This invitation was withdrawn", text: "The organization revoked it. Ask whoever invited you for a new invitation if you still need access." },
  6615: { title: "This invitation can no longer be accepted", text: "Whoever sent it can no longer grant what it offers. Ask the organization's administrators to send it again." },
  6503: { title: "The account of this invitation is closed", text: "Ask whoever invited you whether the account will be reopened or which account to use instead." },
};

function page(title: string, ...body: (HTMLElement | string | null)[]): HTMLElement {
  const h1 = h("h1", { tabindex: "-1" }, title);
  const card = h("section", { class: "card", "aria-labelledby": "accept-title" }, h1, ...body);
  h1.id = "accept-title";
  main.replaceChildren(card);
  document.title = `${title} · orgscim`;
  h1.focus();
  return card;
}

function showRefusal(e: unknown): void {
  const r = e instanceof ApiError ? e : new ApiError(0, null, e instanceof Error ? e.message : String(e));
  const known = r.code !== null ? CLOSED[r.code] : undefined;
  const card = page(known?.title ?? (r.status === 429 ? "Too many tries from your network" : "This invitation could not be shown"),
    h("p", {}, known?.text ?? "Try again in a moment."),
    h("p", { class: "hint", "data-code": r.code ?? "" }, r.message));
  card.dataset.state = known ? String(r.code) : "error";
}

function showOffer(token: string, p: Preview): void {
  const who = p.invited_by ? `${p.invited_by.name}${p.invited_by.email ? ` (${p.invited_by.email})` : ""}, of ${p.organization.friendly_name},` : p.organization.friendly_name;
  const what = p.kind === "account" && p.account
    ? [`${who} invites you to the account `, h("strong", {}, p.account.friendly_name), ` with the role${p.roles.length > 1 ? "s" : ""} `, h("strong", {}, roleList(p.roles)), "."]
    : [`${who} invites you to join the organization as `, h("strong", {}, ORG_ROLE_LABEL[p.org_role ?? "standard"] ?? "Standard User"), "."];
  const consequence = p.kind === "account"
    ? "You get access to this account only. If you have no user for this address yet, one is created when you accept; if you have one, you keep it."
    : "The organization then manages your user (its name, roles, two-factor requirement, and removal). If you have no user for this address yet, one is created when you accept.";
  const accept = h("button", { type: "button" }, "Accept invitation");
  const slot = new ErrorSlot(accept);
  const expires = new Date(p.date_expires);
  const card = page("You are invited",
    h("p", { class: "offer" }, ...what),
    h("p", { class: "for-whom" }, "This invitation is for ", h("strong", {}, p.email), ". Accepting gives that address this access; if it is not yours, do not accept."),
    h("p", {}, consequence),
    h("p", { class: "hint" }, "The link works once and expires ", h("time", { datetime: p.date_expires }, expires.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })), ". orgscim never asks for a password."),
    h("div", { class: "buttons" }, accept), slot.el);
  card.dataset.state = "pending";
  accept.addEventListener("click", () => void run(accept, slot, async () => {
    let done: Accepted;
    try {
      done = await post<Accepted>("/Invitations/Accept", token);
    } catch (e) {
      if (e instanceof ApiError && e.code !== null && CLOSED[e.code]) return showRefusal(e);
      throw e;
    }
    const now = done.kind === "account" && p.account
      ? [`You now have access to the account `, h("strong", {}, p.account.friendly_name), ` of ${p.organization.friendly_name}: ${roleList(done.roles)}.`]
      : [`You are now a member of ${p.organization.friendly_name} (${ORG_ROLE_LABEL[done.org_role ?? "standard"] ?? "Standard User"}); the organization manages your user.`];
    const ok = page("Invitation accepted", h("p", { class: "offer" }, ...now), h("p", {}, `Sign in as usual with ${p.email}. A confirmation mail is on its way. You can close this page.`));
    ok.dataset.state = "accepted";
  }));
}

/** No token in the address (opened by hand, or reloaded): ask for the code from the mail. */
function askForToken(): void {
  const input = h("input", { type: "text", name: "token", autocomplete: "off", spellcheck: "false", required: true, class: "wide mono" });
  const submit = h("button", { type: "submit" }, "Show the invitation");
  const slot = new ErrorSlot(input);
  const form = h("form", {}, field("Code from the invitation mail", input, "It starts with oiv_. Opening the link in the mail fills it in for you."), h("div", { class: "buttons" }, submit), slot.el);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void run(submit, slot, async () => {
      const token = input.value.trim();
      if (!token) throw new Error("Paste the code from the mail.");
      input.value = "";
      await show(token);
    });
  });
  const card = page("Accept an invitation", h("p", {}, "Open the link in your invitation mail, or paste the code it contains."), form);
  card.dataset.state = "ask";
  input.focus();
}

async function show(token: string): Promise<void> {
  try {
    showOffer(token, await post<Preview>("/Invitations/Preview", token));
  } catch (e) {
    showRefusal(e);
  }
}

/** The token from #token=…, then gone from the address bar and the history. */
function takeToken(): string | null {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const token = params.get("token");
  if (location.hash) history.replaceState(null, "", location.pathname);
  return token && token.trim() ? token.trim() : null;
}

function start(): void {
  const token = takeToken();
  if (token) void show(token);
  else askForToken();
}

// Another link opened in this tab while the page is open changes only the fragment: start again.
window.addEventListener("hashchange", () => {
  if (location.hash) start();
});
start();
