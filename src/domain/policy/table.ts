/**
 * THE authorization policy of orgscim, as data: every action, who may do it to which kinds of
 * target, and the doors (SCIM, /Bulk, /v1, CLI) through which it is asked. One function decides
 * from this table (./decide.ts); every use case asks it (./authorize.ts); docs/authorization.md
 * is generated from it (./render.ts) and a test fails when the committed file is stale; the
 * matrix test (test/authz/matrix.test.ts) is generated from it too.
 *
 * The rules come from the seed (Managed Users): an Owner and Administrators manage the
 * organization, its users and its accounts, except what is the Owner's alone (ownership, and
 * anything done to the Owner); a Standard User may create accounts (owned by themselves) and read
 * their own user and accounts; an account's Administrator manages that account's users and roles,
 * not its ownership or its existence; nobody grants a right they do not hold; an identity
 * provider (a token with the scim scope only) provisions users and groups, grants and revokes
 * account roles and runs the lifecycle of anyone but the Owner, and never grants or revokes an
 * org role above Standard User, on the User path or the Group path.
 */
import { GROUP_MEMBER } from "../resource-names";
import type { Door, Subject, TargetKind } from "./kinds";

export interface StateRule {
  /** Whom the rule concerns: the Owner (the actor themself included), or the actor themself. */
  on: "owner" | "self";
  /** What the domain refuses whoever acts (an invariant, not a right). */
  rule: string;
  /** The answer, per API. */
  status: Partial<Record<Door["api"], number>>;
}

export interface ActionRule {
  id: string;
  /** A verb phrase: "deactivate a user". */
  what: string;
  /** The kinds of target this action is aimed at. */
  targets: readonly TargetKind[];
  /** Per subject, the kinds of target it may act on; absent: none. */
  allow: Partial<Record<Subject, readonly TargetKind[]>>;
  doors: readonly Door[];
  /** Invariants the use case enforces after the policy allowed: the answer is then theirs. */
  stateRules?: readonly StateRule[];
  /** Said in the docs and appended to the refusal. */
  note?: string;
}

const USERS: readonly TargetKind[] = ["self", "standard", "administrator", "owner"];
const NOT_OWNER: readonly TargetKind[] = ["self", "standard", "administrator"];
const ACCOUNTS: readonly TargetKind[] = ["administered", "member", "other"];
const ORG: readonly TargetKind[] = ["organization"];
const GROUP: readonly TargetKind[] = ["group"];

const scim = (method: Door["method"], path: string, when?: string): Door => ({ api: "scim", method, path, ...(when ? { when } : {}) });
const bulk = (method: Door["method"], path: string, when?: string): Door => ({ api: "bulk", method, path, ...(when ? { when } : {}) });
const v1 = (method: Door["method"], path: string, when?: string): Door => ({ api: "v1", method, path, ...(when ? { when } : {}) });
const cli = (command: string): Door => ({ api: "cli", method: "CLI", path: command });

/** SCIM PUT and PATCH of a user, alone and in /Bulk. */
const userWrite = (when: string): Door[] => [scim("PUT", "/Users/:id", when), scim("PATCH", "/Users/:id", when), bulk("PUT", "/Users/:id", when), bulk("PATCH", "/Users/:id", when)];
/** SCIM PUT and PATCH of a group, alone and in /Bulk. */
const groupChange = (when: string): Door[] => [scim("PUT", "/Groups/:id", when), scim("PATCH", "/Groups/:id", when), bulk("PUT", "/Groups/:id", when), bulk("PATCH", "/Groups/:id", when)];
/** SCIM POST, PUT and PATCH of a group, alone and in /Bulk. */
const groupWrite = (when: string): Door[] => [scim("POST", "/Groups", when), bulk("POST", "/Groups", when), ...groupChange(when)];
/** A membership made (the GroupMember resource), alone and in /Bulk: the same checks as adding the member by PATCH. */
const membershipMade = (when: string): Door[] => [scim("POST", GROUP_MEMBER.endpoint, when), bulk("POST", GROUP_MEMBER.endpoint, when)];
/** A membership ended (DELETE of a GroupMember), alone and in /Bulk: the same checks as removing the member by PATCH. */
const membershipEnded = (when: string): Door[] => [scim("DELETE", `${GROUP_MEMBER.endpoint}/:id`, when), bulk("DELETE", `${GROUP_MEMBER.endpoint}/:id`, when)];

