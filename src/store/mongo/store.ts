/**
 * The MongoDB store: `createMongoStore(url)` connects (./connect.ts), runs the versioned
 * migrations (./migrations.ts: collections, indexes, data) and answers the storage port (src/domain/ports/store.ts) through
 * `assembleMongoStore`, which tests also run over a driver double.
 *
 * Transactions: on a replica set, `transaction(fn)` runs fn in a session transaction
 * (./transaction.ts): all of its writes or none. On a standalone server there are no
 * multi-document transactions: fn runs directly, each write atomic on its own, and a body that
 * throws half-way leaves its earlier writes in place (documented in the README).
 *
 * Uniqueness is enforced by unique indexes (userNameLower and displayNameLower per organization,
 * claimed domain names, token hashes, ids) and reported as UniqueViolation; an unreachable server
 * is StoreUnavailable.
 */
import mongoose from "mongoose";
import { StoreUnavailable, type SharedCounters, type Store } from "../../domain/ports/store";
import { mongoCounters } from "./counters";
import { connectMongo, type ConnectOptions } from "./connect";
import { makeCtx, type DbLike, type Life, type Stored } from "./ctx";
import { guard, isDuplicateKey } from "./errors";
import { secretOf } from "./decode";
import { MIGRATION_STEPS } from "./migration-steps";
import { migrateMongo } from "./migrations";
import { defineModels, type Models } from "./models";
import { reposOf } from "./repos";
import { runTransaction, type SessionSource } from "./transaction";

export interface MongoStoreOptions extends ConnectOptions {
  /** Where start-up progress goes (migrations). */
  log?: (message: string) => void;
}

export interface MongoStore extends Store {
  /** Whether transactions are real (the server is a replica set member). */
  readonly transactional: boolean;
  /** Request-budget counters shared by every instance (`rate_limits`, ./counters.ts). */
  readonly counters: SharedCounters;
  /** Drops the whole database: for tests. */
  dropDatabase(): Promise<void>;
}

/** What a MongoDB store is made of, once connected. */
export interface MongoParts {
  db: DbLike;
  models: Models;
  /** Sessions for transactions; null on a standalone server (no multi-document transactions). */
  sessions: SessionSource | null;
  /** Answers when the store can serve writes now (a probe write is acknowledged); throws otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
  dropDatabase(): Promise<void>;
  /** How long a transaction retries transient errors; default ./transaction.ts RETRY_FOR_MS. */
  retryForMs?: number;
}

export function assembleMongoStore(parts: MongoParts): MongoStore {
  const life: Life = { closed: false };
  const base = { life, sessions: parts.sessions, ...(parts.retryForMs === undefined ? {} : { retryForMs: parts.retryForMs }) };
  const repos = reposOf(makeCtx(parts.db, parts.models, base));
  const open = () => {
    if (life.closed) throw new StoreUnavailable(new Error("the store is closed"));
  };
  const sessions = parts.sessions;
  return {
    kind: "mongo",
    transactional: sessions !== null,
    // Request budgets shared by every instance on this database (src/http/rate-limit.ts).
    counters: mongoCounters(() => parts.db.collection("rate_limits")),
    ...repos,
    transaction: async (fn) => {
      open();
      if (sessions === null) return fn(repos);
      return runTransaction(sessions, (session, state) => fn(reposOf(makeCtx(parts.db, parts.models, { ...base, tx: { session, state } }))), base);
    },
    // Server secrets (src/domain/page-tokens.ts) in `server_secrets`, one document per name: the first value stored wins.
    secret: (name, make) => guard(async () => {
      open();
      const secrets = parts.db.collection("server_secrets");
      try {
        await secrets.updateOne({ _id: { $eq: name } }, { $setOnInsert: { value: make() } }, { upsert: true });
      } catch (e) {
        if (!isDuplicateKey(e)) throw e; // a racing upsert stored it first
      }
      return secretOf(await secrets.findOne({ _id: { $eq: name } }));
    }),
    ping: () => guard(async () => {
      open();
      await parts.ping();
    }),
    close: async () => {
      if (life.closed) return;
      life.closed = true;
      await parts.close();
    },
    dropDatabase: () => guard(async () => {
      open();
      await parts.dropDatabase();
    }),
  };
}

/** How long /readyz waits for the probe write before answering not ready. */
export const PING_TIMEOUT_MS = 1_000;
/** At most one probe write this often, shared by concurrent /readyz probes (a probe flood is not a write flood). */
const PROBE_EVERY_MS = 1_000;

/**
 * Readiness means "can serve writes": a probe write to `server_secrets` (`_id: "readiness-probe"`)
 * acknowledged with the store's write concern (majority, journaled: ./connect.ts) within
 * PING_TIMEOUT_MS. A ping only proves some member answers; a primary that cannot reach a majority,
 * a member that is no longer writable, or a full disk answer a ping and refuse writes.
 */
function writeProbe(collection: () => mongoose.mongo.Collection<Stored>): () => Promise<void> {
  let probe: { at: number; result: Promise<void> } | null = null;
  return () => {
    const now = Date.now();
    if (!probe || now - probe.at >= PROBE_EVERY_MS) {
      const write = collection().updateOne({ _id: { $eq: "readiness-probe" } }, { $set: { value: new Date(now).toISOString() } }, { upsert: true });
      probe = { at: now, result: withTimeout(write.then(() => undefined), PING_TIMEOUT_MS, "the MongoDB primary did not acknowledge a probe write (w: majority, j: true)") };
    }
    return probe.result;
  };
}

/**
 * The store over a driver client that is connected, or will connect on its first call (the driver
 * connects lazily): no migrations, no probe. `createMongoStore` is the way to open one.
 */
export function mongoStoreOn(client: mongoose.mongo.MongoClient, dbName: string, options: { transactional: boolean; close: () => Promise<void> }): MongoStore {
  const db = client.db(dbName);
  return assembleMongoStore({
    db: { collection: (name) => db.collection<Stored>(name) },
    models: defineModels(mongoose.createConnection()),
    sessions: options.transactional ? client : null,
    ping: writeProbe(() => db.collection<Stored>("server_secrets")),
    close: options.close,
    dropDatabase: async () => void (await db.dropDatabase()),
  });
}

/** `p`, or StoreUnavailable once `ms` have passed. */
function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new StoreUnavailable(new Error(`${what} within ${ms} ms`))), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export async function createMongoStore(url: string, options: MongoStoreOptions = {}): Promise<MongoStore> {
  const { conn, replicaSet } = await connectMongo(url, options);
  try {
    const db = conn.db;
    if (!db) throw new Error("connection has no database");
    await guard(() => migrateMongo(db, MIGRATION_STEPS, { log: options.log }));
    return mongoStoreOn(conn.getClient(), db.databaseName, { transactional: replicaSet !== null, close: () => conn.close() });
  } catch (e) {
    await conn.close().catch(() => undefined);
    throw e;
  }
}
