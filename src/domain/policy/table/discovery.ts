/**
 * The policy's row for SCIM discovery (ServiceProviderConfig, ResourceTypes, Schemas).
 * Assembled with the others in ../table.ts.
 */
import { type ActionRule, ORG, scim } from "./rule";

export const DISCOVERY_ROWS: readonly ActionRule[] = [
  // ---------- discovery ----------
  {
    id: "scim.discovery", what: "read the SCIM service's description", targets: ORG,
    allow: { owner: ORG, administrator: ORG, standard: ORG, idp: ORG, operator: ORG },
    doors: [scim("GET", "/ServiceProviderConfig"), scim("GET", "/ResourceTypes"), scim("GET", "/ResourceTypes/:id"), scim("GET", "/Schemas"), scim("GET", "/Schemas/:id")],
  },
];
