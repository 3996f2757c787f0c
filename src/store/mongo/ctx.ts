/**
 * What every repository of the MongoDB store works with: the driver collections, the models (for
 * validation), the session of the transaction it runs in (if any), and `run`, which executes one
 * store call with the right session and error translation.
 *
 * Inside a transaction a duplicate key aborts the transaction on the server. `run` then marks it
 * doomed: later reads of the same body read committed data outside it (so a body can confirm the
 * competing row before answering 409, as src/domain/users.ts does), later writes throw the same
 * UniqueViolation, and ./transaction.ts ends the transaction with that error, never retrying it.
 * Other errors inside a transaction keep their driver labels, so it can retry transient ones.
 */
import mongoose from "mongoose";
import { StoreUnavailable, UniqueViolation } from "../../domain/ports/store";
import { guard, translate } from "./errors";
import type { CollectionName, Models } from "./models";

/** A stored document as the driver sees it: string `_id`s, any other field. */
export type Stored = { _id: string; [key: string]: unknown };
export type Coll = mongoose.mongo.Collection<Stored>;
export type Session = mongoose.mongo.ClientSession;

export interface TxState {
  doomed: UniqueViolation | null;
}

export interface MongoCtx {
  models: Models;
  coll(name: CollectionName): Coll;
  /** Runs one store call; `opts` carries the session when it belongs to the transaction. */
  run<T>(kind: "read" | "write", fn: (opts: { session?: Session }) => Promise<T>): Promise<T>;
  /** The next value of a monotonic sequence (insertion order); never part of a transaction. */
  nextSeq(name: "users" | "groups" | "audit_events" | "accounts"): Promise<number>;
}

const INC_SEQ: Record<string, unknown> = { $inc: { seq: 1 } };

/** The part of a driver `Db` the repositories use. */
export interface DbLike {
  collection(name: string): Coll;
}

/** Shared by every context of one store: set once the store is closed. */
export interface Life {
  closed: boolean;
}

export function makeCtx(db: DbLike, models: Models, tx?: { session: Session; state: TxState }, life: Life = { closed: false }): MongoCtx {
  const coll = (name: CollectionName): Coll => db.collection(name);
  return {
    models,
    coll,
    async run(kind, fn) {
      if (life.closed) throw new StoreUnavailable(new Error("the store is closed"));
      if (!tx) return guard(() => fn({}));
      if (tx.state.doomed) {
        if (kind === "write") throw tx.state.doomed;
        return guard(() => fn({}));
      }
      try {
        return await fn({ session: tx.session });
      } catch (e) {
        const t = translate(e);
        if (t instanceof UniqueViolation) {
          tx.state.doomed = t;
          throw t;
        }
        throw e;
      }
    },
    nextSeq: (name) =>
      guard(async () => {
        const doc = await coll("counters").findOneAndUpdate(
          { _id: { $eq: name } }, INC_SEQ, { upsert: true, returnDocument: "after" },
        );
        return (doc?.seq as number | undefined) ?? 1;
      }),
  };
}
