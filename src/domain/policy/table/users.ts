/**
 * The policy's rows for users (reading, provisioning, the lifecycle, settings) and for org roles
 * and ownership. Assembled with the others in ../table.ts.
 */
import { type ActionRule, bulk, cli, groupChange, groupWrite, membershipEnded, membershipMade, NOT_OWNER, ORG, OWNER_LIFECYCLE, scim, SELF_REMOVAL, USERS, userWrite, v1 } from "./rule";

export const USER_ROWS: readonly ActionRule[] = [
  // ---------- users ----------
  {
    id: "user.read", what: "read a user", targets: USERS,
    allow: { owner: USERS, administrator: USERS, standard: ["self"], idp: USERS, operator: USERS },
    doors: [scim("GET", "/Users/:id"), v1("GET", "/Users/:sid")],
  },
  {
    id: "user.list", what: "list or search the organization's users", targets: ORG,
    allow: { owner: ORG, administrator: ORG, idp: ORG, operator: ORG },
    doors: [scim("GET", "/Users"), scim("POST", "/Users/.search"), scim("POST", "/.search", "its users"), v1("GET", "/Users")],
  },
  {
    id: "user.create", what: "create (provision) a user", targets: ORG,
    allow: { owner: ORG, administrator: ORG, idp: ORG, operator: ORG },
    doors: [scim("POST", "/Users"), bulk("POST", "/Users"), cli("import-csv")],
    note: "A create that revives a deactivated user with the same externalId also needs user.reactivate on that user.",
  },
  {
    id: "user.update", what: "change a user's profile (names, userName, emails, externalId, two-factor and password-reset flags)", targets: USERS,
    allow: { owner: USERS, administrator: NOT_OWNER, idp: NOT_OWNER, operator: USERS },
    doors: [...userWrite("any attribute but active and orgRole, or no change at all"), v1("POST", "/Users/:sid", "display_name, given_name, family_name, two_factor_required"), cli("import-csv")],
    note: "Nobody but the Owner changes the Owner: their email is their login.",
  },
  {
    id: "user.deactivate", what: "deactivate (suspend) a user", targets: USERS,
    allow: { owner: USERS, administrator: NOT_OWNER, idp: NOT_OWNER, operator: USERS },
    doors: userWrite("active true → false"),
    stateRules: [OWNER_LIFECYCLE],
  },
  {
    id: "user.reactivate", what: "reactivate a suspended user", targets: USERS,
    allow: { owner: USERS, administrator: NOT_OWNER, idp: NOT_OWNER, operator: USERS },
    doors: [...userWrite("active false → true"), scim("POST", "/Users", "the externalId of a deactivated user"), bulk("POST", "/Users", "the externalId of a deactivated user")],
  },
  {
    id: "user.remove", what: "remove a user from the organization", targets: USERS,
    allow: { owner: USERS, administrator: NOT_OWNER, idp: NOT_OWNER, operator: USERS },
    doors: [scim("DELETE", "/Users/:id", "deprovision: remove"), bulk("DELETE", "/Users/:id", "deprovision: remove"), v1("POST", "/Users/:sid/Remove")],
    stateRules: [SELF_REMOVAL, OWNER_LIFECYCLE],
  },
  {
    id: "user.delete", what: "delete a user (irreversible)", targets: USERS,
    allow: { owner: USERS, administrator: NOT_OWNER, idp: NOT_OWNER, operator: USERS },
    doors: [scim("DELETE", "/Users/:id", "deprovision: delete"), bulk("DELETE", "/Users/:id", "deprovision: delete"), v1("POST", "/Users/:sid/Delete")],
    stateRules: [SELF_REMOVAL, OWNER_LIFECYCLE],
  },
  {
    id: "user.password_reset", what: "force a user's password reset", targets: USERS,
    allow: { owner: USERS, administrator: NOT_OWNER, operator: USERS },
    doors: [v1("POST", "/Users/:sid/PasswordReset")],
  },
  {
    id: "user.accounts.read", what: "read the accounts and account roles of a user", targets: USERS,
    allow: { owner: USERS, administrator: USERS, standard: ["self"], operator: USERS },
    doors: [v1("GET", "/Users/:sid/Accounts"), v1("GET", "/RoleAssignments", "UserSid"), v1("GET", "/RoleAssignments/:sid", "an assignment of their own")],
  },

  // ---------- org roles and ownership ----------
  {
    id: "org_role.administrator.grant", what: "grant the Administrator org role", targets: ["self", "standard"],
    allow: { owner: ["self", "standard"], administrator: ["self", "standard"], operator: ["self", "standard"] },
    doors: [
      scim("POST", "/Users", "orgRole administrator"), bulk("POST", "/Users", "orgRole administrator"), ...userWrite("orgRole → administrator"),
      ...groupWrite("add members to Administrator or to a group bound to it; bind a group to it"),
      ...membershipMade("a member of Administrator or of a group bound to it"),
      v1("POST", "/Users/:sid", "org_role administrator"), v1("POST", "/Invitations", "org_role administrator"), cli("import-csv"),
    ],
    note: "Only who holds Administrator grants it; never a token with the scim scope only, on the User path or the Group path.",
  },
  {
    id: "org_role.administrator.revoke", what: "revoke the Administrator org role", targets: ["self", "administrator"],
    allow: { owner: ["self", "administrator"], administrator: ["self", "administrator"], operator: ["self", "administrator"] },
    doors: [
      ...userWrite("orgRole administrator → standard"),
      ...groupChange("remove members from Administrator or a group bound to it, add an Administrator to Standard User; unbind such a group"),
      scim("DELETE", "/Groups/:id", "a group bound to Administrator"), bulk("DELETE", "/Groups/:id", "a group bound to Administrator"),
      ...membershipEnded("a membership of Administrator or of a group bound to it"),
      v1("POST", "/Users/:sid", "org_role standard"), cli("import-csv"),
    ],
    note: "Deprovisioning an Administrator (deactivate, remove, delete) is lifecycle, not a revocation: an identity provider may.",
  },
  {
    id: "org_role.owner.grant", what: "make someone Owner over SCIM", targets: ["self", "standard", "administrator"],
    allow: {},
    doors: [
      scim("POST", "/Users", "orgRole owner"), bulk("POST", "/Users", "orgRole owner"), ...userWrite("orgRole → owner"),
      ...groupWrite("add members to Owner, or bind a group to Owner"),
      ...membershipMade("a member of Owner"),
    ],
    note: "Ownership moves only by transfer: POST /v1/Users/{sid} with org_role owner (organization.owner.transfer).",
  },
  {
    id: "organization.owner.transfer", what: "transfer the organization's ownership", targets: ["self", "standard", "administrator"],
    allow: { owner: ["self", "standard", "administrator"], operator: ["self", "standard", "administrator"] },
    doors: [v1("POST", "/Users/:sid", "org_role owner")],
    note: "A token acting for no user counts as the Owner when the operator or the Owner made it (a new organization's bootstrap token appoints its first Owner); one an Administrator made does not.",
  },
];
