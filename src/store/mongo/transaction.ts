/**
 * Multi-document transactions (replica sets only). Written out rather than using the driver's
 * `withTransaction`, for one reason: a duplicate key inside the body aborts the transaction on
 * the server, and `withTransaction` would retry the whole body on the NoSuchTransaction that
 * follows, for up to 120 s. Here (with ./ctx.ts) such a transaction is "doomed": it ends with the
 * body's error, and is never retried or committed.
 *
 * Transient errors (label TransientTransactionError: write conflicts, elections) retry the body,
 * at most MAX_ATTEMPTS times, after a short random pause that grows with each attempt; a commit whose outcome is unknown (UnknownTransactionCommitResult)
 * is committed again. Snapshot reads, majority writes, primary reads.
 */
import mongoose from "mongoose";
import { translate } from "./errors";
import type { Session, TxState } from "./ctx";

const MAX_ATTEMPTS = 20;
const COMMIT_ATTEMPTS = 3;

const hasLabel = (e: unknown, label: string): boolean =>
  e instanceof mongoose.mongo.MongoError && e.hasErrorLabel(label);

async function commit(session: Session): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await session.commitTransaction();
      return;
    } catch (e) {
      if (attempt < COMMIT_ATTEMPTS && hasLabel(e, "UnknownTransactionCommitResult")) continue;
      throw e;
    }
  }
}

/** Where sessions come from: the driver's MongoClient (or a test double of it). */
export interface SessionSource {
  startSession(): Session;
}

export async function runTransaction<T>(
  client: SessionSource,
  body: (session: Session, state: TxState) => Promise<T>,
): Promise<T> {
  const session = client.startSession();
  try {
    for (let attempt = 1; ; attempt++) {
      const state: TxState = { doomed: null };
      session.startTransaction({
        readConcern: { level: "snapshot" },
        writeConcern: { w: "majority" },
        readPreference: "primary",
      });
      let result: T;
      try {
        result = await body(session, state);
        if (state.doomed) throw state.doomed;
        await commit(session);
        return result;
      } catch (e) {
        if (session.inTransaction()) await session.abortTransaction().catch(() => undefined);
        if (!state.doomed && attempt < MAX_ATTEMPTS && hasLabel(e, "TransientTransactionError")) {
          await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
          continue;
        }
        throw translate(e);
      }
    }
  } finally {
    await session.endSession().catch(() => undefined);
  }
}
