/** Opens the store DATABASE_URL names: sqlite:<path> (embedded default) or mongodb://... */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { withEvents } from "../domain/events-capture";
import type { Store } from "../domain/ports/store";
import type { CheckpointStat } from "./sqlite/checkpointer";
import { explainOpenFailure } from "./sqlite/open-errors";
import { checkNotVanished, recordCreated } from "./sqlite/store-marker";
import { openSqliteStore } from "./sqlite/store";

export interface OpenOptions {
  /** Where a store reports trouble it works around (SQLite: a failing background checkpoint). */
  warn?: (message: string) => void;
  /** Where a store reports start-up progress (MongoDB: migrations). */
  info?: (message: string) => void;
  /** SQLite: told after background checkpoints (src/store/sqlite/checkpointer.ts), for the metrics. */
  onCheckpoint?: (stat: CheckpointStat) => void;
  /** SQLite: synchronous=FULL (default) or NORMAL (DURABILITY). MongoDB always writes w: majority, j: true. */
  durability?: "full" | "normal";
  /** SQLite: group commit (SQLITE_GROUP_COMMIT; default on). false: every transaction commits alone. */
  groupCommit?: boolean;
  /** SQLite: told when the store's file is deleted or replaced under the running process, and when it is back (null). */
  onFileProblem?: (problem: string | null) => void;
  /** SQLite: told once when an fsync of the WAL failed (every write is then refused until restart). */
  onSyncFailure?: (problem: string) => void;
  /**
   * Refuse to create a store that is not there (StoreMissing) instead of creating it: the CLI's
   * commands that only read. SQLite: the file must exist.
   */
  mustExist?: boolean;
  /** SQLite: another process of this server runs the background WAL checkpoints (WORKERS=N: src/cluster.ts). */
  checkpointsElsewhere?: boolean;
  /** SQLite: other processes of this server write to the same file (WORKERS=N): groups do not wait for an fsync in flight. */
  otherWriters?: boolean;
}

/** The store DATABASE_URL names does not exist, and the caller would not create it. */
export class StoreMissing extends Error {
  constructor(readonly where: string) {
    super(`No orgscim store at ${where}.`);
    this.name = "StoreMissing";
  }
}

/** The file a sqlite: URL names (sqlite:./x.db, sqlite:/abs.db, sqlite:///abs.db); null for another store. */
export function sqlitePathOf(url: string): string | null {
  if (!url.startsWith("sqlite:")) return null;
  const path = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
  return path === "" ? "./data/orgscim.db" : path;
}

/**
 * Opens the store, with SCIM events captured in every transaction that changes a user or a group
 * (src/domain/events-capture.ts): every door that reaches the store through here (the server, the
 * CLI) writes its events.
 */
export async function openStore(url: string, options: OpenOptions = {}): Promise<Store> {
  return withEvents(await openBareStore(url, options));
}

async function openBareStore(url: string, options: OpenOptions): Promise<Store> {
  const path = sqlitePathOf(url);
  if (path !== null) {
    if (path === ":memory:") return openSqliteStore({ path, onCheckpointError: options.warn, onCheckpoint: options.onCheckpoint });
    // A store that existed and is gone is never replaced by an empty one (./sqlite/store-marker.ts).
    checkNotVanished(path);
    if (options.mustExist && !existsSync(path)) throw new StoreMissing(resolve(path));
    let store: Store;
    try {
      store = openSqliteStore({ path, durability: options.durability, groupCommit: options.groupCommit, onCheckpointError: options.warn, onCheckpoint: options.onCheckpoint, onFileProblem: options.onFileProblem, onSyncFailure: options.onSyncFailure, checkpointsElsewhere: options.checkpointsElsewhere, otherWriters: options.otherWriters });
    } catch (e) {
      throw explainOpenFailure(path, e); // names the path and the system's reason
    }
    recordCreated(path, options.info);
    return store;
  }
  if (url.startsWith("mongodb://") || url.startsWith("mongodb+srv://")) {
    const { createMongoStore } = await import("./mongo/store");
    return createMongoStore(url, { log: options.info });
  }
  throw new Error(`DATABASE_URL must start with sqlite: or mongodb://, got ${url.split(":")[0]}:`);
}
