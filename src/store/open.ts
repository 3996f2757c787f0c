/** Opens the store DATABASE_URL names: sqlite:<path> (embedded default) or mongodb://... */
import type { Store } from "../domain/ports/store";
import { openSqliteStore } from "./sqlite/store";

export async function openStore(url: string): Promise<Store> {
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    return openSqliteStore({ path: path === "" ? "./data/orgscim.db" : path });
  }
  if (url.startsWith("mongodb://") || url.startsWith("mongodb+srv://")) {
    const { createMongoStore } = await import("./mongo/store");
    return createMongoStore(url);
  }
  throw new Error(`DATABASE_URL must start with sqlite: or mongodb://, got ${url.split(":")[0]}:`);
}