const OWNER_LIFECYCLE: StateRule = {
  on: "owner",
  rule: "The Owner is never deactivated, removed or deleted: transfer ownership first (POST /v1/Users/{sid} org_role owner)",
  status: { scim: 400, bulk: 400, v1: 409 },
};
const SELF_REMOVAL: StateRule = { on: "self", rule: "Nobody removes or deletes themselves: another Owner or Administrator does", status: { scim: 400, bulk: 400, v1: 400 } };

export const POLICY: readonly ActionRule[] = [
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
    id: "audit.read", what: "read the audit log", targets: ORG,
    allow: { owner: ORG, administrator: ORG, operator: ORG },
    doors: [v1("GET", "/AuditEvents"), cli("export --audit")],
  },

  // ---------- tokens ----------
  {
    id: "token.create", what: "make a token", targets: ["newService", "newSelf", "newOtherUser", "newWider"],
    allow: { owner: ["newService", "newSelf"], administrator: ["newService", "newSelf"], operator: ["newService", "newOtherUser", "newWider"] },
    doors: [v1("POST", "/Tokens"), cli("tokens create")],
    note: "A token records who made it and carries at most their rights (its ceiling is their org role, and it is lowered to their role whenever they are demoted; it stops working when they leave). Nobody but the user themself, or the operator, makes a token acting for a user.",
  },
  {
    id: "token.list", what: "list the organization's tokens", targets: ORG,
    allow: { owner: ORG, administrator: ORG, operator: ORG },
    doors: [v1("GET", "/Tokens"), cli("tokens list")],
  },
  {
    id: "token.read", what: "read a token (never its secret)", targets: ["ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner"],
    allow: {
      owner: ["ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner"], administrator: ["ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner"],
      standard: ["ownToken"], operator: ["ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner"],
    },
    doors: [v1("GET", "/Tokens/:sid")],
    note: "Whoever may list the organization's tokens reads any of them; a Standard User reads only their own (the one they use, or one acting for them). Neither the secret nor its hash is ever answered.",
  },
  {
    id: "token.revoke", what: "revoke a token", targets: ["ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner"],
    allow: {
      owner: ["ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner"], administrator: ["ownToken", "tokenStandard", "tokenAdministrator"],
      standard: ["ownToken"], operator: ["ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner"],
    },
    doors: [v1("DELETE", "/Tokens/:sid"), cli("tokens revoke")],
  },

  {
    id: "token.rotate", what: "rotate a token (a new one in its place; the old one expires after an overlap)", targets: ["ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner"],
    allow: {
      owner: ["ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner"], administrator: ["ownToken", "tokenStandard", "tokenAdministrator"],
      standard: ["ownToken"], operator: ["ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner"],
    },
    doors: [v1("POST", "/Tokens/:sid/Rotate")],
    note: "Who may revoke a token may rotate it, under the rules of making one (token.create): a token acting for a user is rotated only by that user or the operator; the new token has the old one's name, scopes and user, is made by whoever rotates it (revoking their token stops it) with a ceiling no higher than theirs or the old one's, and, rotated by someone who may not make tokens, ends no later than the old one.",
  },

  // ---------- OAuth 2.0 clients (client credentials: src/domain/oauth.ts) ----------
  {
    id: "oauth_client.create", what: "make an OAuth client", targets: ["newService", "newSelf", "newOtherUser", "newWider"],
    allow: { owner: ["newService", "newSelf"], administrator: ["newService", "newSelf"], operator: ["newService", "newOtherUser", "newWider"] },
    doors: [v1("POST", "/OAuthClients")],
    note: "A client is a token that holds a secret instead of being one: the same rules make it (it records who made it, carries at most their rights now, and acts for a user only when that user or the operator made it), and its access tokens act as it does.",
  },
  {
    id: "oauth_client.list", what: "list the organization's OAuth clients", targets: ORG,
    allow: { owner: ORG, administrator: ORG, operator: ORG },
    doors: [v1("GET", "/OAuthClients")],
  },
  {
    id: "oauth_client.read", what: "read an OAuth client (never its secret)", targets: ["ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner"],
    allow: {
      owner: ["ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner"], administrator: ["ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner"],
      standard: ["ownToken"], operator: ["ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner"],
    },
    doors: [v1("GET", "/OAuthClients/:sid")],
    note: "As token.read: whoever may list the clients reads any of them; a Standard User reads only one acting for them. Neither the secret nor its hash is ever answered.",
  },
  {
    id: "oauth_client.delete", what: "delete an OAuth client", targets: ["ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner"],
    allow: {
      owner: ["ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner"], administrator: ["ownToken", "tokenStandard", "tokenAdministrator"],
      standard: ["ownToken"], operator: ["ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner"],
    },
    doors: [v1("DELETE", "/OAuthClients/:sid")],
    note: "Its access tokens, and every token or client made through them, stop working at once.",
  },

  // ---------- SCIM event streams (RFC 9967 receivers: src/domain/events.ts) ----------
  {
    id: "event_stream.create", what: "add an event stream (a receiver of the organization's SCIM events)", targets: ORG,
    allow: { owner: ORG, administrator: ORG, operator: ORG },
    doors: [v1("POST", "/EventStreams")],
    note: "A stream receives a SET for every change to the organization's users, groups and memberships: who manages the organization decides where they go. A push receiver's URL obeys the outbound URL rules (docs/events.md).",
  },
  {
    id: "event_stream.list", what: "list the organization's event streams", targets: ORG,
    allow: { owner: ORG, administrator: ORG, operator: ORG },
    doors: [v1("GET", "/EventStreams")],
  },
  {
    id: "event_stream.read", what: "read an event stream and the SETs it is still owed", targets: ORG,
    allow: { owner: ORG, administrator: ORG, operator: ORG },
    doors: [v1("GET", "/EventStreams/:sid")],
  },
  {
    id: "event_stream.delete", what: "delete an event stream (its undelivered SETs are dropped)", targets: ORG,
    allow: { owner: ORG, administrator: ORG, operator: ORG },
    doors: [v1("DELETE", "/EventStreams/:sid")],
  },

  // ---------- discovery ----------
  {
    id: "scim.discovery", what: "read the SCIM service's description", targets: ORG,
    allow: { owner: ORG, administrator: ORG, standard: ORG, idp: ORG, operator: ORG },
    doors: [scim("GET", "/ServiceProviderConfig"), scim("GET", "/ResourceTypes"), scim("GET", "/ResourceTypes/:id"), scim("GET", "/Schemas"), scim("GET", "/Schemas/:id")],
  },
];

