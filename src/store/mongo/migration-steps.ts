/**
 * The MongoDB store's migrations, in order (run by ./migrations.ts). Never edit a step that has
 * shipped: add one. Index steps reconcile every collection to a literal list (./indexes.ts), so a
 * step means the same thing on every database whatever came later.
 */
import { newId } from "../../domain/ids";
import { toDomain } from "./decode";
import { actorFields, domainDoc } from "./docs";
import { AUDIT_INDEXES_V6, AUDIT_INDEXES_V8, AUDIT_INDEXES_V11, USER_INDEXES_V11, COUNTER_INDEXES_V5, EVENT_INDEXES_V9, PROVISIONING_ERROR_INDEXES_V10, DOMAIN_INDEXES_V4, GROUP_MEMBER_INDEXES_V7, INDEXES_V1, indexName, OUTBOX_INDEXES_V5, RATE_LIMIT_INDEXES, RATE_LIMITER_FLEXIBLE_INDEXES, type IndexSpec } from "./indexes";
import { ensureCollection, MigrationRefused, reconcileIndexes, type MigrationDb, type MigrationStep } from "./migrations";

/** Every index name some step has created: the ones a later step may drop. */
const KNOWN = (...versions: Readonly<Record<string, readonly IndexSpec[]>>[]): ReadonlySet<string> =>
  new Set(versions.flatMap((v) => Object.values(v).flat().map((s) => indexName(s.key))));

async function reconcileAll(db: MigrationDb, version: number, want: Readonly<Record<string, readonly IndexSpec[]>>, known: ReadonlySet<string>, log: (m: string) => void) {
  for (const [collection, specs] of Object.entries(want)) await reconcileIndexes(db, version, collection, specs, known, log);
}

const SEQUENCED = ["users", "groups", "audit_events", "accounts"] as const;

