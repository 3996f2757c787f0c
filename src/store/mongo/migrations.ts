/**
 * Versioned migrations of the MongoDB store, as the SQLite store has them: numbered steps
 * (./migration-steps.ts), each run once, in order, and recorded in the `migrations` collection
 * (`{_id: <version>, name, appliedAt}`). They run at start-up, under a lock so that of several
 * instances starting at once one migrates and the others wait for it:
 *
 * - the lock is the document `{_id: "lock", owner, until}` in `migrations`, taken by an upsert that
 *   matches only an expired lock (or the owner's own), so a second taker meets the duplicate key;
 * - the holder renews it while it works; an instance that died leaves it to expire after LEASE_MS;
 * - a waiter gives up after `waitMs` with a message naming the holder;
 * - a start that finds every step recorded takes no lock at all.
 *
 * A database that records a migration this release does not know (written by a newer orgscim) is
 * refused at start, unchanged (NewerDatabaseError), as the SQLite store refuses a newer file.
 *
 * A step that cannot run on the data (new unique index over duplicates) throws MigrationRefused,
 * whose message says what to fix; nothing of that step is recorded, so the next start tries again.
 */
import { hostname } from "node:os";
import type { mongo } from "mongoose";
import type { Stored } from "./decode";
import { isDuplicateKey, propOf } from "./errors";
import { indexName, type IndexSpec } from "./indexes";

/**
 * The database calls migrations make: the driver's Db, or a test double of it. A collection is
 * typed by what its documents are: the store's collections hold `Stored` documents (string ids),
 * `migrations` holds MigrationRecord (numbered steps and the lock).
 */
export interface MigrationDb {
  collection<T extends mongo.Document = Stored>(name: string): mongo.Collection<T>;
  createCollection(name: string): Promise<unknown>;
}

/**
 * A document of `migrations`: a step applied (`_id` its version, with name and appliedAt) or the
 * lock (`_id: "lock"`, with owner and until). One shape with optional halves, not a union: the
 * driver's WithId<> does not distribute over a union.
 */
export interface MigrationRecord {
  _id: number | typeof LOCK;
  name?: string;
  appliedAt?: string;
  owner?: string;
  until?: number;
}

export interface MigrationStep {
  version: number;
  name: string;
  up(db: MigrationDb, log: (message: string) => void): Promise<void>;
}

export class MigrationRefused extends Error {
  constructor(readonly version: number, reason: string) {
    super(`MongoDB migration ${version} cannot run: ${reason}`);
    this.name = "MigrationRefused";
  }
}

/**
 * The database records migrations this orgscim does not know: a newer orgscim wrote it. Old code
 * would write documents without what the newer steps keep (fields, indexes, counters), so the
 * database is refused before anything in it changes.
 */
export class NewerDatabaseError extends Error {
  constructor(readonly unknown: number[], readonly knownVersion: number) {
    super(
      `This MongoDB database was written by a newer orgscim: it has migration(s) ${unknown.join(", ")}, and this orgscim ` +
      `knows migrations up to ${knownVersion}. Downgrading is not supported. Run the newer orgscim again, or restore a ` +
      "backup taken before the upgrade (README: Upgrades). The database was not changed.",
    );
    this.name = "NewerDatabaseError";
  }
}

/** Refuses a database holding a migration none of `steps` is (see NewerDatabaseError). */
function refuseNewer(done: Set<number>, steps: readonly MigrationStep[]): void {
  const known = new Set(steps.map((s) => s.version));
  const unknown = [...done].filter((v) => !known.has(v)).sort((a, b) => a - b);
  if (unknown.length > 0) throw new NewerDatabaseError(unknown, Math.max(0, ...known));
}

export interface MigrateOptions {
  /** Who holds the lock, for the message another instance shows while it waits. */
  owner?: string;
  /** How long to wait for another instance's migration. Default 10 minutes. */
  waitMs?: number;
  /** Where progress goes (an index build on a large collection takes a while). */
  log?: (message: string) => void;

