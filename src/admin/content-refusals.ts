/**
 * The Provisioning errors page's first section: the SCIM requests (and /Bulk operations) refused
 * for their content — a userName already taken, an unverified email domain, a malformed body —
 * newest first, from GET /v1/ProvisioningErrors: the reason orgscim answered, the status and
 * scimType, what was asked, the target the body named, and the credential that sent it. Bounded per
 * organization: the section says how many older ones were dropped.
 */
import { v1, withQuery } from "./api.js";
import { badge, h, when } from "./dom.js";
import { filteredList } from "./panels.js";
import type { ProvisioningErrorCounts, ProvisioningErrorPage } from "./types.js";

/** Appends the section to `into`; resolves once its first page is shown (false: its error is shown). */
export function contentRefusals(into: HTMLElement, credentialCell: (actor: string) => HTMLElement): Promise<boolean> {
  const dropped = h("p", { class: "hint", role: "status" });
  const section = h("section", { "aria-labelledby": "content-refusals" },
    h("h2", { id: "content-refusals" }, "Refused for their content"),
    h("p", { class: "hint" }, "SCIM requests answered 400, 409, 412 or 413: a value the model refuses, a userName or externalId already taken, an email domain not verified, a malformed body. Fix the record in your identity provider and let it retry."),
    dropped);
  into.append(section);
  return filteredList(section, {
    name: "Requests refused for their content",
    headers: ["When", "Credential", "Asked", "Target", "Answer", "Reason"],
    empty: "No request was refused for its content.",
    load: async (token) => {
      const [page, counts] = await Promise.all([
        v1<ProvisioningErrorPage>("GET", withQuery("/ProvisioningErrors", { PageSize: 20, PageToken: token })),
        v1<ProvisioningErrorCounts>("GET", "/ProvisioningErrors/Counts"),
      ]);
      dropped.textContent = counts.dropped > 0
        ? `${counts.recorded} recorded in all; the ${counts.dropped} oldest were dropped (each organization keeps its newest ones for a limited time).`
        : "";
      const rows = page.provisioning_errors.map((e) => h("tr", { "data-error": String(e.number) },
        h("td", {}, when(e.date_created)),
        h("td", {}, credentialCell(e.credential)),
        h("td", {}, h("span", { class: "mono" }, `${e.method} ${e.path}`), e.bulk ? h("div", { class: "sub" }, "in /Bulk") : null),
        h("td", {}, e.target_name ?? "—", e.external_id ? h("div", { class: "sub mono" }, `externalId ${e.external_id}`) : null),
        h("td", {}, badge(String(e.status), "refused"), e.scim_type ? h("div", { class: "sub mono" }, e.scim_type) : null),
        h("td", { class: "reason" }, e.reason)));
      return { rows, next_page_url: page.meta.next_page_url };
    },
  }).shown;
}
