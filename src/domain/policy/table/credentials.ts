/**
 * The policy's rows for credentials and what they reach: API tokens, OAuth 2.0 clients and SCIM
 * event streams. Assembled with the others in ../table.ts.
 */
import { type ActionRule, cli, ORG, v1 } from "./rule";

export const CREDENTIAL_ROWS: readonly ActionRule[] = [
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
];
