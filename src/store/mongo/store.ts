/**
 * The MongoDB store: `createMongoStore(url)` connects (./connect.ts), creates collections and
 * indexes (./models.ts) and answers the storage port (src/domain/ports/store.ts).
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
import { StoreUnavailable, type Store } from "../../domain/ports/store";
import { connectMongo, type ConnectOptions } from "./connect";
import { makeCtx, type DbLike, type Life, type Stored } from "./ctx";
import { guard } from "./errors";
import { defineModels, ensureIndexes } from "./models";
import { reposOf } from "./repos";
import { runTransaction } from "./transaction";

export type MongoStoreOptions = ConnectOptions;

export interface MongoStore extends Store {
  /** Whether transactions are real (the server is a replica set member). */
  readonly transactional: boolean;
  /** The connection the HTTP rate limiter keeps its counters on. */
  readonly rateLimitBackend: { kind: "mongo"; client: unknown; dbName: string };
  /** Drops the whole database: for tests. */
  dropDatabase(): Promise<void>;
}

export async function createMongoStore(url: string, options: MongoStoreOptions = {}): Promise<MongoStore> {
  const { conn, replicaSet } = await connectMongo(url, options);
  try {
    const models = defineModels(conn);
    await guard(() => ensureIndexes(models));
    const db = conn.db;
    if (!db) throw new Error("connection has no database");
    const collections: DbLike = { collection: (name) => db.collection<Stored>(name) };
    const life: Life = { closed: false };
    const repos = reposOf(makeCtx(collections, models, undefined, life));

    return {
      kind: "mongo",
      transactional: replicaSet !== null,
      // Rate-limit counters shared by every instance on this database (src/http/rate-limit.ts).
      rateLimitBackend: { kind: "mongo" as const, client: conn.getClient(), dbName: db.databaseName },
      ...repos,
      transaction: async (fn) => {
        if (life.closed) throw new StoreUnavailable(new Error("the store is closed"));
        if (replicaSet === null) return fn(repos);
        return runTransaction(conn.getClient(), (session, state) => fn(reposOf(makeCtx(collections, models, { session, state }, life))));
      },
      ping: () => guard(async () => {
        if (life.closed) throw new StoreUnavailable(new Error("the store is closed"));
        await db.admin().command({ ping: 1 });
      }),
      close: async () => {
        if (life.closed) return;
        life.closed = true;
        await conn.close();
      },
      dropDatabase: () => guard(async () => {
        if (life.closed) throw new StoreUnavailable(new Error("the store is closed"));
        await db.dropDatabase();
      }),
    };
  } catch (e) {
    await conn.close().catch(() => undefined);
    throw e;
  }
}