/** Routes that need no bearer token, and so are outside the policy: the request carries its own credential, or none is needed. */
export const PUBLIC_DOORS: readonly (Door & { why: string })[] = [
  { api: "v1", method: "POST", path: "/Invitations/Accept", why: "the invitee's emailed single-use token is the credential" },
  { api: "v1", method: "POST", path: "/Invitations/Preview", why: "the same token shows what accepting it gives (the accept page); it changes nothing and answers a token Accept refuses as Accept does" },
  { api: "v1", method: "GET", path: "/openapi.json", why: "the API's description" },
  { api: "root", method: "POST", path: "/oauth/token", why: "the OAuth 2.0 token endpoint: the client's id and secret are the credential (docs/oauth.md)" },
  { api: "root", method: "GET", path: "/.well-known/oauth-authorization-server", why: "the authorization server's metadata (RFC 8414)" },
  { api: "root", method: "POST", path: "/events/poll", why: "RFC 8936 poll of an event stream: the stream's own poll credential (shown once when it was made) is the credential, and names the stream" },
  { api: "root", method: "GET", path: "/events/jwks.json", why: "the public key SETs are signed with (RFC 7517), for receivers to verify them" },
];

export const RULES: ReadonlyMap<string, ActionRule> = new Map(POLICY.map((r) => [r.id, r]));
