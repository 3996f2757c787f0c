/**
 * The MongoDB store (src/store/mongo/store.ts `assembleMongoStore`: the real repositories and the
 * real transaction code) over the mingo double of the driver (./mingo-db.ts), as a replica set
 * (`transactional`, the default) or a standalone server. NOT MongoDB: see ./mingo-db.ts.
 */
import mongoose from "mongoose";
import type { DbLike } from "../../src/store/mongo/ctx";
import { defineModels } from "../../src/store/mongo/models";
import { assembleMongoStore, type MongoStore } from "../../src/store/mongo/store";
import type { SessionSource } from "../../src/store/mongo/transaction";
import { MingoDb } from "./mingo-db";

const models = defineModels(mongoose.createConnection());

export type MingoStore = MongoStore & { db: MingoDb };

export function mingoStore(options: { db?: MingoDb; transactional?: boolean } = {}): MingoStore {
  const db = options.db ?? new MingoDb();
  const store = assembleMongoStore({
    db: db as unknown as DbLike,
    models,
    sessions: options.transactional === false ? null : (db as unknown as SessionSource),
    ping: async () => undefined,
    close: async () => undefined,
    dropDatabase: async () => undefined,
    // The double runs every operation orders of magnitude slower than a mongod (mingo, a yield per
    // call, a shared loaded machine): bursts of conflicting transactions get longer to take turns.
    retryForMs: 60_000,
  });
  return Object.assign(store, { db });
}
