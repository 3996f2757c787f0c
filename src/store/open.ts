/** Opens the store DATABASE_URL names: sqlite:<path> (embedded default) or mongodb://... */
import type { Store } from "../domain/ports/store";
import { openSqliteStore } from "./sqlite/store";

export interface OpenOptions {
  /** Where a store reports trouble it works around (SQLite: a failing background checkpoint). */
  warn?: (message: string) => void;
}

export async function openStore(url: string, options: OpenOptions = {}): Promise<Store> {
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    return openSqliteStore({ path: path === "" ? "./data/orgscim.db" : path, onCheckpointError: options.warn });
  }
  if (url.startsWith("mongodb://") || url.startsWith("mongodb+srv://")) {
    const { createMongoStore } = await import("./mongo/store");
    return createMongoStore(url);
  }
  throw new Error(`DATABASE_URL must start with sqlite: or mongodb://, got ${url.split(":")[0]}:`);
}
