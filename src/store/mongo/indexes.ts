/**
 * The indexes of the MongoDB store, as data: what each collection should have now (`INDEXES`), which
 * the numbered migrations (./migrations.ts) reconcile the database to. Names are MongoDB's default
 * (`<field>_<direction>_...`), so an index created by an earlier release is recognised by its name.
 */
export type IndexKey = Record<string, 1 | -1>;

export interface IndexSpec {
  key: IndexKey;
  unique?: boolean;
  partialFilterExpression?: Record<string, unknown>;
  expireAfterSeconds?: number;
}

/** MongoDB's default name for an index on `key`. */
export const indexName = (key: IndexKey): string => Object.entries(key).map(([k, d]) => `${k}_${d}`).join("_");

const ix = (key: IndexKey, options: Omit<IndexSpec, "key"> = {}): IndexSpec => ({ key, ...options });

/**
 * The indexes start-up created before migrations were versioned (migration 1 reconciles to them, so
 * a database from that time is recognised as such).
 */
export const INDEXES_V1: Readonly<Record<string, readonly IndexSpec[]>> = {
  organizations: [],
  tokens: [ix({ orgId: 1, created: 1 })],
  users: [
    ix({ orgId: 1, userNameLower: 1 }, { unique: true }),
    ix({ orgId: 1, externalId: 1 }),
    ix({ orgId: 1, emailsLower: 1 }),
    ix({ primaryEmailLower: 1, status: 1 }),
    ix({ orgId: 1, orgRole: 1 }),
    ix({ orgId: 1, seq: 1 }),
    ix({ orgId: 1, status: 1, seq: 1 }),
  ],
  groups: [
    ix({ orgId: 1, displayNameLower: 1 }, { unique: true }),
    ix({ orgId: 1, externalId: 1 }),
    ix({ orgId: 1, seq: 1 }),
    ix({ orgId: 1, "binding.accountId": 1 }),
  ],
  group_members: [
    ix({ orgId: 1, groupId: 1, userId: 1 }, { unique: true }),
    ix({ orgId: 1, groupId: 1, userSeq: 1 }),
    ix({ orgId: 1, userId: 1 }),
  ],
  accounts: [ix({ orgId: 1, status: 1, seq: 1 }), ix({ orgId: 1, ownerId: 1 })],
  domains: [
    ix({ claimedName: 1 }, { unique: true, partialFilterExpression: { claimedName: { $type: "string" } } }),
    ix({ nameLower: 1 }),
    ix({ orgId: 1, created: 1 }),
  ],
  invitations: [ix({ tokenHash: 1 }, { unique: true }), ix({ orgId: 1, userId: 1, created: 1 }), ix({ orgId: 1, created: 1 })],
  outbox: [ix({ status: 1, nextAttemptAt: 1 }), ix({ ref: 1, status: 1 }), ix({ orgId: 1, created: -1 })],
  audit_events: [ix({ orgId: 1, time: 1 }), ix({ orgId: 1, seq: 1 }), ix({ orgId: 1, action: 1, seq: 1 })],
  counters: [],
};

/** Request-budget windows (./counters.ts), removed by a TTL once past `expireAt` (migration 3). */
export const RATE_LIMIT_INDEXES: readonly IndexSpec[] = [ix({ expireAt: 1 }, { expireAfterSeconds: 0 })];
/** What rate-limiter-flexible's RateLimiterMongo made in `rate_limits`, before migration 3. */
export const RATE_LIMITER_FLEXIBLE_INDEXES: readonly IndexSpec[] = [ix({ expire: -1 }, { expireAfterSeconds: 0 }), ix({ key: 1 }, { unique: true })];

/**
 * Domains since migration 4: `orgName` unique (an organization holds a name once), and
 * `claimedName` marks only the owner, verified or revalidating (docs/tenancy.md).
 */
export const DOMAIN_INDEXES_V4: readonly IndexSpec[] = [
  ...(INDEXES_V1.domains ?? []),
  ix({ orgName: 1 }, { unique: true, partialFilterExpression: { orgName: { $type: "string" } } }),
];

/**
 * The outbox since migration 5: a cancel names its organization ({orgId, ref, status}), so that, as
 * every index of a collection sharded by organization but the worker's, it leads with `orgId`
 * (./sharding.ts).
 */
export const OUTBOX_INDEXES_V5: readonly IndexSpec[] = [
  ix({ status: 1, nextAttemptAt: 1 }), ix({ orgId: 1, created: -1 }), ix({ orgId: 1, ref: 1, status: 1 }),
];

/** Counters since migration 5: indexed by organization, which sharding them on {orgId: 1} needs. */
export const COUNTER_INDEXES_V5: readonly IndexSpec[] = [ix({ orgId: 1 })];

/**
 * Audit events since migration 6: listed newest first by (time, seq), each filter of
 * GET /v1/AuditEvents (action, target, outcome, time range) on an index ending in (time, seq).
 */
