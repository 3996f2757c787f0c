/**
 * SCIM events (RFC 9967): what orgscim records when a user, a group or a membership changes, for
 * the organization's event streams (receivers) to get, by push (RFC 8935) or poll (RFC 8936).
 *
 * A change becomes one Security Event Token (RFC 8417) per stream, written in the transaction of
 * the change (./events-capture.ts): a row holds the SET's claims but `iss` and `aud`, which the
 * delivery adds when it signs (./events-keys.ts). Each row has its own `jti`; the rows of one
 * change share a `txn` (RFC 9967 §2.2). Rows are numbered by the store (`seq`) in commit order,
 * and every stream gets its rows in that order, so the order per resource is kept.
 *
 * Events are in "notice" mode only (RFC 9967 §2.4): `attributes` names what changed, never the
 * values, so no personal data is copied into the queues of receivers; a receiver that wants the
 * new state GETs `sub_id.uri` from the SCIM API.
 */

export const EVENT = {
  create: "urn:ietf:params:scim:event:prov:create:notice",
  patch: "urn:ietf:params:scim:event:prov:patch:notice",
  put: "urn:ietf:params:scim:event:prov:put:notice",
  delete: "urn:ietf:params:scim:event:prov:delete",
  activate: "urn:ietf:params:scim:event:prov:activate",
  deactivate: "urn:ietf:params:scim:event:prov:deactivate",
} as const;

/** What ServiceProviderConfig's securityEvents.eventUris lists (RFC 9967 §4): the events orgscim emits. */
export const EVENT_URIS: readonly string[] = Object.values(EVENT);

/** RFC 9967 §2.1: the subject of a SCIM event. */
export interface ScimSubject {
  format: "scim";
  /** The resource's path under the SCIM base URI: /Users/{id} or /Groups/{id}. */
  uri: string;
  id: string;
  externalId?: string;
}

/** The claims a row holds; `iss` and `aud` are added when the SET is signed for its stream. */
export interface SetClaims {
  jti: string;
  iat: number;
  txn: string;
  sub_id: ScimSubject;
  events: Record<string, Record<string, unknown>>;
}

/** An event stream: where an organization's SETs go. */
export interface EventStream {
  /** ES<32 hex>. */
  id: string;
  orgId: string;
  name: string;
  delivery: "push" | "poll";
  /** push: the receiver's endpoint (RFC 8935); null for poll. */
  endpoint: string | null;
  /** poll: SHA-256 of the stream's poll secret (shown once); null for push. */
  pollSecretHash: string | null;
  created: string;
  /** The actor who made it (token id, operator). */
  createdBy: string;
  /** When it was deleted; its undelivered SETs are dropped then. */
  deleted: string | null;
}

/** One SET for one stream. */
export interface SecurityEventRecord {
  /** The store's order: assigned on insert, increasing in commit order. 0 before insert. */
  seq: number;
  jti: string;
  orgId: string;
  streamId: string;
  /** The resource's uri (sub_id.uri): the order kept is per stream, and so per resource. */
  subject: string;
  /** SetClaims as JSON. */
  claims: string;
  /** pending until acknowledged (push: 202; poll: ack), failed when the receiver refused it (push: 400). */
  status: "pending" | "failed";
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  created: string;
}
