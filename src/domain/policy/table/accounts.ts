/**
 * The policy's rows for accounts, account roles and invitations. Assembled with the others in
 * ../table.ts.
 */
import { type ActionRule, ACCOUNTS, bulk, groupChange, groupWrite, membershipEnded, membershipMade, ORG, scim, USERS, v1 } from "./rule";

export const ACCOUNT_ROWS: readonly ActionRule[] = [
  // ---------- accounts and account roles ----------
  {
    id: "account.create", what: "create an account owned by someone", targets: USERS,
    allow: { owner: USERS, administrator: USERS, standard: ["self"], operator: USERS },
    doors: [v1("POST", "/Accounts")],
  },
  {
    id: "account.read", what: "read an account", targets: ACCOUNTS,
    allow: { owner: ACCOUNTS, administrator: ACCOUNTS, standard: ["administered", "member"], operator: ACCOUNTS },
    doors: [v1("GET", "/Accounts/:sid")],
  },
  {
    id: "account.list", what: "list the organization's accounts", targets: ORG,
    allow: { owner: ORG, administrator: ORG, operator: ORG },
    doors: [v1("GET", "/Accounts")],
    note: "A Standard User lists their own with GET /v1/Users/{their sid}/Accounts.",
  },
  {
    id: "account.update", what: "rename an account", targets: ACCOUNTS,
    allow: { owner: ACCOUNTS, administrator: ACCOUNTS, standard: ["administered"], operator: ACCOUNTS },
    doors: [v1("POST", "/Accounts/:sid", "friendly_name")],
  },
  {
    id: "account.owner.change", what: "change the owner of an account", targets: ACCOUNTS,
    allow: { owner: ACCOUNTS, administrator: ACCOUNTS, operator: ACCOUNTS },
    doors: [v1("POST", "/Accounts/:sid", "owner_sid")],
  },
  {
    id: "account.close", what: "close an account", targets: ACCOUNTS,
    allow: { owner: ACCOUNTS, administrator: ACCOUNTS, operator: ACCOUNTS },
    doors: [v1("DELETE", "/Accounts/:sid")],
  },
  {
    id: "account.reopen", what: "reopen a closed account", targets: ACCOUNTS,
    allow: { owner: ACCOUNTS, administrator: ACCOUNTS, operator: ACCOUNTS },
    doors: [v1("POST", "/Accounts/:sid/Reopen")],
    note: "An account's existence is the organization's: its Administrators (and Standard Users who own it) neither close nor reopen it. Direct roles do not come back (closing ended them); naming a new owner (owner_sid) is account.owner.change too.",
  },
  {
    id: "account.users.read", what: "read an account's users and their roles", targets: ACCOUNTS,
    allow: { owner: ACCOUNTS, administrator: ACCOUNTS, standard: ["administered"], operator: ACCOUNTS },
    doors: [v1("GET", "/Accounts/:sid/Users")],
  },
  {
    id: "role_assignment.create", what: "grant an account role", targets: ACCOUNTS,
    allow: { owner: ACCOUNTS, administrator: ACCOUNTS, standard: ["administered"], idp: ACCOUNTS, operator: ACCOUNTS },
    doors: [
      v1("POST", "/RoleAssignments"), v1("POST", "/Accounts/:sid/Invitations", "a managed user gets the roles at once"),
      ...groupWrite("add members to an account-role group or a group bound to an account role; bind a group to one"),
      ...membershipMade("a member of an account-role group or of a group bound to an account role"),
    ],
  },
  {
    id: "role_assignment.delete", what: "revoke an account role", targets: ACCOUNTS,
    allow: { owner: ACCOUNTS, administrator: ACCOUNTS, standard: ["administered"], idp: ACCOUNTS, operator: ACCOUNTS },
    doors: [
      v1("DELETE", "/RoleAssignments/:sid"),
      ...groupChange("remove members from an account-role group or a group bound to an account role; unbind one"),
      scim("DELETE", "/Groups/:id", "a group bound to an account role"), bulk("DELETE", "/Groups/:id", "a group bound to an account role"),
      ...membershipEnded("a membership of an account-role group or of a group bound to an account role"),
    ],
  },
  {
    id: "role_assignment.read", what: "read the role assignments of an account", targets: ACCOUNTS,
    allow: { owner: ACCOUNTS, administrator: ACCOUNTS, standard: ["administered"], operator: ACCOUNTS },
    doors: [v1("GET", "/RoleAssignments", "AccountSid"), v1("GET", "/RoleAssignments/:sid", "someone else's assignment")],
  },

  // ---------- invitations ----------
  {
    id: "invitation.create", what: "invite someone", targets: ["orgInvitation", ...ACCOUNTS],
    allow: { owner: ["orgInvitation", ...ACCOUNTS], administrator: ["orgInvitation", ...ACCOUNTS], standard: ["administered"], operator: ["orgInvitation", ...ACCOUNTS] },
    doors: [v1("POST", "/Invitations"), v1("POST", "/Accounts/:sid/Invitations")],
  },
  {
    id: "invitation.read", what: "read an invitation", targets: ["orgInvitation", ...ACCOUNTS],
    allow: { owner: ["orgInvitation", ...ACCOUNTS], administrator: ["orgInvitation", ...ACCOUNTS], standard: ["administered"], operator: ["orgInvitation", ...ACCOUNTS] },
    doors: [v1("GET", "/Invitations/:sid")],
  },
  {
    id: "invitation.list", what: "list the organization's invitations", targets: ORG,
    allow: { owner: ORG, administrator: ORG, operator: ORG },
    doors: [v1("GET", "/Invitations")],
  },
  {
    id: "invitation.resend", what: "resend an invitation", targets: ["orgInvitation", ...ACCOUNTS],
    allow: { owner: ["orgInvitation", ...ACCOUNTS], administrator: ["orgInvitation", ...ACCOUNTS], standard: ["administered"], operator: ["orgInvitation", ...ACCOUNTS] },
    doors: [v1("POST", "/Invitations/:sid/Resend")],
  },
  {
    id: "invitation.revoke", what: "revoke an invitation", targets: ["orgInvitation", ...ACCOUNTS],
    allow: { owner: ["orgInvitation", ...ACCOUNTS], administrator: ["orgInvitation", ...ACCOUNTS], standard: ["administered"], operator: ["orgInvitation", ...ACCOUNTS] },
    doors: [v1("DELETE", "/Invitations/:sid")],
  },
];
