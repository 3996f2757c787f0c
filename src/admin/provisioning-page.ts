/**
 * Provisioning: the SCIM base URL to paste into Okta or Entra, SCIM tokens (create with scopes
 * ["scim"], the secret shown once; when each expires and was last used, and from where; rotate with
 * an overlap, so the identity provider switches without a gap; revoke), and recent activity from
 * the audit log (/v1/AuditEvents).
 */
import { v1, v1All, withQuery } from "./api.js";
import { append, badge, ErrorSlot, field, h, run, statusLine, table, when } from "./dom.js";
import { flashLine, heading, type Page } from "./page.js";
import { confirmPanel, filteredList } from "./panels.js";
import { rotatePanel, tokenExpiry, tokenLastUse, tokenState } from "./token-parts.js";
import type { AuditEventPage, Token, TokenCreated } from "./types.js";

export const provisioningPage: Page = async (root, ctx) => {
  const status = statusLine();
  append(root, heading("Provisioning"), flashLine(ctx), status.el);

  // The SCIM connection
  const baseUrl = `${location.origin}/scim/v2`;
  const urlInput = h("input", { type: "text", readonly: true, value: baseUrl, class: "wide mono", name: "scim_base_url" });
  const copyUrl = copyButton(urlInput, "Copy URL");
  root.append(h("section", { "aria-labelledby": "scim-connection", class: "card" },
    h("h2", { id: "scim-connection" }, "SCIM connection"),
    h("p", {}, "In Okta or Microsoft Entra ID, set the SCIM connector base URL (Entra: Tenant URL) to this address, and the API token (Entra: Secret Token) to a token created below."),
    h("div", { class: "inline" }, field("SCIM base URL", urlInput), copyUrl)));

  // Tokens
  const tokenName = h("input", { type: "text", name: "friendly_name", required: true, maxlength: "100", placeholder: "okta", autocomplete: "off" });
  const create = h("button", { type: "submit" }, "Create token");
  const createSlot = new ErrorSlot(create);
  const secretBox = h("div", { class: "secret", hidden: true });
  const tokensBox = h("div", {});
  const tokensSlot = new ErrorSlot();
  const names = new Map<string, string>();
  /** Set once the activity list exists: token changes show up in it at once. */
  let refreshActivity: () => void = () => undefined;

  const loadTokens = async () => {
    const list = await v1All<Token>("/Tokens", "tokens");
    for (const t of list) names.set(t.sid, t.friendly_name);
    const rows = list.map((t) => tokenRow(t));
    tokensBox.replaceChildren(table("API tokens", ["Name", "Scopes", "Created", "Expires", "Last used", "State", ""], rows, "No tokens."));
  };
  /** Shows a secret once, with how to copy it (a created or a rotated token). */
  const showSecret = (title: string, secretValue: string, more: string) => {
    const secret = h("input", { type: "text", readonly: true, value: secretValue, class: "wide mono", name: "token_secret" });
    secretBox.replaceChildren(
      h("p", {}, h("strong", {}, `${title} `), "Copy it now: it is shown only this once (orgscim keeps only its hash).", more ? ` ${more}` : ""),
      h("div", { class: "inline" }, field("Secret token", secret), copyButton(secret, "Copy token")));
    secretBox.hidden = false;
    secret.focus();
    secret.select();
  };
  const tokenRow = (t: Token): HTMLTableRowElement => {
    const revoke = h("button", { type: "button", class: "secondary small", "aria-label": `Revoke token ${t.friendly_name}` }, "Revoke");
    revoke.addEventListener("click", () => confirmPanel({
      title: `Revoke the token ${t.friendly_name}`,
      bullets: ["The token stops working at once.", "An identity provider using it can no longer provision users until it is given a new token.", "This action can not be reversed."],
      confirmLabel: "Revoke token",
      danger: true,
      action: async () => {
        await v1("DELETE", `/Tokens/${t.sid}`);
        status.say(`The token ${t.friendly_name} is revoked.`);
        await loadTokens();
        refreshActivity();
      },
    }));
    const rotate = h("button", { type: "button", class: "secondary small", "aria-label": `Rotate token ${t.friendly_name}` }, "Rotate");
    rotate.addEventListener("click", () => rotatePanel(t, async (made) => {
      showSecret(`Token ${made.friendly_name} rotated.`, made.token, `The old token keeps working until ${new Date(made.replaced_token_expires).toLocaleString()}: give the identity provider the new one before then.`);
      status.say(`The token ${t.friendly_name} was rotated.`);
      await loadTokens();
      refreshActivity();
    }));
    const state = tokenState(t, Date.now());
    return h("tr", { "data-token": t.sid },
      h("td", {}, t.friendly_name, h("div", { class: "sub mono" }, t.sid)),
      h("td", {}, t.scopes.join(", "), t.user_sid ? h("div", { class: "sub" }, "acts for ", h("a", { href: `#/users/${t.user_sid}` }, t.user_sid)) : null),
      h("td", {}, when(t.date_created)),
      h("td", { class: "expires" }, tokenExpiry(t)),
      h("td", { class: "last-used" }, tokenLastUse(t)),
      h("td", {}, badge(state, state === "active" ? "ok" : state === "expired" ? "warn" : "closed")),
      state === "active" ? h("td", { class: "row-actions" }, rotate, " ", revoke) : h("td", { class: "row-actions" }));
  };
  const createForm = h("form", { class: "toolbar", "aria-label": "Create a SCIM token" }, field("Token name", tokenName, "For an identity provider: the token gets the scim scope only."), create, createSlot.el);
  createForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void run(create, createSlot, async () => {
      const t = await v1<TokenCreated>("POST", "/Tokens", { friendly_name: tokenName.value, scopes: ["scim"] });
      tokenName.value = "";
      showSecret(`Token ${t.friendly_name} created.`, t.token, t.date_expires ? `It expires on ${new Date(t.date_expires).toLocaleString()}; rotate it before then.` : "");
      await loadTokens();
      refreshActivity();
    });
  });
  root.append(h("section", { "aria-labelledby": "tokens-title" }, h("h2", { id: "tokens-title" }, "SCIM tokens"), createForm, secretBox, tokensSlot.el, tokensBox));
  await run(null, tokensSlot, loadTokens);

  // Recent activity
  const action = h("input", { type: "text", name: "action", placeholder: "user.create", autocomplete: "off" });
  const outcome = h("select", { name: "outcome" }, h("option", { value: "" }, "Any"), h("option", { value: "success" }, "Success"), h("option", { value: "refused" }, "Refused"));
  const section = h("section", { "aria-labelledby": "activity-title" },
    h("h2", { id: "activity-title" }, "Recent provisioning activity"),
    h("p", { class: "hint" }, "Every change and refusal, newest first, from the audit log."));
  root.append(section);
  const activity = filteredList(section, {
    name: "Activity",
    caption: "Recent activity",
    headers: ["When", "By", "Action", "Target", "Outcome"],
    empty: "No activity matches.",
    filters: { label: "Filter activity", fields: [field("Action", action), field("Outcome", outcome)] },
    load: async (token) => {
      const page = await v1<AuditEventPage>("GET", withQuery("/AuditEvents", { PageSize: 20, PageToken: token, Action: action.value.trim() || undefined, Outcome: outcome.value || undefined }));
      const rows = page.audit_events.map((e) => h("tr", {},
        h("td", {}, when(e.date_created)),
        h("td", {}, actorLabel(e.actor, names)),
        h("td", { class: "mono" }, e.action),
        h("td", {}, e.target_type, e.target_sid ? h("div", { class: "sub mono" }, e.target_sid) : null),
        h("td", {}, badge(e.outcome, e.outcome === "success" ? "ok" : "warn"), e.reason ? h("div", { class: "sub" }, e.reason) : null)));
      return { rows, next_page_url: page.meta.next_page_url };
    },
  });
  refreshActivity = () => void activity.pager.reset();
  await activity.shown;
};

/** Audit actors are a token sid, `token/user`, or `invitation:IV…`; tokens are named. */
function actorLabel(actor: string, names: Map<string, string>): HTMLElement | string {
  const [tokenSid, userSid] = actor.split("/");
  const name = tokenSid ? names.get(tokenSid) : undefined;
  if (!name) return actor;
  return h("span", { title: actor }, `token ${name}`, userSid ? h("div", { class: "sub" }, "for ", h("a", { href: `#/users/${userSid}` }, userSid)) : null);
}

function copyButton(input: HTMLInputElement, label: string): HTMLElement {
  const button = h("button", { type: "button", class: "secondary" }, label);
  const slot = new ErrorSlot(button);
  const done = h("span", { class: "hint", role: "status" });
  button.addEventListener("click", () => void run(button, slot, async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
      done.textContent = "Copied.";
    } catch {
      done.textContent = "Selected: press Ctrl+C (⌘C) to copy.";
    }
  }));
  return h("span", { class: "action copy" }, button, done, slot.el);
}
