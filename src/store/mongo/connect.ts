/**
 * Opens a mongoose 9 connection from a MongoDB URL and finds out whether it is a replica set
 * (`hello.setName`, falling back to the legacy `isMaster`), which decides whether multi-document
 * transactions are available (see ./store.ts `transaction`).
 *
 * Commands are not buffered: while the server is unreachable every call fails fast (and is turned
 * into StoreUnavailable by ./errors.ts) instead of queuing for seconds. Indexes are created
 * explicitly by ./models.ts `ensureIndexes`, never by mongoose's autoIndex.
 */
import mongoose from "mongoose";
import { StoreUnavailable } from "../../domain/ports/store";
import { translate } from "./errors";

export interface MongoConnection {
  conn: mongoose.Connection;
  /** The replica set's name when the server is a member of one; null for a standalone server. */
  replicaSet: string | null;
}

export interface ConnectOptions {
  /** How long to wait for a reachable server before failing. Default 10 s. */
  serverSelectionTimeoutMS?: number;
  /** Database name, overriding the one in the URL (tests use one database each). */
  dbName?: string;
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
    bufferCommands: false,
    autoIndex: false,
    autoCreate: false,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000,
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
