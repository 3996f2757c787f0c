/**
 * The vocabulary of the policy (./table.ts): who acts (subjects), what they act on (target
 * kinds), and how a request reaches the action (doors). Labels are what the generated
 * docs/authorization.md and the refusal messages say.
 */

/**
 * The columns of the policy. A token acting for a user takes the column of that user's effective
 * org role; a token acting for no user takes the column of its ceiling (the role of whoever made
 * it); either is lowered to the current role of the user who made it. A token without the admin
 * scope must also pass the `idp` column: the scim scope alone is what an identity provider holds.
 */
export const SUBJECTS = ["owner", "administrator", "standard", "idp", "operator"] as const;
export type Subject = (typeof SUBJECTS)[number];

export const SUBJECT_LABELS: Record<Subject, string> = {
  owner: "the Owner",
  administrator: "an Administrator",
  standard: "a Standard User",
  idp: "a token with only the scim scope (an identity provider's)",
  operator: "the operator (the orgscim command, on the store itself)",
};

/** Column headings of the generated table. */
export const SUBJECT_HEADINGS: Record<Subject, string> = {
  owner: "Owner",
  administrator: "Administrator",
  standard: "Standard User",
  idp: "scim scope only",
  operator: "operator (CLI)",
};

export const TARGET_KINDS = [
  // the organization itself, or something new in it
  "organization",
  // a user, as the actor sees them
  "self", "standard", "administrator", "owner",
  // a group
  "group",
  // an account (or an invitation to one), as the actor stands to it
  "administered", "member", "other",
  // an invitation to the organization
  "orgInvitation",
  // a token to be made
  "newService", "newSelf", "newOtherUser", "newWider",
  // an existing token, by what it can do
  "ownToken", "tokenStandard", "tokenAdministrator", "tokenOwner",
] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export const TARGET_LABELS: Record<TargetKind, string> = {
  organization: "the organization",
  self: "themselves",
  standard: "a Standard User",
  administrator: "an Administrator",
  owner: "the Owner",
  group: "a group",
  administered: "an open account they administer",
  member: "an open account they own or hold a lesser role on",
  other: "any other account (a closed account is always this: it grants nothing until reopened)",
  orgInvitation: "an invitation to the organization",
  newService: "a token acting for no user",
  newSelf: "a token acting for themselves",
  newOtherUser: "a token acting for someone else",
  newWider: "a token with a scope their own token lacks",
  ownToken: "their own token (acting for them, or the one they use)",
  tokenStandard: "a token with a Standard User's rights",
  tokenAdministrator: "a token with an Administrator's rights (or an identity provider's)",
  tokenOwner: "a token with the Owner's rights",
};

/** Where a request enters: SCIM (/scim/v2, and each /Bulk operation), the admin API (/v1), or the CLI. */
export interface Door {
  /** root: a path at the server's root, outside both APIs (the OAuth token endpoint and metadata). */
  api: "scim" | "v1" | "bulk" | "cli" | "root";
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "CLI";
  /** Express-style path under the API's root, e.g. /Users/:id; for the CLI, the command. */
  path: string;
  /** What of the request makes it this action, when the door serves several. */
  when?: string;
}

export const doorText = (d: Door): string =>
  d.api === "cli" ? `\`orgscim ${d.path}\`` : d.api === "root" ? `${d.method} ${d.path}` : `${d.api === "v1" ? "/v1" : d.api === "bulk" ? "/Bulk" : "SCIM"} ${d.method} ${d.path}${d.when ? ` (${d.when})` : ""}`;
