/**
 * The policy's rows for the organization itself: its settings, domains and audit log. Assembled
 * with the others in ../table.ts.
 */
import { type ActionRule, cli, ORG, v1 } from "./rule";

export const ORGANIZATION_ROWS: readonly ActionRule[] = [
  // ---------- the organization, domains, audit ----------
  {
    id: "organization.read", what: "read the organization and its settings", targets: ORG,
    allow: { owner: ORG, administrator: ORG, standard: ORG, operator: ORG },
    doors: [v1("GET", "/Organization"), cli("orgs list")],
    note: "Every member may see which organization they belong to (the Admin Center signs in with it).",
  },
  {
    id: "organization.settings.update", what: "change the organization's settings", targets: ORG,
    allow: { owner: ORG, administrator: ORG, operator: ORG },
    doors: [v1("POST", "/Organization"), cli("orgs settings")],
  },
  {
    id: "domain.create", what: "add a domain", targets: ORG,
    allow: { owner: ORG, administrator: ORG, operator: ORG },
    doors: [v1("POST", "/Domains")],
  },
  {
    id: "domain.read", what: "read the organization's domains", targets: ORG,
    allow: { owner: ORG, administrator: ORG, operator: ORG },
    doors: [v1("GET", "/Domains"), v1("GET", "/Domains/:sid")],
  },
  {
    id: "domain.verify", what: "verify a domain", targets: ORG,
    allow: { owner: ORG, administrator: ORG, operator: ORG },
    doors: [v1("POST", "/Domains/:sid/Verify")],
  },
  {
    id: "domain.remove", what: "remove a domain", targets: ORG,
    allow: { owner: ORG, administrator: ORG, operator: ORG },
    doors: [v1("DELETE", "/Domains/:sid")],
  },
  {
    id: "outbox.read", what: "read the organization's outbox (what happened to each mail; never a body)", targets: ORG,
    allow: { owner: ORG, administrator: ORG, operator: ORG },
    doors: [v1("GET", "/Outbox")],
    note: "An unsent invitation's body holds its token: no door answers a body.",
  },
  {
    id: "viewer.read", what: "read who they are and what the policy allows them (the Admin Center's viewer)", targets: ORG,
    allow: { owner: ORG, administrator: ORG, standard: ORG, idp: ORG },
    doors: [v1("GET", "/Me")],
  },
  {
    id: "provisioning_errors.read", what: "read the SCIM requests refused for their content (never a body)", targets: ORG,
    allow: { owner: ORG, administrator: ORG, operator: ORG },
    doors: [v1("GET", "/ProvisioningErrors"), v1("GET", "/ProvisioningErrors/Counts")],
  },
  {
    id: "audit.read", what: "read the audit log", targets: ORG,
    allow: { owner: ORG, administrator: ORG, operator: ORG },
    doors: [v1("GET", "/AuditEvents"), cli("export --audit")],
  },
];
