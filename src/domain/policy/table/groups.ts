/**
 * The policy's rows for groups and their memberships (the identity provider's groups, bound to
 * org roles or account roles). Assembled with the others in ../table.ts.
 */
import { GROUP_MEMBER } from "../../resource-names";
import { type ActionRule, bulk, GROUP, groupWrite, membershipEnded, membershipMade, ORG, scim, v1 } from "./rule";

export const GROUP_ROWS: readonly ActionRule[] = [
  // ---------- groups ----------
  {
    id: "group.read", what: "read a group", targets: GROUP,
    allow: { owner: GROUP, administrator: GROUP, idp: GROUP, operator: GROUP },
    doors: [scim("GET", "/Groups/:id"), scim("GET", `${GROUP_MEMBER.endpoint}/:id`, "one of its memberships"), v1("GET", "/Groups/:sid"), v1("GET", "/Groups/:sid/Members")],
  },
  {
    id: "group.list", what: "list or search groups", targets: ORG,
    allow: { owner: ORG, administrator: ORG, idp: ORG, operator: ORG },
    doors: [scim("GET", "/Groups"), scim("POST", "/Groups/.search"), scim("POST", "/.search", "its groups"), scim("GET", GROUP_MEMBER.endpoint, "their memberships"), v1("GET", "/Groups")],
  },
  {
    id: "group.create", what: "create a group", targets: ORG,
    allow: { owner: ORG, administrator: ORG, idp: ORG, operator: ORG },
    doors: [scim("POST", "/Groups"), bulk("POST", "/Groups")],
    note: "What the group grants is checked too: its binding and first members as org_role.* or role_assignment.create.",
  },
  {
    id: "group.update", what: "rename a group or change its externalId", targets: GROUP,
    allow: { owner: GROUP, administrator: GROUP, idp: GROUP, operator: GROUP },
    doors: [scim("PUT", "/Groups/:id"), scim("PATCH", "/Groups/:id"), bulk("PUT", "/Groups/:id"), bulk("PATCH", "/Groups/:id")],
  },
  {
    id: "group.members.update", what: "change the members of a group that grants nothing (unbound, or bound to Standard User)", targets: GROUP,
    allow: { owner: GROUP, administrator: GROUP, idp: GROUP, operator: GROUP },
    doors: [
      ...groupWrite("members of a group that grants nothing"),
      ...membershipMade("a member of a group that grants nothing"), ...membershipEnded("a membership of a group that grants nothing"),
    ],
  },
  {
    id: "group.delete", what: "delete a group", targets: GROUP,
    allow: { owner: GROUP, administrator: GROUP, idp: GROUP, operator: GROUP },
    doors: [scim("DELETE", "/Groups/:id"), bulk("DELETE", "/Groups/:id")],
    note: "Deleting a bound group revokes what it granted: org_role.administrator.revoke or role_assignment.delete is checked too.",
  },
];
