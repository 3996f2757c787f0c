/**
 * Multi-document transactions (replica sets only). Written out rather than using the driver's
 * `withTransaction`, for one reason: a duplicate key inside the body aborts the transaction on
 * the server, and `withTransaction` would retry the whole body on the NoSuchTransaction that
 * follows, for up to 120 s. Here (with ./ctx.ts) such a transaction is "doomed": it ends with the
 * body's error, and is never retried or committed.
 *
 * Transient errors (label TransientTransactionError: write conflicts, elections) retry the body
 * after a short random pause that grows with each attempt (at most RETRY_PAUSE_MAX_MS), for at
 * most RETRY_FOR_MS in all: inserts into one organization serialize on its sequence counter
 * (./sequences.ts), so a burst of them retries until its turn comes. A commit whose outcome is
 * unknown (UnknownTransactionCommitResult) is committed again. Snapshot reads, majority writes
 * with `wtimeoutMS`, `maxCommitTimeMS`, primary reads.
 */
import mongoose from "mongoose";
import { WRITE_CONCERN_MS } from "./connect";
import { translate } from "./errors";
import type { UniqueViolation } from "../../domain/ports/store";

export type Session = mongoose.mongo.ClientSession;

/** What a transaction's repositories share: a unique-key refusal that dooms the attempt (./ctx.ts). */
export interface TxState {
  doomed: UniqueViolation | null;
}

/** How long transient errors are retried before the last one is answered (default). */
export const RETRY_FOR_MS = 5_000;
const RETRY_PAUSE_MAX_MS = 50;
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
  options: { retryForMs?: number } = {},
): Promise<T> {
  const retryForMs = options.retryForMs ?? RETRY_FOR_MS;
  const session = client.startSession();
  const started = Date.now();
  try {
    for (let attempt = 1; ; attempt++) {
      const state: TxState = { doomed: null };
      session.startTransaction({
        readConcern: { level: "snapshot" },
        writeConcern: { w: "majority", j: true, wtimeoutMS: WRITE_CONCERN_MS },
        readPreference: "primary",
        maxCommitTimeMS: WRITE_CONCERN_MS,
      });
      let result: T;
      try {
        result = await body(session, state);
        if (state.doomed) throw state.doomed;
        await commit(session);
        return result;
      } catch (e) {
        if (session.inTransaction()) await session.abortTransaction().catch(() => undefined);
        if (!state.doomed && Date.now() - started < retryForMs && hasLabel(e, "TransientTransactionError")) {
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(RETRY_PAUSE_MAX_MS, 2 * attempt)));
          continue;
        }
        throw translate(e);
      }
    }
  } finally {
    await session.endSession().catch(() => undefined);
  }
}
