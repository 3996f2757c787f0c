/**
 * Provisioning errors: the requests orgscim refused, newest first, with the reason it gave and the
 * credential that sent them (GET /v1/AuditEvents?Outcome=refused: every refusal of the policy or
 * of a token's scope is an audit event, whichever door it came through). Narrowed to one
 * credential, an identity provider's token (scim scope only) is the usual one to look at.
 * Above them, the requests refused for their content (400, 409, 412, 413: a malformed body, a taken
 * userName), from GET /v1/ProvisioningErrors (./content-refusals.ts).
 */
import { v1, v1All, withQuery } from "./api.js";
import { append, badge, field, h, when } from "./dom.js";
import { contentRefusals } from "./content-refusals.js";
import { flashLine, heading, type Page } from "./page.js";
import { filteredList } from "./panels.js";
import type { AuditEventPage, Token } from "./types.js";

export const provisioningErrorsPage: Page = async (root, ctx) => {
  append(root, heading("Provisioning errors", [{ label: "Provisioning", href: "#/provisioning" }]), flashLine(ctx),
    h("p", { class: "intro" }, "Requests orgscim refused, newest first: who sent them (which token), what they asked, and why they were refused: "
      + "first those refused for their content, then those the policy or the token's scope refused."));
  const tokens = await v1All<Token>("/Tokens", "tokens").catch(() => [] as Token[]);
  const byId = new Map(tokens.map((t) => [t.sid, t]));
  const idp = tokens.filter((t) => !t.scopes.includes("admin"));
  const credential = h("select", { name: "credential" }, h("option", { value: "" }, "Any credential"),
    ...idp.map((t) => h("option", { value: t.sid }, `${t.friendly_name} (identity provider${t.date_revoked ? ", revoked" : ""})`)),
    ...tokens.filter((t) => t.scopes.includes("admin")).map((t) => h("option", { value: t.sid }, `${t.friendly_name} (admin${t.date_revoked ? ", revoked" : ""})`)));

  /** The credential of an actor `TK…/US…`, `TK…`, `OC…`, `operator:…`: its name when it is a token of this organization. */
  const credentialCell = (actor: string): HTMLElement => {
    const [cred, user] = actor.split("/");
    const t = cred ? byId.get(cred) : undefined;
    return h("span", {}, t ? t.friendly_name : cred ?? actor,
      t ? h("div", { class: "sub" }, t.scopes.includes("admin") ? "admin token" : "identity provider token (scim)", " ", h("span", { class: "mono" }, t.sid)) : null,
      user ? h("div", { class: "sub" }, "acting for ", h("a", { href: `#/users/${user}` }, user)) : null);
  };

  const content = contentRefusals(root, credentialCell);
  const policy = h("section", { "aria-labelledby": "policy-refusals" },
    h("h2", { id: "policy-refusals" }, "Refused by the policy"),
    h("p", { class: "hint" }, "Requests a token may not make (403): its scope or its role does not allow them. Each is in the audit log too."));
  root.append(policy);
  const refused = filteredList(policy, {
    name: "Refused requests",
    headers: ["When", "Credential", "Asked", "Target", "Reason"],
    empty: "No refused request.",
    filters: { label: "Filter the refused requests", fields: [field("Credential", credential)] },
    load: async (token) => {
      const page = await v1<AuditEventPage>("GET", withQuery("/AuditEvents", { PageSize: 20, PageToken: token, Outcome: "refused", Actor: credential.value || undefined }));
      const rows = page.audit_events.map((e) => h("tr", { "data-event": e.sid },
        h("td", {}, when(e.date_created)),
        h("td", {}, credentialCell(e.actor)),
        h("td", { class: "mono action-name" }, e.action),
        h("td", {}, e.target_type, e.target_sid ? h("div", { class: "sub mono" }, e.target_sid) : null),
        h("td", { class: "reason" }, badge("refused", "refused"), " ", e.reason ?? "")));
      return { rows, next_page_url: page.meta.next_page_url };
    },
  });
  await Promise.all([content, refused.shown]);
};
