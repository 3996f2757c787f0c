/**
 * How the MongoDB store shards by organization (docs/stores.md), as data: the shard key of each
 * collection that is sharded, why each other collection is not, and the few indexes on sharded
 * collections that do not lead with the organization. test/store/mongo-sharding.test.ts checks the
 * index lists (./indexes.ts) against it and that docs/stores.md gives these commands;
 * test/store/org-routing.ts checks every query the store sends while the contract suite runs.
 */
import { INDEXES, indexName, type IndexKey, type IndexSpec } from "./indexes";

/**
 * Sharded collections, each on the organization alone: every query of a request names one
 * organization, so a router sends it to the one shard holding that organization's range, and a
 * unique index (userName, group displayName, a membership) may lead with `orgId`, which MongoDB
 * requires of a unique index on a sharded collection (its key must start with the shard key).
 * A compound key such as {orgId, _id} would let one organization spread over shards, but then no
 * unique index could start with `orgId` alone: per-organization uniqueness would be lost.
 */
export const SHARD_KEYS: Readonly<Record<string, IndexKey>> = {
  users: { orgId: 1 },
  groups: { orgId: 1 },
  group_members: { orgId: 1 },
  accounts: { orgId: 1 },
  audit_events: { orgId: 1 },
  outbox: { orgId: 1 },
  counters: { orgId: 1 },
  security_events: { orgId: 1 },
  token_uses: { orgId: 1 },
  provisioning_errors: { orgId: 1 },
};

/** Collections left unsharded (on the database's primary shard), and why. */
export const UNSHARDED: Readonly<Record<string, string>> = {
  organizations: "one small document per organization, read by id and listed by the CLI",
  tokens: "a bearer token is looked up by its id before its organization is known; one small document per token",
  domains: "a verified domain's name is unique across organizations (claimedName), which a collection sharded by organization cannot enforce",
  invitations: "an invitation's token hash is unique across organizations and accepting knows only the token; queries still name the organization",
  rate_limits: "request-budget windows, global by nature, reached through leases (a fraction of a call per request), removed by a TTL",
  migrations: "the applied migration versions and the start-up lock",
  event_streams: "a few documents per organization; the poll endpoint reads a stream by the id its credential names, before the organization is known, and the push worker lists every organization's",
};

/**
 * Indexes on sharded collections that do not lead with `orgId`: each serves a lookup across
 * organizations, which a router sends to every shard (named in test/store/org-routing.ts too).
 */
export const CROSS_ORGANIZATION_INDEXES: Readonly<Record<string, string>> = {
  "users.primaryEmailLower_1_status_1": "whether another organization manages an email, asked when a member is created or invited",
  "outbox.status_1_nextAttemptAt_1": "the mail worker's due messages and the metrics' backlog, across organizations",
};

/** The mongosh commands that shard a database `dbName` as above (after `sh.enableSharding`). */
export function shardCommands(dbName: string): string[] {
  return [
    `sh.enableSharding(${JSON.stringify(dbName)})`,
    ...Object.entries(SHARD_KEYS).map(([name, key]) => `sh.shardCollection(${JSON.stringify(`${dbName}.${name}`)}, { ${Object.entries(key).map(([k, d]) => `${k}: ${d}`).join(", ")} })`),
  ];
}

/** Every index of every sharded collection that neither leads with `orgId` nor is named above. */
export function indexesNotLedByOrganization(indexes: Readonly<Record<string, readonly IndexSpec[]>> = INDEXES): string[] {
  return Object.keys(SHARD_KEYS).flatMap((name) => (indexes[name] ?? [])
    .filter((s) => Object.keys(s.key)[0] !== "orgId" && CROSS_ORGANIZATION_INDEXES[`${name}.${indexName(s.key)}`] === undefined)
    .map((s) => `${name}.${indexName(s.key)}`));
}
