/**
 * A SQLite store that existed is never silently replaced by a new empty one.
 *
 * When a store is first opened at a path, a marker file is written next to it, in the same folder:
 * `.<file name>.created` (a name `rm orgscim.db*` does not match). Later, if the marker is there
 * but the store file is not, the open is refused (StoreVanished): the file was deleted, moved, or
 * DATABASE_URL points at the wrong file; creating an empty store there would start the server (or
 * a CLI command) on nothing, and the next write would make the loss permanent. A first start on an
 * empty folder has neither file: the store is created, then the marker.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

/** The marker of the store at `path`. */
export function markerOf(path: string): string {
  const abs = resolve(path);
  return join(dirname(abs), `.${basename(abs)}.created`);
}

/** The store file is missing where a store was created before. Not retried: waiting cannot bring it back. */
export class StoreVanished extends Error {
  constructor(readonly path: string, readonly marker: string, created: string) {
    super(`The SQLite store ${path} is missing, but a store was created there before (${created}; marker file ${marker}). ` +
      "orgscim does not create a new empty store in its place: every organization, user and token would be gone. " +
      "Restore the file from a backup (README: Backups), or set DATABASE_URL to where the store is. " +
      `To start over with an empty store on purpose, delete ${marker}.`);
    this.name = "StoreVanished";
  }
}

/** Throws StoreVanished when the marker says a store was created at `path` and the file is not there. */
export function checkNotVanished(path: string): void {
  const abs = resolve(path);
  const marker = markerOf(abs);
  if (existsSync(abs) || !existsSync(marker)) return;
  let created = "when, unknown";
  try {
    const m = JSON.parse(readFileSync(marker, "utf8")) as { created?: string };
    if (m.created) created = `on ${m.created}`;
  } catch { /* an unreadable marker still says a store was here */ }
  throw new StoreVanished(abs, marker, created);
}

/** Writes the marker of the store just opened at `path`, unless there is one. */
export function recordCreated(path: string, warn?: (message: string) => void): void {
  const marker = markerOf(path);
  if (existsSync(marker)) return;
  try {
    writeFileSync(marker, `${JSON.stringify({ store: resolve(path), created: new Date().toISOString(), note: "orgscim: a store was created at this path; while this file exists, a missing store is an error, not a reason to create an empty one" })}\n`, { flag: "wx" });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return;
    warn?.(`cannot write ${marker} (${code ?? String(e)}): if the store file is deleted, the next start will create an empty one there`);
  }
}
