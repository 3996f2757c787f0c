/**
 * The MongoDB store's explicit limits, read off what it hands the driver: client options (server
 * selection, socket, majority write concern with wtimeoutMS), transaction options (snapshot,
 * majority with wtimeoutMS, maxCommitTimeMS), maxTimeMS on reads outside transactions, and the
 * errors those limits raise answered as StoreUnavailable (503), not 500.
 */
import mongoose from "mongoose";
import { StoreUnavailable } from "../../src/domain/ports/store";
import { clientOptions, READ_TIME_MS, SERVER_SELECTION_MS, SOCKET_TIMEOUT_MS, WRITE_CONCERN_MS } from "../../src/store/mongo/connect";
import { makeCtx, type DbLike, type Session } from "../../src/store/mongo/ctx";
import { translate } from "../../src/store/mongo/errors";
import { defineModels } from "../../src/store/mongo/models";
import { reposOf } from "../../src/store/mongo/repos";
import { runTransaction, type SessionSource } from "../../src/store/mongo/transaction";

describe("MongoDB limits", () => {
  it("bounds server selection and sockets unless the URL says otherwise, and writes with majority and wtimeoutMS", () => {
    expect(clientOptions("mongodb://h/db")).toEqual({
      serverSelectionTimeoutMS: SERVER_SELECTION_MS, socketTimeoutMS: SOCKET_TIMEOUT_MS, writeConcern: { w: "majority", j: true, wtimeoutMS: WRITE_CONCERN_MS },
    });
    expect(clientOptions("mongodb://h/db?replicaSet=rs0&serverSelectionTimeoutMS=900&socketTimeoutMS=5")).toEqual({
      writeConcern: { w: "majority", j: true, wtimeoutMS: WRITE_CONCERN_MS },
    });
    expect(clientOptions("mongodb://h/db", { serverSelectionTimeoutMS: 700 }).serverSelectionTimeoutMS).toBe(700);
  });

  it("starts every transaction with snapshot reads, majority writes with wtimeoutMS, and maxCommitTimeMS", async () => {
    const started: unknown[] = [];
    const session = {
      startTransaction: (o: unknown) => void started.push(o),
      commitTransaction: async () => undefined,
      abortTransaction: async () => undefined,
      inTransaction: () => false,
      endSession: async () => undefined,
    };
    await runTransaction({ startSession: () => session } as unknown as SessionSource, async () => 1);
    expect(started).toEqual([{
      readConcern: { level: "snapshot" }, writeConcern: { w: "majority", j: true, wtimeoutMS: WRITE_CONCERN_MS }, readPreference: "primary", maxCommitTimeMS: WRITE_CONCERN_MS,
    }]);
  });

  it("puts maxTimeMS on reads outside a transaction, and leaves a transaction's reads to the transaction", async () => {
    const seen: { op: string; opts: Record<string, unknown> }[] = [];
    const cursor = { sort: () => cursor, skip: () => cursor, limit: () => cursor, toArray: async () => [] };
    const coll = new Proxy({}, {
      get: (_t, op: string) => (...args: unknown[]) => {
        const opts = (args.find((a, i) => i > 0 && a && typeof a === "object" && !Array.isArray(a)) ?? {}) as Record<string, unknown>;
        seen.push({ op, opts });
        return op === "find" ? cursor : Promise.resolve(op === "countDocuments" ? 0 : null);
      },
    });
    const db = { collection: () => coll } as unknown as DbLike;
    const models = defineModels(mongoose.createConnection());
    await reposOf(makeCtx(db, models)).users.findByUserName("OR1", "a");
    await reposOf(makeCtx(db, models)).users.countByRole("OR1", "owner");
    expect(seen.map((s) => s.opts.maxTimeMS)).toEqual([READ_TIME_MS, READ_TIME_MS]);
    seen.length = 0;
    const session = {} as Session;
    await reposOf(makeCtx(db, models, { tx: { session, state: { doomed: null } } })).users.findByUserName("OR1", "a");
    expect(seen.map((s) => s.opts)).toEqual([{ session }]);
  });

  it("answers the errors of those limits as StoreUnavailable: MaxTimeMSExpired, WriteConcernFailed (also as a write concern error), ExceededTimeLimit", () => {
    for (const code of [50, 64, 262]) expect(translate(new mongoose.mongo.MongoServerError({ message: "x", code }))).toBeInstanceOf(StoreUnavailable);
    const wce = new mongoose.mongo.MongoServerError({ message: "waiting for replication timed out", code: 0, writeConcernError: { code: 64, errmsg: "waiting for replication timed out" } });
    expect(translate(wce)).toBeInstanceOf(StoreUnavailable);
    const other = new mongoose.mongo.MongoServerError({ message: "bad", code: 2 });
    expect(translate(other)).toBe(other);
  });
});