  /** For tests: time and sleeping. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const LOCK = "lock";
export const LEASE_MS = 60_000;
const RENEW_MS = 20_000;
const POLL_MS = 500;

const isDuplicate = isDuplicateKey;
const isNamespaceExists = (e: unknown): boolean => propOf(e, "code") === 48;

async function appliedVersions(db: MigrationDb): Promise<Set<number>> {
  const docs = await db.collection<MigrationRecord>("migrations").find({ _id: { $ne: LOCK } }, { projection: { _id: 1 } }).toArray();
  return new Set(docs.flatMap((d) => (typeof d._id === "number" ? [d._id] : [])));
}

/** Applies the steps the database has not recorded yet; answers the versions applied now. */
export async function migrateMongo(db: MigrationDb, steps: readonly MigrationStep[], options: MigrateOptions = {}): Promise<number[]> {
  const log = options.log ?? (() => undefined);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const owner = options.owner ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const waitMs = options.waitMs ?? 600_000;
  // Read before anything is written: a newer database is refused unchanged.
  const recorded = await appliedVersions(db);
  refuseNewer(recorded, steps);
  await ensureCollection(db, "migrations");
  const pending = (done: Set<number>) => [...steps].sort((a, b) => a.version - b.version).filter((s) => !done.has(s.version));
  if (pending(recorded).length === 0) return [];

  const migrations = db.collection<MigrationRecord>("migrations");
  const take = async (): Promise<boolean> => {
    try {
      await migrations.updateOne(
        { _id: { $eq: LOCK }, $or: [{ until: { $lt: now() } }, { owner: { $eq: owner } }] },
        { $set: { owner, until: now() + LEASE_MS } },
        { upsert: true },
      );
      return true;
    } catch (e) {
      if (isDuplicate(e)) return false;
      throw e;
    }
  };
  const started = now();
  while (!(await take())) {
    if (now() - started > waitMs) {
      const lock = await migrations.findOne({ _id: { $eq: LOCK } });
      throw new Error(`MongoDB migrations are held by ${lock?.owner ?? "another instance"} (lock until ${new Date(lock?.until ?? 0).toISOString()}); `
        + "waited too long. If that instance died, start again once the lock has expired.");
    }
    await sleep(POLL_MS);
  }
  const renew = setInterval(() => void take().catch(() => undefined), RENEW_MS);
  renew.unref();
  const applied: number[] = [];
  try {
    // Again under the lock: a newer instance may have migrated while this one waited.
    const done = await appliedVersions(db);
    refuseNewer(done, steps);
    for (const step of pending(done)) {
      log(`MongoDB migration ${step.version}: ${step.name}`);
      await step.up(db, log);
      await migrations.insertOne({ _id: step.version, name: step.name, appliedAt: new Date(now()).toISOString() });
      applied.push(step.version);
    }
  } finally {
    clearInterval(renew);
    await migrations.deleteOne({ _id: { $eq: LOCK }, owner: { $eq: owner } }).catch(() => undefined);
  }
  return applied;
}

/** Creates a collection unless it exists (transactions cannot create collections on every server version). */
export async function ensureCollection(db: MigrationDb, name: string): Promise<void> {
  await db.createCollection(name).catch((e: unknown) => {
    if (!isNamespaceExists(e)) throw e;
  });
}

const sameOptions = (have: mongo.IndexDescriptionInfo, want: IndexSpec): boolean =>
  JSON.stringify(have.key) === JSON.stringify(want.key)
  && (have.unique === true) === (want.unique === true)
  && JSON.stringify(have.partialFilterExpression ?? null) === JSON.stringify(want.partialFilterExpression ?? null)
  && (have.expireAfterSeconds ?? null) === (want.expireAfterSeconds ?? null);

/**
 * Brings a collection's indexes to `want`: creates the missing ones, re-creates those whose key or
 * options changed, drops those orgscim created once (`known`, by name) and no longer wants.
 * Indexes orgscim never created (an operator's own) are left alone. Before a unique index is
 * created, the documents it would refuse are looked for: found, the step is refused.
 */
export async function reconcileIndexes(
  db: MigrationDb, version: number, collection: string, want: readonly IndexSpec[], known: ReadonlySet<string>, log: (m: string) => void,
): Promise<void> {
  await ensureCollection(db, collection);
  const coll = db.collection(collection);
  const have = (await coll.indexes()).filter((i) => i.name !== "_id_");
  const wanted = new Map(want.map((w) => [indexName(w.key), w]));
  for (const h of have) {
    const name = String(h.name);
    const w = wanted.get(name);
    if ((w && !sameOptions(h, w)) || (!w && known.has(name))) {
      log(`MongoDB migration ${version}: dropping index ${collection}.${name}${w ? " (its options changed)" : ""}`);
      await coll.dropIndex(name);
    }
  }
  const kept = new Set(have.filter((h) => { const w = wanted.get(String(h.name)); return w && sameOptions(h, w); }).map((h) => String(h.name)));
  for (const [name, w] of wanted) {
    if (kept.has(name)) continue;
    if (w.unique) await refuseDuplicates(db, version, collection, w);
    log(`MongoDB migration ${version}: creating index ${collection}.${name}`);
    await coll.createIndex(w.key, {
      name, ...(w.unique ? { unique: true } : {}),
      ...(w.partialFilterExpression ? { partialFilterExpression: w.partialFilterExpression } : {}),
      ...(w.expireAfterSeconds !== undefined ? { expireAfterSeconds: w.expireAfterSeconds } : {}),
    });
  }
}

/** Refuses the step when documents share the key of a unique index about to be created. */
async function refuseDuplicates(db: MigrationDb, version: number, collection: string, w: IndexSpec): Promise<void> {
  const fields = Object.keys(w.key);
  const group: Record<string, string> = Object.fromEntries(fields.map((f, i) => [`k${i}`, `$${f}`]));
  const clashes = await db.collection(collection).aggregate([
    { $match: w.partialFilterExpression ?? {} },
    { $group: { _id: group, n: { $sum: 1 }, ids: { $push: "$_id" } } },
    { $match: { n: { $gt: 1 } } },
    { $limit: 5 },
  ], { allowDiskUse: true }).toArray();
  if (clashes.length === 0) return;
  const list = clashes.map((c) => {
    const ids = propOf(c, "ids");
    return `${JSON.stringify(Object.values(propOf(c, "_id") ?? {}))}: ${(Array.isArray(ids) ? ids : []).slice(0, 5).join(", ")}`;
  }).join("; ");
  throw new MigrationRefused(version, `a unique index on ${collection} (${fields.join(", ")}) cannot be created: these documents share a key: ${list}. `
    + "Resolve them (rename or delete all but one of each, with the previous release) and start again.");
}
