/**
 * Organization settings (GET and POST /v1/Organization): domain enforcement, what deprovisioning
 * does (remove or delete), the successor who receives a leaver's accounts, whether SCIM shows the
 * built-in role groups, and how SCIM requests are read. Read with the viewer's own rights: a
 * Standard User may read them (organization.read); Save is disabled for them with the reason (GET
 * /v1/Me), and the server refuses a change all the same.
 */
import { v1 } from "./api.js";
import { append, ErrorSlot, field, h, run, statusLine, when } from "./dom.js";
import { flashLine, heading, nameOf, type Page } from "./page.js";
import { userPicker } from "./panels.js";
import type { Organization, User } from "./types.js";
import { gate } from "./viewer.js";

export const settingsPage: Page = async (root, ctx) => {
  const org = await v1<Organization>("GET", "/Organization");
  const status = statusLine();
  append(root, heading("Settings"), flashLine(ctx), status.el,
    h("p", { class: "intro" }, `${org.friendly_name}: how orgscim treats your identity provider's requests and the people who leave. Last changed `, when(org.date_updated), "."));

  let successor: User | null = null;
  if (org.successor_user_sid) successor = await v1<User>("GET", `/Users/${org.successor_user_sid}`).catch(() => null);

  const checkbox = (name: string, checked: boolean) => h("input", { type: "checkbox", name, checked });
  const enforcement = checkbox("domain_enforcement", org.domain_enforcement);
  const roleGroups = checkbox("expose_role_groups", org.expose_role_groups);
  const deprovision = h("select", { name: "deprovision" },
    h("option", { value: "remove", selected: org.deprovision === "remove" }, "Remove from the organization (the user keeps their login)"),
    h("option", { value: "delete", selected: org.deprovision === "delete" }, "Delete the user (irreversible)"));
  const profile = h("select", { name: "scim_profile" },
    h("option", { value: "compatible", selected: org.scim_profile === "compatible" }, "Compatible (accepts the known identity provider quirks)"),
    h("option", { value: "strict", selected: org.scim_profile === "strict" }, "Strict (RFC 7643/7644 as written)"));
  const picker = userPicker("New successor", { placeholder: "Keep the current successor", required: false, hint: "An active managed user who receives the accounts of a user deprovisioned without a new owner." });
  const clearSuccessor = checkbox("clear_successor", false);
  const save = h("button", { type: "submit" }, "Save settings");
  const slot = new ErrorSlot(save);
  const form = h("form", { class: "settings", "aria-label": "Organization settings" },
    h("div", { class: "check" }, enforcement, h("label", { for: enforcement.id || (enforcement.id = "set-enforcement") }, "Domain enforcement: users only on verified domains")),
    field("When the identity provider deprovisions a user", deprovision),
    h("dl", { class: "facts" }, h("dt", {}, "Successor"), h("dd", {}, successor ? h("a", { href: `#/users/${successor.sid}` }, nameOf(successor)) : org.successor_user_sid ?? "none")),
    picker.el,
    org.successor_user_sid ? h("div", { class: "check" }, clearSuccessor, h("label", { for: clearSuccessor.id || (clearSuccessor.id = "set-clear-successor") }, "No successor")) : null,
    h("div", { class: "check" }, roleGroups, h("label", { for: roleGroups.id || (roleGroups.id = "set-role-groups") }, "Show the built-in role groups to the identity provider (SCIM /Groups)")),
    field("How SCIM requests are read", profile),
    h("div", { class: "buttons" }, save), slot.el);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void run(save, slot, async () => {
      const body: Record<string, unknown> = {
        domain_enforcement: enforcement.checked, deprovision: deprovision.value, expose_role_groups: roleGroups.checked, scim_profile: profile.value,
      };
      if (clearSuccessor.checked) body.successor_user_sid = null;
      else if (picker.select.value) body.successor_user_sid = picker.select.value;
      await v1<Organization>("POST", "/Organization", body);
      ctx.go("#/settings", "Settings saved.");
    });
  });
  root.append(form);
  gate(ctx.viewer, save, "organization.settings.update"); // the server still refuses a change the policy does not allow
};
