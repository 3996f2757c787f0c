/**
 * The one error catalogue. Every refusal orgscim makes is a `DomainError` with a stable numeric
 * `code`, a `kind` that says what sort of refusal it is, and a message that says what was wrong
 * and what to do. The domain knows no HTTP: each protocol renders a kind in exactly one place
 * (src/http/scim-errors.ts for SCIM, RFC 7644 §3.12; src/http/v1-errors.ts for /v1).
 */
import { GROUP_MEMBER } from "./resource-names";

export type ErrorKind =
  | "invalidFilter" // a filter that cannot be parsed or names an unknown attribute
  | "invalidSyntax" // a body or parameter that does not have the required shape
  | "invalidValue" // a value the rules refuse
  | "invalidPath" // a PATCH path that is not valid for the schema
  | "noTarget" // a PATCH path that matches nothing where something is required
  | "mutability" // an attempt to change a readOnly or immutable attribute
  | "uniqueness" // a value that must be unique is taken
  | "tooMany" // a filter or request that would return or do too much
  | "invalidVersion" // If-Match does not match the current version
  | "invalidCursor" // a paging cursor that is malformed, forged or expired (RFC 9865)
  | "notFound" // the resource does not exist, or belongs to someone else
  | "conflict" // the state of the resource forbids the action
  | "forbidden" // the caller may not do this
  | "unauthorized" // no valid credentials
  | "payloadTooLarge" // a body over the limit
  | "unsupportedMediaType" // a body in a media type the server does not read
  | "methodNotAllowed" // a path that exists, asked with a method it does not answer
  | "rateLimited" // over the request budget
  | "unavailable" // the store cannot be reached; try again later
  | "internal"; // a bug; never carries internal detail to the client

export class DomainError extends Error {
  readonly code: number;
  readonly kind: ErrorKind;
  /** Seconds a client should wait before retrying (rateLimited, unavailable). */
  readonly retryAfter?: number;

