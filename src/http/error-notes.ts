/**
 * What each error of the catalogue (src/domain/errors.ts) means and what a client should do about
 * it, for docs/errors.md (rendered by ./errors-doc.ts). Keyed by the catalogue's names, so the
 * compiler refuses a new error without its note.
 */
import type { Errors } from "../domain/errors";
import { GROUP_MEMBER } from "../domain/resource-names";

export interface ErrorNote {
  /** What the server found wrong, in a sentence. */
  means: string;
  /** What the client should do. */
  todo: string;
}

const n = (means: string, todo: string): ErrorNote => ({ means, todo });

export const ERROR_NOTES: Record<keyof typeof Errors, ErrorNote> = {
  invalidJson: n("The body could not be parsed as JSON.", "Send a JSON object, with the Content-Type application/scim+json (SCIM) or application/json."),
  invalidBody: n("The body is JSON but does not have the shape the operation requires; the message names the field.", "Correct the field the message names; for /v1 the OpenAPI document (/v1/openapi.json) gives every body's schema."),
  invalidParameter: n("A query parameter has a value of the wrong type or out of range.", "Send the parameter in the form the message states (for example an integer for count or PageSize)."),
  invalidValue: n("A value breaks a rule of the model; the message says which.", "Correct the value as the message says; nothing was changed."),
  payloadTooLarge: n("The body is over the server's limit (BODY_LIMIT).", "Split the request into smaller ones."),
  unsupportedMediaType: n("The request's Content-Type is not one the server reads.", "Send application/scim+json or application/json."),
  forbiddenKey: n("A key `__proto__`, `constructor` or `prototype` appears somewhere in the body; such keys are refused at any depth (docs/security.md#case-12).", "Remove the key."),
  tooDeep: n("The body nests objects and arrays deeper than the server accepts.", "Flatten the body; no SCIM or /v1 resource needs that depth."),
  schemaMismatch: n("The body's `schemas` does not fit the resource: missing, not an array of URNs, or without the resource's core schema.", "List the resource's core schema URN (and any extension used) in `schemas`."),
  routeNotFound: n("No route answers this method and path.", "Check the path against the message's hint: SCIM lives under /scim/v2, the admin API under /v1."),
  unknownBodyAttribute: n("The body names an attribute the resource's schemas do not define; orgscim refuses it rather than drop it silently.", "Check the name against /scim/v2/Schemas, or leave the attribute out."),
  unknownSchema: n("The body uses a schema extension this resource type does not have.", "Use only the extensions /scim/v2/ResourceTypes lists for the type."),
  tooManyValues: n("A multi-valued attribute holds more values than the server keeps (its description in /Schemas states the limit).", "Send at most that many values."),
  notCanonical: n("The value is not one of the attribute's canonicalValues.", "Send one of the values the message lists (and /scim/v2/Schemas states)."),
  forbiddenCharacter: n("A userName, email, name or display name holds a control, zero-width, bidirectional-control or other invisible character; the message names it (U+XXXX), the attribute and the position (docs/hardening.md#text-people-see-identifiers-and-names).", "Remove the character; text is stored in Unicode NFC, so composed and decomposed forms of the same letters are one value."),
  badPathEncoding: n("A path segment is not valid percent-encoding: a '%' not followed by two hex digits, or escapes that are not UTF-8 (RFC 3986 §2.1).", "Encode ids and names in the path with encodeURIComponent."),
  unknownParameter: n("The query names a parameter the operation does not take (or spells an accepted one in another case); orgscim refuses it rather than ignore it, so a misspelt filter never answers an unfiltered list.", "Use the parameters the message lists, spelt as listed (they are case-sensitive); /v1/openapi.json gives each operation's parameters."),
  methodNotAllowed: n("The path exists but does not answer this method; the response's Allow header lists the methods it answers.", "Use one of the methods in the Allow header; /v1/openapi.json describes each operation."),
  discoveryNotFound: n("The schema or resource type asked for is not one this server supports.", "List them at /scim/v2/Schemas or /scim/v2/ResourceTypes."),

  invalidFilter: n("The filter cannot be parsed (RFC 7644 §3.4.2.2); the message gives the position.", "Correct the filter. A filter that fails never answers rows (docs/security.md#case-16)."),
  filterTooComplex: n("The filter is over the server's bounds on length, nesting or comparisons (docs/security.md#case-15).", "Simplify the filter or split it into several requests."),
  unknownAttribute: n("A filter, sortBy, attributes or PATCH path names an attribute the schemas do not define.", "Use an attribute listed at /scim/v2/Schemas."),
  invalidCursor: n("The cursor or PageToken was not issued by this server for this organization and list, was changed, or has expired (docs/security.md#case-31).", "Start the list again without a cursor."),

  invalidPatch: n("The PATCH body is not a valid PatchOp request (RFC 7644 §3.5.2): no Operations, an unknown op, or a remove without a path.", "Send `schemas: [\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"]` and an `Operations` array of add, remove or replace."),
  invalidPath: n("A PATCH path cannot be parsed, or names no attribute of the resource.", "Correct the path (RFC 7644 §3.5.2); see /scim/v2/Schemas for the attributes."),
  noTarget: n("The PATCH path's filter matches no value, where the operation needs one.", "GET the resource and address a value that exists."),
  mutability: n("The operation would change a readOnly or immutable attribute (such as `id` or a user's `groups`), or a built-in group in a way no one may.", "Leave the attribute out; change group memberships through /Groups."),

  userNotFound: n("No user with this id in the caller's organization; another organization's user answers the same (docs/tenancy.md).", "Check the id; list users with GET /scim/v2/Users or /v1/Users."),
  userNameTaken: n("Another user of the organization has this userName, compared without case (docs/security.md#case-17).", "Choose another userName, or update the existing user."),
  externalIdTaken: n("An active user of the organization already has this externalId.", "Use that user, or give this one another externalId."),
  userNameRequired: n("A user needs a userName.", "Send a non-empty userName."),
  primaryEmail: n("The emails break the one-primary rule: two primaries, or a primary that is not a valid address (docs/model.md#users-managed-independent-pending).", "Mark exactly one email primary (or none: the first becomes primary)."),
  domainNotVerified: n("Domain enforcement is on and the user's email domain is not verified by this organization (docs/model.md#verified-domains).", "Verify the domain under /v1/Domains, or turn domain enforcement off for the organization."),
  domainOwnedElsewhere: n("Another organization verified this email domain: only it creates or invites managed users there (docs/tenancy.md).", "Give the user an address on one of your domains, or invite the person to an account (they become an independent user)."),
  ownerProtected: n("The organization Owner cannot be deactivated, demoted or removed over SCIM.", "Transfer ownership first: POST /v1/Users/{sid} with org_role owner for the new Owner."),
  userSuspended: n("The user is suspended (active=false) and cannot be changed.", "Reactivate the user (active=true), then make the change."),
  roleNotAllowed: n("This org role cannot be assigned here: Owner is never granted over SCIM, and a scim-scope token cannot grant or revoke Administrator (docs/authorization.md).", "Use /v1 with an admin token, or have the Owner transfer ownership."),
  versionMismatch: n("If-Match names a version that is no longer the current one: someone else changed the resource.", "GET the resource again, reapply your change, and retry with the new ETag."),
  identityProviderOwns: n("The user is managed by the organization's identity provider (it has an externalId), and the request changes names the identity provider owns (display_name, given_name, family_name); its next update would overwrite them.", "Change the names in the identity provider. To correct them here until its next update, send override_identity_provider: true with the change (docs/identity-provider-owned.md)."),

  groupNotFound: n("No group with this id in the caller's organization.", "Check the id; list groups with GET /scim/v2/Groups."),
  displayNameTaken: n("Another group of the organization has this displayName, compared without case.", "Choose another displayName, or update the existing group."),
  memberNotFound: n("A member id names no user of this organization (unknown, or another organization's: docs/security.md#case-6). Nothing was changed.", "Add members by their SCIM id in this organization."),
  tooManyMembers: n("One request adds or replaces more members than the server takes at once.", "Send the members in several PATCH requests."),
  lastOwner: n("The change would leave the organization without an Owner.", "Make another user Owner first."),
  builtinGroup: n("Built-in groups (the org-role groups and the account-role groups) cannot be renamed, emptied or deleted, and some memberships cannot change over SCIM (docs/model.md#org-roles).", "Change roles through the group's members as the message says, or through /v1."),
  membershipNotFound: n(`No ${GROUP_MEMBER.name} with this id in the caller's organization: unknown, another organization's, or ended (a membership made again has a new id).`, `List the group's memberships with GET /scim/v2${GROUP_MEMBER.endpoint}?filter=group.value eq "<group id>".`),
  membershipExists: n(`The user is already a member of the group; the message names the ${GROUP_MEMBER.name}. Nothing was changed.`, `Nothing to do; GET /scim/v2${GROUP_MEMBER.endpoint}/<id> reads it.`),
  membershipGroupNotFound: n("group.value names no group of this organization (unknown, or another organization's).", "Give the id of one of the organization's groups (GET /scim/v2/Groups)."),

  domainNotFound: n("No domain with this id in the organization.", "List domains with GET /v1/Domains."),
  invalidDomainName: n("The name is not a domain name that can be verified.", "Give a registered domain name, such as example.com."),
  publicMailDomain: n("The domain is a public mail, relay or disposable-mail service: anyone can get an address there, so no organization can verify it.", "Add your organization's own domain."),
  tooManyDomains: n("The organization holds the most domains it may.", "Remove a domain it no longer uses (DELETE /v1/Domains/{sid}) first."),
  domainTaken: n("Another organization has verified this domain; a domain belongs to one organization.", "If it is yours, have its DNS token removed there (the name is released 30 days later), then add it here."),
  domainAlreadyAdded: n("The organization already has this domain.", "Verify the existing one with POST /v1/Domains/{sid}/Verify."),
  publicSuffix: n("The name is a public suffix (Public Suffix List): names under it belong to unrelated owners.", "Add the domain you registered under it."),
  domainClaimEnded: n("This organization's claim on the domain ended because another organization verified it first.", "If the domain is yours, have its DNS token removed there, and add it again once released."),
  domainVerifiedElsewhere: n("Verification found that another organization verified the domain first; this claim has ended.", "As the message says: have the token removed there, then add the domain again."),
  dnsUnavailable: n("The DNS resolver did not answer; nothing was changed.", "Retry after the Retry-After seconds."),

  accountNotFound: n("No account with this id in the organization.", "List accounts with GET /v1/Accounts."),
  accountOwner: n("The chosen user cannot own an account: an owner must be an active managed user of the organization.", "Choose an active managed user."),
  accountClosed: n("The account is closed.", "An Owner or Administrator of the organization reopens it (POST /v1/Accounts/{sid}/Reopen), or choose another account."),
  roleIncluded: n("The user is the account's Administrator, which already includes the role asked for.", "Revoke Administrator first to grant the lesser role alone."),
  assignmentNotFound: n("No role assignment with this id in the organization.", "List assignments with GET /v1/RoleAssignments."),
  ownerRequired: n("A token acting for no user creates an account without saying who owns it.", "Send owner_sid: the managed user who will own the account."),
  successorInvalid: n("The organization's successor must be an active managed user of the organization.", "Choose an active managed user as successor_user_sid."),
  noSuccessor: n("The user leaving owns accounts, and nobody was named to receive them.", "Name new_owner_sid in the request, or set the organization's successor_user_sid, then retry."),

  invitationNotFound: n("No invitation with this id in the organization.", "List invitations with GET /v1/Invitations."),
  invalidEmail: n("The value is not an email address.", "Give an address such as jane@example.com."),
  alreadyManaged: n("The address already belongs to a managed user of this organization.", "Change their org role, or invite them to an account, as the message says."),
  invitationOutstanding: n("The address already has a pending invitation.", "Resend or revoke that invitation."),
  invitationTokenInvalid: n("The invitation token is not one the server knows: mistyped, or replaced by a newer invitation mail.", "Use the newest invitation mail, or ask the organization's administrator for a new invitation."),
  invitationExpired: n("The invitation has expired.", "Ask the organization's administrator to resend it."),
  invitationAccepted: n("The invitation was already accepted; a token works once.", "Sign in as usual."),
  invitationRevoked: n("The organization revoked the invitation, or removed the invited user.", "Ask the organization's administrator for a new invitation."),
  invitationClosed: n("The invitation is accepted, revoked or expired, so it can no longer be resent or revoked.", "Invite the user again."),
  notManaged: n("Password resets apply to the organization's managed users only.", "Reset only managed users' passwords."),
  noEmailAddress: n("The user has no email address to send the mail to.", "Give the user a primary email first."),
  independentUser: n("The userName belongs to an independent user of the organization (access to some accounts, not provisioned over SCIM).", "Invite them to the organization (POST /v1/Invitations); once they accept, the identity provider can manage them."),
  invitationManagedElsewhere: n("The person accepting is a managed user of another organization, and a person is managed by one organization at a time.", "Ask that organization to remove you, then accept again before the invitation expires."),
  invitationDomainOwned: n("The person's address is on a domain another organization verified; only that organization can make them a managed user.", "Ask the inviting organization for access to one of its accounts instead."),
  invitationInviterLacksRight: n("Whoever sent (or last resent) the invitation can no longer grant what it offers: demoted, suspended or removed, no longer administering the account, or their token revoked. The invitation stays pending.", "Ask the Owner or an Administrator to resend it; the new email's token grants what they can grant."),

  bulkTooManyOperations: n("The /Bulk request has more operations than bulk.maxOperations (ServiceProviderConfig).", "Split it into several requests."),
  bulkPayloadTooLarge: n("The /Bulk request is larger than bulk.maxPayloadSize (ServiceProviderConfig).", "Split it into several requests."),
  bulkCircular: n("Operations reference each other through bulkId in a cycle; none of them was run.", "Create the resources first, then link them with PATCH."),
  bulkIdUnknown: n("A `bulkId:` reference names no operation of the request.", "Reference the bulkId of a POST in the same request."),
  bulkIdFailed: n("The operation depends, through bulkId, on an operation that failed, so it was not attempted.", "Fix the failed operation and send both again."),
  bulkRequestInvalid: n("The /Bulk body is not a valid BulkRequest (RFC 7644 §3.7).", "Correct what the message names."),
  bulkOperationInvalid: n("One operation of the /Bulk request is malformed: method, path, version or data.", "Correct that operation; the others ran or failed on their own."),
  importFormat: n("The export file given to `orgscim import` is not in the expected format.", "Use a file written by `orgscim export`; the message names the line."),
  importConflict: n("The import would clash with what the target store already holds.", "Import into an empty organization, or resolve what the message names."),
  csvHeader: n("The CSV file's header is missing a required column or has an unknown one.", "Fix the header as the message says; `orgscim import-csv --help` lists the columns."),

  unauthorized: n("No valid credentials: no bearer token in the Authorization header, or an unknown, revoked or void token (docs/security.md#case-1).", "Send `Authorization: Bearer <token>` with a valid token."),
  forbidden: n("The caller may not do this: the policy refuses it for the token's principal or scope (docs/authorization.md). The refusal is audited.", "Use a token whose principal holds the right, or ask someone who does."),
  orgNotFound: n("The organization does not exist.", "Check the id; `orgscim orgs list` lists them."),
  tokenNotFound: n("No token with this id in the organization.", "List tokens with GET /v1/Tokens."),
  oauthClientNotFound: n("No OAuth client with this id in the organization (or it was deleted).", "List clients with GET /v1/OAuthClients."),
  eventStreamNotFound: n("No event stream with this id in the organization (or it was deleted).", "List streams with GET /v1/EventStreams."),

  rateLimited: n("The token or the organization is over its request budget (docs/security.md#case-26).", "Wait the Retry-After seconds, then retry; spread requests out."),
  unavailable: n("The store cannot be reached; nothing was changed (docs/security.md#case-22).", "Retry after the Retry-After seconds."),
  writeOutcomeUnknown: n("The write was committed, then the fsync that would make it durable failed (a disk error): it may be in place, readable now and after a restart, unless the machine itself crashed. Every later write is refused with 9002 until orgscim is restarted (docs/stores.md#sqlite, Durability).", "Read the resource (GET) before sending the write again; a create sent again may answer 409 uniqueness because the first one is there. Operators: check the disk, then restart."),
  internal: n("A bug in the server. It was logged with the request id; the answer carries no detail.", "Retry; if it persists, report it with the X-Request-Id of the response."),
  tooMany: n("The request would return or do more than the server allows at once.", "Narrow the request as the message says."),
  overloaded: n("The server holds more than OVERLOAD_QUEUE_DEPTH requests (received, not yet answered) and, until it has answered them, refuses the writes of the organizations sending at least their fair share of the recent writes, before reading their body (docs/hardening.md#fair-shares-between-organizations). A write sent again on the same connection before the last refusal's Retry-After has passed is refused too, and answered only when that Retry-After passes (refusal pacing).", "Retry after 1 second (honour Retry-After); send fewer requests at once."),
  writesBusy: n("The server is saturated (its event loop is late over WRITES_SHED_LAG_MS) and, until it catches up, refuses the writes of the organizations sending at least their fair share of the recent writes (docs/security.md#case-33, docs/hardening.md#fair-shares-between-organizations).", "Retry after 1 second; spread writes out."),
  addressBusy: n("The address has used its budget of requests that carry no valid token (ANONYMOUS_PER_MINUTE): the OpenAPI document, the Admin Center's files, unknown paths (docs/hardening.md#nothing-unauthenticated-is-expensive).", "Wait the Retry-After seconds; cache /v1/openapi.json and the /admin files with their ETag (a 304 costs nothing)."),
  authFailuresBusy: n("Too many failed authentications from this address (AUTH_FAILURES_PER_MINUTE): requests from it are refused before their token is looked up; a token that authenticated from the address in the last minute still passes.", "Check the token (Authorization: Bearer <token>); retry after the Retry-After seconds."),
  bulkBusyForOrganization: n("This organization already has SCIM_BULK_PER_ORGANIZATION /Bulk requests running; the slot is taken once a body has been read (docs/hardening.md#fair-shares-between-organizations).", "Send /Bulk requests one after another; retry after 1 second."),
  bulkBusy: n("The most /Bulk requests the server runs at once (SCIM_BULK_CONCURRENCY) are already running.", "Send the next one when one finishes; retry after 1 second."),
};