export const MIGRATION_STEPS: readonly MigrationStep[] = [
  {
    version: 1,
    name: "collections, and the indexes start-up created before migrations were versioned",
    up: (db, log) => reconcileAll(db, 1, INDEXES_V1, KNOWN(INDEXES_V1), log),
  },
  {
    version: 2,
    name: "insertion order counted per organization, in the inserting transaction",
    // The global counters ({_id: "users"}, ...) gave way to one per organization and collection
    // (./sequences.ts); each starts at the largest seq the organization has. A counter created
    // lazily meanwhile is only raised ($max), never lowered.
    up: async (db) => {
      await ensureCollection(db, "counters");
      const counters = db.collection("counters");
      for (const name of SEQUENCED) {
        const rows = await db.collection(name).aggregate([{ $group: { _id: "$orgId", seq: { $max: "$seq" } } }], { allowDiskUse: true }).toArray();
        for (const r of rows) {
          if (typeof r._id !== "string" || typeof r.seq !== "number") continue;
          const init: Record<string, unknown> = { $setOnInsert: { orgId: r._id, name }, $max: { seq: r.seq } };
          await counters.updateOne({ _id: { $eq: `${name}:${r._id}` }, orgId: { $eq: r._id } }, init, { upsert: true });
        }
      }
      await counters.deleteMany({ _id: { $in: [...SEQUENCED] } });
    },
  },
  {
    version: 3,
    name: "request budgets counted by leases in windows that expire",
    // rate_limits held rate-limiter-flexible's documents ({key, points, expire}, unique on key):
    // they go, with its indexes; windows (./counters.ts) expire through a TTL on expireAt.
    up: async (db, log) => {
      await ensureCollection(db, "rate_limits");
      await db.collection("rate_limits").deleteMany({ key: { $exists: true } });
      await reconcileIndexes(db, 3, "rate_limits", RATE_LIMIT_INDEXES, KNOWN({ rate_limits: RATE_LIMITER_FLEXIBLE_INDEXES }), log);
    },
  },
  {
    version: 4,
    name: "a domain name is claimed by its verified owner only, and held once per organization",
    // docs/tenancy.md: claimedName now marks only a verified or revalidating domain (pending claims
    // of several organizations may coexist) and orgName ("<orgId>/<name>") every live one. Both are
    // recomputed from each domain's state as ./docs.ts domainDoc writes them, then indexed.
    up: async (db, log) => {
      await ensureCollection(db, "domains");
      const domains = db.collection("domains");
      for (const d of await domains.find({}).toArray()) {
        const want = domainDoc(toDomain(d));
        const set: Record<string, unknown> = {};
        const unset: Record<string, ""> = {};
        for (const field of ["claimedName", "orgName"] as const) {
          if (want[field] === undefined) unset[field] = "";
          else set[field] = want[field];
        }
        const update: Record<string, unknown> = {};
        if (Object.keys(set).length > 0) update.$set = set;
        if (Object.keys(unset).length > 0) update.$unset = unset;
        await domains.updateOne({ _id: { $eq: d._id }, orgId: { $eq: d.orgId } }, update);
      }
      await reconcileIndexes(db, 4, "domains", DOMAIN_INDEXES_V4, KNOWN(INDEXES_V1), log);
    },
  },
  {
    version: 5,
    name: "indexes for sharding by organization: the outbox's cancel index leads with it, counters have one",
    // {ref, status} gives way to {orgId, ref, status}: a cancel names its organization; counters get
    // {orgId}, which sharding an existing collection on {orgId: 1} requires (docs/stores.md).
    up: async (db, log) => {
      await reconcileIndexes(db, 5, "outbox", OUTBOX_INDEXES_V5, KNOWN(INDEXES_V1), log);
      await reconcileIndexes(db, 5, "counters", COUNTER_INDEXES_V5, KNOWN(INDEXES_V1), log);
    },
  },
  {
    version: 6,
    name: "audit search from indexes",
    // GET /v1/AuditEvents lists newest first by (time, seq) and filters by action, target, outcome
    // and time range, each on an index ending in (time, seq). The indexes of INDEXES_V1 stay
    // (./indexes.ts AUDIT_INDEXES_V6 lists them): removing them is the store owner's call.
    up: async (db, log) => {
      await ensureCollection(db, "audit_events");
      await reconcileIndexes(db, 6, "audit_events", AUDIT_INDEXES_V6, KNOWN(INDEXES_V1), log);
    },
  },
  {
    version: 7,
    name: "memberships have an id and a created time (the GroupMember resource)",
    // Memberships made before get a new id (src/domain/ids.ts "GM") and, for a created time, the
    // later of their group's and their user's (a membership is not older than either); then the
    // indexes every list of memberships reads (./indexes.ts GROUP_MEMBER_INDEXES_V7). Batches of
    // BACKFILL_BATCH, each naming its organization, so a large collection never sits in memory.
    up: async (db, log) => {
      await ensureCollection(db, "group_members");
      const filled = await backfillMembershipIds(db, BACKFILL_BATCH);
      if (filled > 0) log(`MongoDB migration 7: ${filled} membership(s) given an id and a created time`);
      await reconcileIndexes(db, 7, "group_members", GROUP_MEMBER_INDEXES_V7, KNOWN(INDEXES_V1), log);
    },
  },
  {
    version: 8,
    name: "audit search by actor",
    // GET /v1/AuditEvents?Actor= filters by the user an event's actor acted for, or by the
    // credential that acted (src/domain/audit.ts actorParts): events written before get both
    // fields, BACKFILL_BATCH at a time, then the two indexes (./indexes.ts AUDIT_INDEXES_V8).
    up: async (db, log) => {
      await ensureCollection(db, "audit_events");
      const filled = await backfillAuditActors(db, BACKFILL_BATCH);
      if (filled > 0) log(`MongoDB migration 8: ${filled} audit event(s) given actorCredential and actorUser`);
      await reconcileIndexes(db, 8, "audit_events", AUDIT_INDEXES_V8, KNOWN(INDEXES_V1, { audit_events: AUDIT_INDEXES_V6 }), log);
    },
  },
  {
    version: 9,
    name: "SCIM events (RFC 9967) and the last use of tokens",
    // event_streams (an organization's receivers), security_events (one SET per stream until
    // acknowledged, numbered by the organization's "security_events" counter) and token_uses (when
    // and from where each token was last used), with their indexes (./indexes.ts EVENT_INDEXES_V9).
    // New collections: nothing to backfill.
    up: async (db, log) => {
      await reconcileAll(db, 9, EVENT_INDEXES_V9, KNOWN(EVENT_INDEXES_V9), log);
    },
  },
  {
    version: 10,
    name: "provisioning errors, bounded per organization",
    // provisioning_errors: SCIM requests refused for their content, numbered by the organization's
    // "provisioning_errors" counter, with the {orgId, seq} index the bound deletes by
    // (./indexes.ts PROVISIONING_ERROR_INDEXES_V10). A new collection: nothing to backfill.
    up: async (db, log) => {
      await reconcileAll(db, 10, PROVISIONING_ERROR_INDEXES_V10, KNOWN(PROVISIONING_ERROR_INDEXES_V10), log);
    },
  },
  {
    version: 11,
    name: "indexes a create writes, only where a query reads them",
    // As SQLite's migration 25 (issue 18): the users' role index holds the owners alone, and the
    // audit indexes no query reads go (./indexes.ts USER_INDEXES_V11, AUDIT_INDEXES_V11).
    up: async (db, log) => {
      await reconcileIndexes(db, 11, "users", USER_INDEXES_V11, KNOWN(INDEXES_V1), log);
      await reconcileIndexes(db, 11, "audit_events", AUDIT_INDEXES_V11, KNOWN(INDEXES_V1, { audit_events: AUDIT_INDEXES_V8 }), log);
    },
  },
  {
    version: 12,
    name: "a user without emails whose userName is an email address holds that address",
    // As SQLite's migration 29 (docs/security.md case 85): primaryEmailLower, what "managed
    // elsewhere" reads, held the emails' primary only; writes since keep the user's address
    // (src/domain/user-address.ts), and the users written before get it here, BACKFILL_BATCH at a time.
    up: async (db, log) => {
      const filled = await backfillUserNameAddresses(db, BACKFILL_BATCH);
      if (filled > 0) log(`MongoDB migration 12: ${filled} user(s) given their email userName as their address`);
    },
  },
];

