/**
 * Domains (/v1/Domains): add a domain, see the DNS TXT record to create, verify it and follow its
 * state (pending, verified, revalidating), remove it.
 */
import { pageTokenOf, v1, withQuery } from "./api.js";
import { append, badge, ErrorSlot, field, h, Pager, run, statusLine, table, when } from "./dom.js";
import { flashLine, heading, type Page } from "./page.js";
import { confirmPanel } from "./panels.js";
import type { Domain, DomainPage, DomainVerify } from "./types.js";

const STATE_HINT: Record<Domain["state"], string> = {
  pending: "Waiting for the TXT record",
  verified: "The TXT record is in place",
  revalidating: "The TXT record is gone: re-create it before the domain expires",
  removed: "Removed",
};

export const domainsPage: Page = async (root, ctx) => {
  const status = statusLine();
  append(root, heading("Domains"), flashLine(ctx), status.el,
    h("p", { class: "intro" }, "Users can be invited or provisioned only on domains your Organization has verified. Add a domain, create the TXT record shown in your DNS, then verify it."));

  const name = h("input", { type: "text", name: "domain_name", required: true, maxlength: "300", placeholder: "example.com", autocomplete: "off" });
  const add = h("button", { type: "submit" }, "Add domain");
  const addSlot = new ErrorSlot(add);
  const addForm = h("form", { class: "toolbar", "aria-label": "Add a domain" }, field("Domain name", name), add, addSlot.el);
  const list = h("div", {});

  const pager = new Pager("Domains", async (token) => {
    const page = await v1<DomainPage>("GET", withQuery("/Domains", { PageSize: 20, PageToken: token }));
    list.replaceChildren(table("Domains", ["Domain", "State", "TXT record to create", ""], page.domains.map(row), "No domains yet."));
    return { next: pageTokenOf(page.meta.next_page_url) ?? null, count: page.domains.length };
  });

  const row = (d: Domain): HTMLTableRowElement => {
    const verify = h("button", { type: "button", class: "small", "aria-label": `Verify ${d.domain_name}` }, d.state === "verified" ? "Check again" : "Verify");
    const remove = h("button", { type: "button", class: "secondary small", "aria-label": `Remove ${d.domain_name}` }, "Remove");
    const slot = new ErrorSlot(verify);
    const result = h("p", { class: "result", role: "status" });
    verify.addEventListener("click", () => void run(verify, slot, async () => {
      const v = await v1<DomainVerify>("POST", `/Domains/${d.sid}/Verify`);
      result.textContent = v.message;
      result.className = `result ${v.record_found ? "ok" : "warn"}`;
      stateCell.replaceChildren(...stateOf(v));
    }));
    remove.addEventListener("click", () => confirmPanel({
      title: `Remove ${d.domain_name}`,
      bullets: ["Users already provisioned on this domain stay.", "New users on this domain can no longer be invited or provisioned until it is verified again."],
      confirmLabel: "Remove domain",
      danger: true,
      action: async () => {
        await v1("DELETE", `/Domains/${d.sid}`);
        status.say(`${d.domain_name} was removed.`);
        await pager.reload();
      },
    }));
    const stateCell = h("td", {}, ...stateOf(d));
    const rec = d.verification;
    return h("tr", { "data-domain": d.domain_name },
      h("td", {}, h("strong", {}, d.domain_name)),
      stateCell,
      h("td", { class: "record" },
        h("dl", { class: "record-facts" },
          h("dt", {}, "Type"), h("dd", {}, rec.record_type),
          h("dt", {}, "Name"), h("dd", {}, h("code", { class: "record-name" }, rec.record_name)),
          h("dt", {}, "Value"), h("dd", {}, h("code", { class: "record-value" }, rec.record_value)),
          h("dt", {}, "TTL"), h("dd", {}, String(rec.ttl))),
        h("p", { class: "hint" }, "The same value at ", h("code", {}, rec.apex_record_name), " is accepted too.")),
      h("td", { class: "row-actions" }, verify, " ", remove, slot.el, result));
  };

  addForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void run(add, addSlot, async () => {
      const d = await v1<Domain>("POST", "/Domains", { domain_name: name.value });
      name.value = "";
      status.say(`${d.domain_name} added. Create the TXT record ${d.verification.record_name} with the value ${d.verification.record_value}, then press Verify.`);
      await pager.reset();
    });
  });

  root.append(addForm, list, pager.el);
  await pager.reset();
};

function stateOf(d: Domain): (HTMLElement | string)[] {
  const kind = d.state === "verified" ? "ok" : d.state === "pending" ? "pending" : "warn";
  const out: (HTMLElement | string)[] = [badge(d.state, kind), h("div", { class: "sub" }, STATE_HINT[d.state])];
  if (d.date_verified) out.push(h("div", { class: "sub" }, "Verified ", when(d.date_verified)));
  if (d.date_expires) out.push(h("div", { class: "sub" }, "Expires ", when(d.date_expires)));
  return out;
}
