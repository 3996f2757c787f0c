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
import { READ_TIME_MS } from "./connect";
import { guard, translate } from "./errors";
import { checked, type CollectionName, type Models } from "./models";
import { nextSequence, type Sequenced } from "./sequences";
import { runTransaction, type Session, type SessionSource, type TxState } from "./transaction";

import type { Stored } from "./decode";

export type { Stored } from "./decode";
export type Coll = mongoose.mongo.Collection<Stored>;
export type { Session, TxState } from "./transaction";

export interface MongoCtx {
  models: Models;
  coll(name: CollectionName): Coll;
  /** Whether this context runs inside a transaction. */
  readonly inTransaction: boolean;
  /**
   * Runs one store call; `opts` carries the session when it belongs to the transaction, and on a
   * read outside one the server-side time limit (maxTimeMS, ./connect.ts READ_TIME_MS).
   */
  run<T>(kind: "read" | "write", fn: (opts: RunOpts) => Promise<T>): Promise<T>;
  /**
   * The next value of the organization's sequence for `name` (./sequences.ts): taken in the
   * transaction this context runs in, or with `detached` outside it.
   */
  nextSeq(name: Sequenced, orgId: string, options?: { detached?: boolean; by?: number }): Promise<number>;
  /** Validates `doc` against its collection's schema (./models.ts `checked`) and inserts it. */
  insert(name: CollectionName, doc: Record<string, unknown>): Promise<void>;
  /**
   * Runs `fn` in this context's transaction; outside one, in a transaction of its own when the
   * server has them (so a sequence number and the document that carries it commit together),
   * else directly.
   */
  atomic<T>(fn: (c: MongoCtx) => Promise<T>): Promise<T>;
}

export interface RunOpts {
  session?: Session;
  maxTimeMS?: number;
}

/** The part of a driver `Db` the repositories use. */
export interface DbLike {
  collection(name: string): Coll;
}

/** Shared by every context of one store: set once the store is closed. */
export interface Life {
  closed: boolean;
}

export interface CtxOptions {
  tx?: { session: Session; state: TxState };
  life?: Life;
  /** Where `atomic` takes a session outside a transaction; null or absent on a standalone server. */
  sessions?: SessionSource | null;
  /** How long transactions retry transient errors (./transaction.ts RETRY_FOR_MS by default). */
  retryForMs?: number;
}

export function makeCtx(db: DbLike, models: Models, options: CtxOptions = {}): MongoCtx {
  const { tx, life = { closed: false }, sessions = null, retryForMs } = options;
  const coll = (name: CollectionName): Coll => db.collection(name);
  const ctx: MongoCtx = {
    models,
    coll,
    inTransaction: tx !== undefined,
    async run(kind, fn) {
      if (life.closed) throw new StoreUnavailable(new Error("the store is closed"));
      const alone: RunOpts = kind === "read" ? { maxTimeMS: READ_TIME_MS } : {};
      if (!tx) return guard(() => fn(alone));
      if (tx.state.doomed) {
        if (kind === "write") throw tx.state.doomed;
        return guard(() => fn(alone));
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
    async insert(name, doc) {
      const stored = await checked(models[name], doc);
      await ctx.run("write", (o) => coll(name).insertOne(stored, o));
    },
    nextSeq: (name, orgId, o) => {
      const detached = o?.detached === true || !tx;
      return nextSequence({
        counters: coll("counters"),
        of: (n) => coll(n),
        session: detached ? undefined : tx?.session,
        run: detached ? (_kind, fn) => ctx.run("read", () => fn({})) : (kind, fn) => ctx.run(kind, fn),
      }, name, orgId, o?.by ?? 1);
    },
    async atomic(fn) {
      if (tx || sessions === null) return fn(ctx);
      if (life.closed) throw new StoreUnavailable(new Error("the store is closed"));
      return runTransaction(sessions, (session, state) => fn(makeCtx(db, models, { ...options, tx: { session, state } })), { retryForMs });
    },
  };
  return ctx;
}