/** looksLikeEmail (src/domain/user-checks.ts) when migration 12 was written, frozen. */
const EMAIL_SHAPED_12 = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Migration 12's data part: users without primaryEmailLower whose userName is an email address get
 * it, lower-cased as ./docs.ts keeps it; walked by _id, `batch` at a time (exported for its test).
 */
export async function backfillUserNameAddresses(db: MigrationDb, batch: number): Promise<number> {
  const users = db.collection("users");
  let filled = 0;
  let after = "";
  for (;;) {
    const rows = await users.find({ primaryEmailLower: null, _id: { $gt: after } }, { projection: { orgId: 1, userName: 1 } }).sort({ _id: 1 }).limit(batch).toArray();
    if (rows.length === 0) return filled;
    after = String(rows[rows.length - 1]!._id);
    const shaped = rows.filter((d) => typeof d.userName === "string" && EMAIL_SHAPED_12.test(d.userName));
    if (shaped.length === 0) continue;
    await users.bulkWrite(shaped.map((d) => ({
      updateOne: {
        filter: { _id: { $eq: String(d._id) }, orgId: { $eq: d.orgId }, primaryEmailLower: null },
        update: { $set: { primaryEmailLower: (d.userName as string).toLowerCase() } },
      },
    })), { ordered: false });
    filled += shaped.length;
  }
}

const BACKFILL_BATCH = 1000;

/** Migration 8's data part: audit events without actorCredential get both halves of their actor, `batch` at a time. */
export async function backfillAuditActors(db: MigrationDb, batch: number): Promise<number> {
  const events = db.collection("audit_events");
  let filled = 0;
  let previous = new Set<string>();
  for (;;) {
    const rows = await events.find({ actorCredential: { $exists: false } }, { projection: { orgId: 1, actor: 1 } }).limit(batch).toArray();
    if (rows.length === 0) return filled;
    // An event that comes back unchanged could not be filled in: stop rather than loop.
    const stuck = rows.map((d) => String(d._id)).filter((id) => previous.has(id));
    if (stuck.length > 0) throw new MigrationRefused(8, `audit events without an organization (${stuck.slice(0, 5).join(", ")}): give them their orgId, or delete them`);
    previous = new Set(rows.map((d) => String(d._id)));
    await events.bulkWrite(rows.map((d) => ({
      updateOne: {
        filter: { _id: { $eq: String(d._id) }, orgId: { $eq: d.orgId }, actorCredential: { $exists: false } },
        update: { $set: actorFields(typeof d.actor === "string" ? d.actor : "") },
      },
    })), { ordered: false });
    filled += rows.length;
  }
}

/**
 * Migration 7's data part: memberships without an id get one, `batch` at a time (exported for its
 * test, which uses small batches). Answers how many were filled.
 */
export async function backfillMembershipIds(db: MigrationDb, batch: number): Promise<number> {
  const members = db.collection("group_members");
  let filled = 0;
  let previous = new Set<string>();
  for (;;) {
    const rows = await members.find({ id: { $exists: false } }).limit(batch).toArray();
    if (rows.length === 0) break;
    // A membership that comes back unchanged could not be given an id: stop rather than loop.
    const stuck = rows.map((d) => String(d._id)).filter((id) => previous.has(id));
    if (stuck.length > 0) throw new MigrationRefused(7, `memberships without an organization (${stuck.slice(0, 5).join(", ")}): give them their group's orgId, or delete them`);
    previous = new Set(rows.map((d) => String(d._id)));
    for (const [orgId, docs] of byOrg(rows)) {
      const created = await createdTimes(db, orgId, docs);
      await members.bulkWrite(docs.map((d) => ({
        updateOne: { filter: { _id: { $eq: String(d._id) }, orgId: { $eq: orgId }, id: { $exists: false } }, update: { $set: { id: newId("GM"), created: created(d) } } },
      })), { ordered: false });
    }
    filled += rows.length;
  }
  return filled;
}

type Stored = Record<string, unknown>;

function byOrg(docs: Stored[]): Map<string, Stored[]> {
  const out = new Map<string, Stored[]>();
  for (const d of docs) {
    const org = String(d.orgId);
    const list = out.get(org);
    if (list) list.push(d);
    else out.set(org, [d]);
  }
  return out;
}

/** For memberships of one organization: the later of the group's and the user's created time. */
async function createdTimes(db: MigrationDb, orgId: string, docs: Stored[]): Promise<(d: Stored) => string> {
  const times = async (name: string, ids: unknown[]) => new Map(
    (await db.collection(name).find({ orgId: { $eq: orgId }, _id: { $in: [...new Set(ids.map(String))] } }, { projection: { created: 1 } }).toArray())
      .map((x) => [String(x._id), typeof x.created === "string" ? x.created : ""]),
  );
  const groups = await times("groups", docs.map((d) => d.groupId));
  const users = await times("users", docs.map((d) => d.userId));
  return (d) => {
    const g = groups.get(String(d.groupId)) ?? "";
    const u = users.get(String(d.userId)) ?? "";
    return (g > u ? g : u) || new Date().toISOString();
  };
}
