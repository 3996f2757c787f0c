/**
 * Translates MongoDB driver errors into the port's errors:
 * - duplicate key (code 11000) -> UniqueViolation naming the field, read from the violated index's
 *   key pattern (`keyPattern`) or, failing that, from the index name in the message;
 * - network, server-selection, closed-client and "not primary / shutting down" errors ->
 *   StoreUnavailable.
 * Everything else passes through unchanged.
 */
import mongoose from "mongoose";
import { StoreUnavailable, UniqueViolation } from "../../domain/ports/store";

/** Which field a unique index protects, by the indexed key that names it. */
const FIELD_BY_KEY: Record<string, UniqueViolation["field"]> = {
  userNameLower: "userName",
  displayNameLower: "displayName",
  claimedName: "name",
  orgName: "name",
  tokenHash: "id",
  _id: "id",
};

/**
 * Server error codes that mean "this server cannot answer now": not primary, shutting down,
 * network, and our own time limits running out (50 MaxTimeMSExpired, 64 WriteConcernFailed: the
 * write was not acknowledged by a majority within wtimeoutMS, 262 ExceededTimeLimit).
 */
const UNAVAILABLE_CODES = new Set([6, 7, 50, 64, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

const UNAVAILABLE_NAMES = new Set([
  "MongoNetworkError", "MongoNetworkTimeoutError", "MongoServerSelectionError", "MongooseServerSelectionError",
  "MongoNotConnectedError", "MongoTopologyClosedError", "MongoServerClosedError", "MongoPoolClosedError",
  "MongoExpiredSessionError", "PoolClearedError", "PoolClearedOnNetworkError", "MongoWaitQueueTimeoutError",
  "MongoWriteConcernError",
]);

/** A property of whatever was thrown (drivers throw objects of many shapes); undefined when it has none. */
export function propOf(e: unknown, key: string): unknown {
  if (typeof e !== "object" || e === null || !(key in e)) return undefined;
  const value: unknown = Reflect.get(e, key);
  return value;
}

/** MongoDB's duplicate key error (11000). */
export const isDuplicateKey = (e: unknown): boolean => propOf(e, "code") === 11000;

function uniqueField(e: unknown): UniqueViolation["field"] {
  const keyPattern = propOf(e, "keyPattern");
  if (keyPattern && typeof keyPattern === "object") {
    for (const key of Object.keys(keyPattern)) {
      const field = FIELD_BY_KEY[key];
      if (field && key !== "_id") return field;
    }
  }
  const msg = String(propOf(e, "message") ?? "");
  for (const [key, field] of Object.entries(FIELD_BY_KEY)) if (key !== "_id" && msg.includes(key)) return field;
  return "id";
}

export function isUnavailable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (UNAVAILABLE_NAMES.has(e.name)) return true;
  if (e instanceof mongoose.mongo.MongoNetworkError || e instanceof mongoose.mongo.MongoServerSelectionError) return true;
  const code = propOf(e, "code");
  if (typeof code === "number" && UNAVAILABLE_CODES.has(code)) return true;
  // A write applied on the primary whose majority acknowledgement timed out (wtimeoutMS).
  const wceCode = propOf(propOf(e, "writeConcernError"), "code");
  if (typeof wceCode === "number" && UNAVAILABLE_CODES.has(wceCode)) return true;
  // mongoose with bufferCommands=false before (re)connecting
  return e.name === "MongooseError" && /not connected|client must be connected|closed/i.test(e.message);
}

export function translate(e: unknown): unknown {
  if (e instanceof UniqueViolation || e instanceof StoreUnavailable) return e;
  if (isDuplicateKey(e)) return new UniqueViolation(uniqueField(e));
  if (isUnavailable(e)) return new StoreUnavailable(e);
  return e;
}

/** Awaits a store call and translates what it throws. */
export async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw translate(e);
  }
}
