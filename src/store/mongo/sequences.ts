/**
 * Insertion order on MongoDB: a counter per organization and collection, `counters` documents
 * `{_id: "<collection>:<orgId>", orgId, name, seq}`, incremented with `$inc`.
 *
 * Taken inside the transaction that inserts the document, the counter is a document that
 * transaction writes: a second transaction inserting into the same organization conflicts on it
 * and retries after the first commits. So within an organization, `seq` follows commit order, and a
 * cursor (keyset on `seq`) can never pass a number whose document commits later. Inserts of users,
 * groups and accounts (and every change of an organization that has SCIM event streams: its SETs
 * take numbers from "security_events:<orgId>", ./events.ts) therefore serialize per organization,
 * as every write does on SQLite; other
 * organizations are not touched. Audit events take their number outside the transaction
 * (`detached`): every write appends one, and serializing all of an organization's writes for the
 * order of its log is not worth it; the log's order may then differ from commit order by the
 * length of a transaction (docs/stores.md).
 *
 * A counter is created on first use (and by the migration that introduced them, from the largest
 * `seq` already stored): created outside the transaction, starting at the organization's largest
 * `seq`; a transaction that found it missing is then retried, since its snapshot cannot see it.
 */
import mongoose from "mongoose";
import { isDuplicateKey } from "./errors";

type ClientSession = mongoose.mongo.ClientSession;

/** The collections whose documents carry an insertion order (`seq`). */
export type Sequenced = "users" | "groups" | "audit_events" | "accounts" | "security_events" | "provisioning_errors";

type Coll = mongoose.mongo.Collection<{ _id: string; [key: string]: unknown }>;

export interface SequenceCtx {
  counters: Coll;
  of(name: Sequenced): Coll;
  /** The session of the transaction the counter is taken in, if any. */
  session: ClientSession | undefined;
  run<T>(kind: "write", fn: (opts: { session?: ClientSession }) => Promise<T>): Promise<T>;
}

export const counterId = (name: Sequenced, orgId: string): string => `${name}:${orgId}`;

/** A transient error: the transaction is retried from the start, with a snapshot that sees the new counter. */
function counterCreated(): Error {
  const e = new mongoose.mongo.MongoError("the organization's sequence counter was just created; retrying the transaction");
  e.addErrorLabel("TransientTransactionError");
  return e;
}

/** Takes the next `by` numbers (default 1); answers the last of them. */
export async function nextSequence(c: SequenceCtx, name: Sequenced, orgId: string, by = 1): Promise<number> {
  const filter = { _id: { $eq: counterId(name, orgId) }, orgId: { $eq: orgId } };
  const inc: Record<string, unknown> = { $inc: { seq: by } };
  for (;;) {
    const doc = await c.run("write", (o) =>
      c.counters.findOneAndUpdate(filter, inc, { ...o, returnDocument: "after", projection: { seq: 1 } }));
    if (doc && typeof doc.seq === "number") return doc.seq;
    await ensureCounter(c, name, orgId);
    if (c.session) throw counterCreated();
  }
}

/** Creates the counter (outside any transaction) at the organization's largest `seq` so far; idempotent. */
export async function ensureCounter(c: Pick<SequenceCtx, "counters" | "of">, name: Sequenced, orgId: string): Promise<void> {
  const [last] = await c.of(name).find({ orgId: { $eq: orgId } }, { projection: { seq: 1 } }).sort({ seq: -1 }).limit(1).toArray();
  const floor = typeof last?.seq === "number" ? last.seq : 0;
  try {
    const init: Record<string, unknown> = { $setOnInsert: { orgId, name }, $max: { seq: floor } };
    await c.counters.updateOne({ _id: { $eq: counterId(name, orgId) }, orgId: { $eq: orgId } }, init, { upsert: true });
  } catch (e) {
    if (!isDuplicateKey(e)) throw e; // created meanwhile by another caller
  }
}
