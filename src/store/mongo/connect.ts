/**
 * Opens a mongoose 9 connection from a MongoDB URL and finds out whether it is a replica set
 * (`hello.setName`, falling back to the legacy `isMaster`), which decides whether multi-document
 * transactions are available (see ./store.ts `transaction`).
 *
 * Waiting is bounded, never left to the driver's defaults (docs/stores.md, "When MongoDB does not
 * answer"):
 * - server selection (no primary reachable: an election, a network cut): SERVER_SELECTION_MS, after
 *   which the call fails and is answered 503 with Retry-After; `serverSelectionTimeoutMS` in the
 *   URL overrides it;
 * - a socket that stops answering mid-operation: SOCKET_TIMEOUT_MS (`socketTimeoutMS` overrides);
 * - writes: majority write concern, journaled (`j: true`: acknowledged once on disk on a majority,
 *   whatever the set's writeConcernMajorityJournalDefault), with `wtimeoutMS` WRITE_CONCERN_MS; reads outside transactions
 *   carry `maxTimeMS` READ_TIME_MS (./ctx.ts); transactions `maxCommitTimeMS` (./transaction.ts).
 * Commands are not buffered: while the server is unreachable every call fails (and is turned into
 * StoreUnavailable by ./errors.ts) instead of queuing. Indexes are made by ./migrations.ts, never
 * by mongoose's autoIndex.
 */
import mongoose from "mongoose";
import { StoreUnavailable } from "../../domain/ports/store";
import { translate } from "./errors";

export const SERVER_SELECTION_MS = 5_000;
export const SOCKET_TIMEOUT_MS = 30_000;
export const WRITE_CONCERN_MS = 5_000;
export const READ_TIME_MS = 15_000;

export interface MongoConnection {
  conn: mongoose.Connection;
  /** The replica set's name when the server is a member of one; null for a standalone server. */
  replicaSet: string | null;
}

export interface ConnectOptions {
  /** How long to wait for a reachable primary before failing; default SERVER_SELECTION_MS, or the URL's. */
  serverSelectionTimeoutMS?: number;
  /** Database name, overriding the one in the URL (tests use one database each). */
  dbName?: string;
}

/** Whether the URL's query string sets `option` (URL options win over our defaults). */
const urlSets = (url: string, option: string): boolean => new RegExp(`[?&]${option}=`, "i").test(url);

/** The driver options orgscim uses, for mongoose and for a bare MongoClient alike. */
export function clientOptions(url: string, options: ConnectOptions = {}): mongoose.mongo.MongoClientOptions {
  const out: mongoose.mongo.MongoClientOptions = { writeConcern: { w: "majority", j: true, wtimeoutMS: WRITE_CONCERN_MS } };
  if (options.serverSelectionTimeoutMS !== undefined) out.serverSelectionTimeoutMS = options.serverSelectionTimeoutMS;
  else if (!urlSets(url, "serverSelectionTimeoutMS")) out.serverSelectionTimeoutMS = SERVER_SELECTION_MS;
  if (!urlSets(url, "socketTimeoutMS")) out.socketTimeoutMS = SOCKET_TIMEOUT_MS;
  return out;
}

/** Asks the server whether it belongs to a replica set (or is a mongos); null for a standalone server. */
export async function replicaSetName(conn: mongoose.Connection): Promise<string | null> {
  const admin = conn.db?.admin();
  if (!admin) throw new StoreUnavailable(new Error("connection has no database handle"));
  let reply: { setName?: unknown; msg?: unknown };
  try {
    reply = await admin.command({ hello: 1 });
  } catch {
    reply = await admin.command({ isMaster: 1 });
  }
  if (typeof reply.setName === "string") return reply.setName;
  return reply.msg === "isdbgrid" ? "mongos" : null; // a sharded cluster's router also runs transactions
}

export async function connectMongo(url: string, options: ConnectOptions = {}): Promise<MongoConnection> {
  const conn = mongoose.createConnection(url, {
    ...clientOptions(url, options),
    bufferCommands: false,
    autoIndex: false,
    autoCreate: false,
    ...(options.dbName === undefined ? {} : { dbName: options.dbName }),
  });
  try {
    await conn.asPromise();
    return { conn, replicaSet: await replicaSetName(conn) };
  } catch (e) {
    await conn.close(true).catch(() => undefined);
    throw translate(e); // unreachable: StoreUnavailable; a malformed URL or refused credentials: as is
  }
}