  constructor(kind: ErrorKind, code: number, message: string, options?: { retryAfter?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DomainError";
    this.kind = kind;
    this.code = code;
    if (options?.retryAfter !== undefined) this.retryAfter = options.retryAfter;
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

const clip = (text: string, max: number): string => (String(text).length > max ? `${String(text).slice(0, max)}...` : String(text));

/** " Names are case-sensitive: did you mean 'Status'?" when `name` is an accepted name in another case. */
function caseHint(name: string, accepted: readonly string[]): string {
  const near = accepted.find((a) => a.toLowerCase() === String(name).toLowerCase());
  return near ? ` Names are case-sensitive: did you mean '${near}'?` : "";
}

/**
 * Stable codes. Ranges: 1xxx request shape, 2xxx filter, 3xxx patch, 4xxx users, 5xxx groups and
 * roles, 6xxx accounts, domains and invitations, 7xxx auth, 9xxx service.
 * A code is never reused for a different rule.
 */
export const Errors = {
  // request shape
  invalidJson: (detail: string) =>
    new DomainError("invalidSyntax", 1001, `The request body is not valid JSON (${detail}). Send a JSON object.`),
  invalidBody: (detail: string) => new DomainError("invalidSyntax", 1002, detail),
  invalidParameter: (name: string, detail: string) =>
    new DomainError("invalidValue", 1003, `Query parameter '${name}' is invalid: ${detail}`),
  invalidValue: (detail: string) => new DomainError("invalidValue", 1004, detail),
  payloadTooLarge: (limit: string) =>
    new DomainError("payloadTooLarge", 1005, `The request body is larger than ${limit}. Split it into smaller requests.`),
  unsupportedMediaType: (type: string) =>
    new DomainError("unsupportedMediaType", 1006, `Content-Type '${type}' is not accepted. Send application/scim+json or application/json.`),
  forbiddenKey: (key: string) =>
    new DomainError("invalidValue", 1007, `The key '${key}' is not allowed anywhere in a request. Remove it.`),
  tooDeep: (limit: number) =>
    new DomainError("invalidSyntax", 1008, `The request body nests deeper than ${limit} levels. Flatten it.`),
  schemaMismatch: (detail: string) => new DomainError("invalidSyntax", 1009, detail),
  routeNotFound: (method: string, path: string, hint: string) =>
    new DomainError("notFound", 1010, `${method} ${path} does not exist. ${hint}`),
  forbiddenCharacter: (field: string, character: string, position: number, what: string) =>
    new DomainError("invalidValue", 1020, `${field} holds ${character} at character ${position}: control, zero-width and bidirectional-control characters are not accepted in ${what}. Remove it and send the request again.`),
  badPathEncoding: (segment: string) =>
    new DomainError("invalidValue", 1021, `The path segment '${segment.length > 80 ? `${segment.slice(0, 80)}...` : segment}' is not valid percent-encoding: each '%' must start a '%XX' escape (two hex digits) and the escapes must form UTF-8 (RFC 3986 §2.1). Encode the value with encodeURIComponent.`),
  discoveryNotFound: (kind: string, id: string) =>
    new DomainError("notFound", 1011, `No ${kind} '${id}' on this server; list them at /${kind === "schema" ? "Schemas" : "ResourceTypes"}.`),
  unknownBodyAttribute: (where: string, name: string) =>
    new DomainError("invalidSyntax", 1012, `${where} has no attribute '${name}': nothing was changed. Check its name against /Schemas; orgscim keeps only what it can store and return.`),
  unknownSchema: (urn: string) =>
    new DomainError("invalidSyntax", 1013, `'${urn}' is not a schema of this resource type: nothing was changed. /ResourceTypes lists the schema extensions each type has.`),
  tooManyValues: (attr: string, max: number, got: number) =>
    new DomainError("invalidValue", 1014, `'${attr}' holds at most ${max} values (its description in /Schemas says so); this request gives ${got}. Nothing was changed.`),
  notCanonical: (attr: string, allowed: readonly string[], got: string) =>
    new DomainError("invalidValue", 1015, `'${attr}' must be one of ${allowed.join(", ")} (its canonicalValues in /Schemas); got '${got.length > 60 ? `${got.slice(0, 60)}...` : got}'.`),

  unknownParameter: (name: string, operation: string, accepted: readonly string[]) =>
    new DomainError("invalidSyntax", 1016, `${operation} has no query parameter '${clip(name, 60)}': nothing was done.${caseHint(name, accepted)} ${accepted.length ? `It accepts ${accepted.join(", ")}.` : "It takes no query parameters."}`),
  methodNotAllowed: (method: string, path: string, allowed: readonly string[]) =>
    new DomainError("methodNotAllowed", 1017, `${path} does not answer ${method}; it answers ${allowed.join(", ")} (the Allow header lists them, /v1/openapi.json describes each).`),

  // filter, sort, attributes
  invalidFilter: (detail: string) => new DomainError("invalidFilter", 2001, `Invalid filter: ${detail}`),
  filterTooComplex: (detail: string) =>
    new DomainError("invalidFilter", 2002, `Filter too complex: ${detail}. Simplify it or split it into several requests.`),
  unknownAttribute: (path: string, where: string) =>
    new DomainError("invalidFilter", 2003, `Unknown attribute '${path}' in ${where}. See /Schemas for the attributes this server knows.`),
  invalidCursor: () =>
    new DomainError("invalidCursor", 2004, "The cursor is invalid or has expired. Start again without a cursor."),

  // patch
  invalidPatch: (detail: string) => new DomainError("invalidSyntax", 3001, `Invalid PATCH request: ${detail}`),
  invalidPath: (path: string, detail: string) =>
    new DomainError("invalidPath", 3002, `Invalid path '${path}': ${detail}`),
  noTarget: (path: string) =>
    new DomainError("noTarget", 3003, `The path '${path}' matches no value to remove or replace.`),
  mutability: (attr: string, detail = "it is read-only") =>
    new DomainError("mutability", 3004, `Attribute '${attr}' cannot be changed: ${detail}.`),

  // users
  userNotFound: (id: string) => new DomainError("notFound", 4001, `User ${id} not found.`),
  userNameTaken: (userName: string) =>
    new DomainError("uniqueness", 4002, `userName '${userName}' is already in use in this organization (compared without case). Choose another userName, or update the existing user.`),
  externalIdTaken: (externalId: string) =>
    new DomainError("uniqueness", 4003, `externalId '${externalId}' is already in use in this organization by an active user.`),
  userNameRequired: () => new DomainError("invalidValue", 4004, "userName is required and must be a non-empty string."),
  primaryEmail: (detail: string) => new DomainError("invalidValue", 4005, detail),
  domainNotVerified: (domain: string) =>
    new DomainError("invalidValue", 4006, `The email domain '${domain}' is not verified by this organization. Verify it under /v1/Domains, or turn domain enforcement off for the organization.`),
  domainOwnedElsewhere: (domain: string) =>
    new DomainError("invalidValue", 4011, `The email domain '${domain}' is verified by another organization, which alone creates and invites managed users on it. Give this user an address on one of your own domains, or invite the person to one of your accounts (POST /v1/Accounts/{sid}/Invitations), which makes them an independent user.`),
  ownerProtected: (action: string) =>
    new DomainError("mutability", 4007, `The organization Owner cannot be ${action} over SCIM. Transfer ownership through the admin API first.`),
  userSuspended: () =>
    new DomainError("conflict", 4008, "The user is suspended. Reactivate the user (active=true) before changing other attributes."),
  roleNotAllowed: (role: string, why: string) =>
    new DomainError("forbidden", 4009, `Org role '${role}' cannot be assigned here: ${why}`),
  versionMismatch: (expected: string, actual: string) =>
    new DomainError("invalidVersion", 4010, `The resource has changed: If-Match was ${expected} but the current version is ${actual}. GET it again and retry.`),
  identityProviderOwns: (id: string, attributes: readonly string[]) =>
    new DomainError("conflict", 4012, `User ${id} is managed by your identity provider (it has an externalId), which owns ${attributes.join(", ")}: change ${attributes.length > 1 ? "them" : "it"} in the identity provider, whose next update would overwrite a change made here. Nothing was changed. To change ${attributes.length > 1 ? "them" : "it"} here anyway until then, send override_identity_provider: true (docs/identity-provider-owned.md).`),

  // groups
  groupNotFound: (id: string) => new DomainError("notFound", 5001, `Group ${id} not found.`),
  displayNameTaken: (name: string) =>
    new DomainError("uniqueness", 5002, `A group named '${name}' already exists in this organization.`),
  memberNotFound: (ids: string[]) =>
    new DomainError("invalidValue", 5003, `No user with id ${ids.map((i) => `'${i}'`).join(", ")} exists in this organization. Add members by their SCIM id.`),
  tooManyMembers: (limit: number) =>
    new DomainError("tooMany", 5004, `More than ${limit} members in one request. Send them in several PATCH requests.`),
  lastOwner: () => new DomainError("conflict", 5005, "The last Owner cannot be removed. Make another user Owner first."),
  builtinGroup: (detail: string) => new DomainError("mutability", 5006, detail),
  // memberships as resources (the GroupMember resource)
  membershipNotFound: (id: string) => new DomainError("notFound", 5007, `${GROUP_MEMBER.name} ${id} not found.`),
  membershipExists: (groupId: string, userId: string, id: string) =>
    new DomainError("uniqueness", 5008, `User ${userId} is already a member of group ${groupId} (${GROUP_MEMBER.name} ${id}). Nothing was changed.`),
  membershipGroupNotFound: (groupId: string) =>
    new DomainError("invalidValue", 5009, `group.value '${groupId}' names no group of this organization. Give the id of one of its groups (GET /Groups).`),

  // domains (61xx)
  domainNotFound: (id: string) => new DomainError("notFound", 6101, `Domain ${id} not found.`),
  invalidDomainName: (name: string, why: string) =>
    new DomainError("invalidValue", 6102, `'${name}' is not a domain name that can be verified: ${why}.`),
  publicMailDomain: (name: string) =>
    new DomainError("invalidValue", 6103, `'${name}' is a public mail domain: anyone can get an address on it, so no organization can verify it. Add your organization's own domain.`),
  tooManyDomains: (limit: number) =>
    new DomainError("tooMany", 6104, `An organization holds at most ${limit} domains. Remove one it no longer uses (DELETE /v1/Domains/{sid}) before adding another.`),
  domainTaken: (name: string) =>
    new DomainError("uniqueness", 6105, `The domain '${name}' is verified by another organization, and a domain belongs to the one organization that verified it. If it is yours, remove its DNS token there (the name is released 30 days after the token disappears) or have that organization remove the domain, then add it here.`),
  domainAlreadyAdded: (name: string, id: string) =>
    new DomainError("uniqueness", 6106, `The domain '${name}' is already in this organization as ${id}. Verify it with POST /v1/Domains/${id}/Verify.`),
  publicSuffix: (name: string) =>
    new DomainError("invalidValue", 6108, `'${name}' is a public suffix (Public Suffix List): names under it belong to many unrelated owners, so no organization can verify it. Add the domain you registered under it, such as yourcompany.${name}.`),
  domainClaimEnded: (name: string, id: string) =>
    new DomainError("notFound", 6109, `Domain ${id} is no longer this organization's: another organization verified '${name}' first, which ended this claim. A domain belongs to the organization that verifies it.`),
  domainVerifiedElsewhere: (name: string) =>
    new DomainError("conflict", 6110, `Another organization verified '${name}' first: a domain belongs to the organization that verifies it, so this organization's claim has ended. If the domain is yours, have the DNS token removed there, and add the domain again once the name is released.`),
  dnsUnavailable: (record: string, retryAfter: number, cause?: unknown) =>
    new DomainError("unavailable", 6107, `The DNS lookup of ${record} failed: the resolver did not answer. Nothing was changed; retry in ${retryAfter} seconds.`, { retryAfter, cause }),

  // accounts and account roles (65xx)
  accountNotFound: (id: string) => new DomainError("notFound", 6501, `Account ${id} not found.`),
  accountOwner: (id: string, why: string) =>
    new DomainError("invalidValue", 6502, `User ${id} cannot own an account: ${why}. An account owner must be an active managed user of the organization.`),
  accountClosed: (id: string) => new DomainError("conflict", 6503, `Account ${id} is closed. An Owner or Administrator of the organization can reopen it (POST /v1/Accounts/${id}/Reopen); otherwise choose another account.`),
  roleIncluded: (role: string) =>
    new DomainError("conflict", 6504, `The user is already Administrator of this account, which includes ${role}. Revoke Administrator first to grant ${role} alone.`),
  assignmentNotFound: (sid: string) => new DomainError("notFound", 6505, `Role assignment ${sid} not found.`),
  ownerRequired: () =>
    new DomainError("invalidValue", 6506, "owner_sid is required: this token acts for no user, so name the managed user who will own the account."),
  successorInvalid: (userId: string) =>
    new DomainError("invalidValue", 6508, `User ${userId} cannot be the successor: the successor must be an active managed user of this organization.`),
  noSuccessor: (userId: string) =>
    new DomainError("conflict", 6507, `User ${userId} owns accounts and the organization has no successor to receive them. Set a successor (POST /v1/Organization successor_user_sid) or make someone Owner, then retry.`),

  // invitations, the outbox and password resets (66xx)
  invitationNotFound: (id: string) => new DomainError("notFound", 6601, `Invitation ${id} not found.`),
  invalidEmail: (email: string) =>
    new DomainError("invalidValue", 6602, `'${email.length > 80 ? `${email.slice(0, 80)}...` : email}' is not an email address. Give an address such as jane@example.com.`),
  alreadyManaged: (email: string, userId: string) =>
    new DomainError("conflict", 6603, `${email} is already a managed user of this organization (${userId}). Change their org role with POST /v1/Users/${userId}, or give them access to an account with POST /v1/Accounts/{sid}/Invitations.`),
  invitationOutstanding: (email: string, id: string) =>
    new DomainError("conflict", 6604, `${email} already has a pending invitation (${id}). Resend it (POST /v1/Invitations/${id}/Resend) or revoke it (DELETE /v1/Invitations/${id}) first.`),
  invitationTokenInvalid: () =>
    new DomainError("invalidValue", 6605, "This invitation token is not valid. If the invitation was sent again, only the newest email's token works; otherwise ask the organization's administrator for a new invitation."),
  invitationExpired: (expires: string) =>
    new DomainError("invalidValue", 6606, `This invitation expired at ${expires}. Ask the organization's administrator to send it again (POST /v1/Invitations/{sid}/Resend).`),
  invitationAccepted: () =>
    new DomainError("invalidValue", 6607, "This invitation has already been accepted; a token works once. Sign in as usual."),
  invitationRevoked: () =>
    new DomainError("invalidValue", 6608, "This invitation was revoked by the organization (or the invited user was removed). Ask the organization's administrator for a new invitation."),
  invitationClosed: (id: string, state: string) =>
    new DomainError("conflict", 6609, `Invitation ${id} is ${state}: it can no longer be resent or revoked. Invite the user again instead.`),
  notManaged: (userId: string, status: string) =>
    new DomainError("conflict", 6610, `User ${userId} is ${status}: the organization resets the passwords of its managed users only.`),
  noEmailAddress: (userId: string) =>
    new DomainError("conflict", 6611, `User ${userId} has no email address to send the mail to. Give the user a primary email first.`),
  independentUser: (userName: string, userId: string) =>
    new DomainError("uniqueness", 6612, `userName '${userName}' belongs to an independent user of this organization (${userId}: access to some accounts only, not provisioned over SCIM). Invite them to the organization (POST /v1/Invitations) to make them a managed user; once they accept, the identity provider can manage them.`),

  invitationManagedElsewhere: () =>
    new DomainError("conflict", 6613, "You are a managed user of another organization, and a person is managed by one organization at a time. Ask that organization to remove you (you keep your login), then accept this invitation again before it expires."),
  invitationDomainOwned: (domain: string) =>
    new DomainError("conflict", 6614, `Your address is on '${domain}', which another organization has verified: only that organization can make you a managed user. Ask the organization that invited you for access to one of its accounts instead.`),
  invitationInviterLacksRight: () =>
    new DomainError("conflict", 6615, "Whoever sent this invitation can no longer grant what it offers (they were demoted, suspended or removed, lost the account, or their token was revoked). Ask the organization's Owner or an Administrator to send it again (POST /v1/Invitations/{sid}/Resend): accepting the new email's token then grants what they can grant."),

  // bulk (80xx), import and export (81xx), CSV (82xx)
  bulkTooManyOperations: (max: number, got: number) =>
    new DomainError("payloadTooLarge", 8001, `The bulk request has ${got} operations; this server accepts at most ${max} (ServiceProviderConfig bulk.maxOperations). Split it into several requests.`),
  bulkPayloadTooLarge: (maxBytes: number) =>
    new DomainError("payloadTooLarge", 8002, `The size of the bulk request exceeds the maxPayloadSize (${maxBytes} bytes, ServiceProviderConfig bulk.maxPayloadSize). Split it into several requests.`),
  bulkCircular: (bulkIds: string[]) =>
    new DomainError("conflict", 8003, `Operations ${bulkIds.map((b) => `'${b}'`).join(", ")} reference each other through bulkId in a cycle, which this server does not resolve. Create the resources first, then link them with PATCH.`),
  bulkIdUnknown: (bulkId: string) =>
    new DomainError("invalidValue", 8004, `'bulkId:${bulkId}' names no operation of this bulk request. Reference the bulkId of a POST in the same request.`),
  bulkIdFailed: (bulkId: string) =>
    new DomainError("conflict", 8005, `'bulkId:${bulkId}' refers to an operation that failed or was refused, so this operation was not attempted.`),
  bulkRequestInvalid: (detail: string) => new DomainError("invalidSyntax", 8006, `Invalid bulk request: ${detail}`),
  bulkOperationInvalid: (detail: string) => new DomainError("invalidSyntax", 8007, `Invalid bulk operation: ${detail}`),
  importFormat: (detail: string) => new DomainError("invalidSyntax", 8101, detail),
  importConflict: (detail: string) => new DomainError("conflict", 8102, detail),
  csvHeader: (detail: string) => new DomainError("invalidSyntax", 8201, detail),

  // auth
  unauthorized: (detail: string) => new DomainError("unauthorized", 7001, detail),
  forbidden: (detail: string) => new DomainError("forbidden", 7002, detail),
  orgNotFound: (id: string) => new DomainError("notFound", 7003, `Organization ${id} not found.`),
  tokenNotFound: (id: string) => new DomainError("notFound", 7004, `Token ${id} not found.`),
  oauthClientNotFound: (id: string) => new DomainError("notFound", 7005, `OAuth client ${id.slice(0, 80)} not found.`),
  eventStreamNotFound: (id: string) => new DomainError("notFound", 7006, `Event stream ${id.slice(0, 80)} not found.`),

  // service
  rateLimited: (retryAfter: number) =>
    new DomainError("rateLimited", 9001, `Too many requests. Retry after ${retryAfter} seconds.`, { retryAfter }),
  unavailable: (cause?: unknown) =>
    new DomainError("unavailable", 9002, "The store is temporarily unavailable. Retry after a few seconds.", { retryAfter: 5, cause }),
  writeOutcomeUnknown: (cause?: unknown) =>
    new DomainError("unavailable", 9010, "The store committed this write but could not confirm it on disk (an fsync of its write-ahead log failed), so it may be in place: read the resource before sending the write again. The store refuses every write until orgscim is restarted; tell its operator.", { retryAfter: 5, cause }),
  internal: (cause?: unknown) =>
    new DomainError("internal", 9000, "An internal error occurred. It has been logged; retry, and report it if it persists.", { cause }),
  tooMany: (detail: string) => new DomainError("tooMany", 9003, detail),
  writesBusy: (lagMs: number) =>
    new DomainError("rateLimited", 9004, `The server is saturated (its event loop runs ${lagMs} ms late, over WRITES_SHED_LAG_MS) and refuses writes until it catches up. Retry after 1 second.`, { retryAfter: 1 }),
  addressBusy: (retryAfter: number) =>
    new DomainError("rateLimited", 9006, `This address has used its budget of requests that carry no valid token (ANONYMOUS_PER_MINUTE). Retry after ${retryAfter} seconds.`, { retryAfter }),
  authFailuresBusy: (retryAfter: number) =>
    new DomainError("rateLimited", 9007, `Too many failed authentications from this address (AUTH_FAILURES_PER_MINUTE); requests from it are refused before their token is looked up. Check the token (Authorization: Bearer <token>) and retry after ${retryAfter} seconds.`, { retryAfter }),
  bulkBusyForOrganization: (max: number) =>
    new DomainError("rateLimited", 9008, `This organization already has ${max} /Bulk request${max === 1 ? "" : "s"} in progress (SCIM_BULK_PER_ORGANIZATION). Send the next one when it finishes; retry after 1 second.`, { retryAfter: 1 }),
  overloaded: (depth: number) =>
    new DomainError("rateLimited", 9009, `The server holds more than ${depth} requests (OVERLOAD_QUEUE_DEPTH) and refuses the writes of the organizations sending at least their fair share at once, rather than queue them. Retry after 1 second.`, { retryAfter: 1 }),
  bulkBusy: (max: number) =>
    new DomainError("rateLimited", 9005, `${max} /Bulk request${max === 1 ? " is" : "s are"} already in progress (SCIM_BULK_CONCURRENCY). Send the next one when one finishes; retry after 1 second.`, { retryAfter: 1 }),
} as const;