export const AUDIT_INDEXES_V6: readonly IndexSpec[] = [
  // The earlier ones stay until the store's owner drops them in a step of their own (they cost writes, not answers).
  ...(INDEXES_V1.audit_events ?? []),
  ix({ orgId: 1, time: 1, seq: 1 }),
  ix({ orgId: 1, action: 1, time: 1, seq: 1 }),
  ix({ orgId: 1, targetId: 1, time: 1, seq: 1 }),
  ix({ orgId: 1, outcome: 1, time: 1, seq: 1 }),
];

/** Audit events since migration 8: the actor filter (a user, or a credential), on indexes leading with the organization. */
export const AUDIT_INDEXES_V8: readonly IndexSpec[] = [
  ...AUDIT_INDEXES_V6,
  ix({ orgId: 1, actorUser: 1, time: 1, seq: 1 }),
  ix({ orgId: 1, actorCredential: 1, time: 1, seq: 1 }),
];

/**
 * Memberships since migration 7: each has an `id` (the GroupMember resource), unique in its
 * organization, and every list of them (the organization's, a group's, a user's) is one range of
 * an index ending in `id`. {orgId, userId, id} replaces {orgId, userId}, which it extends.
 */
export const GROUP_MEMBER_INDEXES_V7: readonly IndexSpec[] = [
  ix({ orgId: 1, groupId: 1, userId: 1 }, { unique: true }),
  ix({ orgId: 1, groupId: 1, userSeq: 1 }),
  ix({ orgId: 1, id: 1 }, { unique: true, partialFilterExpression: { id: { $type: "string" } } }),
  ix({ orgId: 1, groupId: 1, id: 1 }),
  ix({ orgId: 1, userId: 1, id: 1 }),
];

/**
 * SCIM events since migration 9: an organization's streams oldest first, the push worker's live push
 * streams (event_streams is unsharded: the poll endpoint reads a stream by id alone); a stream's SETs
 * by (status, seq) for delivery and by seq for operators, each leading with the organization; the last
 * use of tokens listed by organization.
 */
export const EVENT_INDEXES_V9: Readonly<Record<string, readonly IndexSpec[]>> = {
  event_streams: [ix({ orgId: 1, created: 1 }), ix({ delivery: 1, deleted: 1, created: 1 })],
  security_events: [ix({ orgId: 1, streamId: 1, status: 1, seq: 1 }), ix({ orgId: 1, streamId: 1, seq: 1 })],
  token_uses: [ix({ orgId: 1 })],
};

/** Provisioning errors since migration 10: an organization's records by number, newest first, and the bound's range. */
export const PROVISIONING_ERROR_INDEXES_V10: Readonly<Record<string, readonly IndexSpec[]>> = {
  provisioning_errors: [ix({ orgId: 1, seq: 1 }, { unique: true })],
};

/**
 * Since migration 11 (as SQLite's 25), indexes every create writes only where a query reads them:
 * {orgId, orgRole} holds the owners alone (the one query on it counts an organization's owners:
 * users.countByRole takes "owner" only); the audit indexes of INDEXES_V1 go ({orgId, time} is a
 * prefix of {orgId, time, seq}, {orgId, action, seq} gave way to {orgId, action, time, seq}, no query
 * reads {orgId, seq}).
 */
export const USER_INDEXES_V11: readonly IndexSpec[] = [
  ...(INDEXES_V1.users ?? []).filter((s) => indexName(s.key) !== "orgId_1_orgRole_1"),
  ix({ orgId: 1, orgRole: 1 }, { partialFilterExpression: { orgRole: "owner" } }), // last: the step re-creates it after the others
];
export const AUDIT_INDEXES_V11: readonly IndexSpec[] = AUDIT_INDEXES_V8.filter((s) => !(INDEXES_V1.audit_events ?? []).includes(s));

/** What every collection should have now. */
export const INDEXES: Readonly<Record<string, readonly IndexSpec[]>> = {
  ...INDEXES_V1, rate_limits: RATE_LIMIT_INDEXES, domains: DOMAIN_INDEXES_V4, outbox: OUTBOX_INDEXES_V5, counters: COUNTER_INDEXES_V5, audit_events: AUDIT_INDEXES_V11,
  group_members: GROUP_MEMBER_INDEXES_V7, ...EVENT_INDEXES_V9, ...PROVISIONING_ERROR_INDEXES_V10, users: USER_INDEXES_V11,
};

/** The unique indexes of each collection (besides `_id`): what a duplicate key can violate. */
export const UNIQUE_INDEXES: Readonly<Record<string, { keys: IndexKey; partial?: Record<string, unknown> }[]>> = Object.fromEntries(
  Object.entries(INDEXES).map(([name, specs]) => [
    name,
    specs.filter((s) => s.unique).map((s) => (s.partialFilterExpression ? { keys: s.key, partial: s.partialFilterExpression } : { keys: s.key })),
  ]),
);
