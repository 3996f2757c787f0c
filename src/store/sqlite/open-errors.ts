/**
 * Start-up errors of the SQLite store that name the path and the system's reason.
 *
 * SQLite says only "unable to open database file" (SQLITE_CANTOPEN) whatever the cause, so the
 * cause is found the way the operating system sees it: the folder exists, is a folder, lets this
 * process create files; the file exists, is readable and writable. Causes that waiting cannot fix
 * (permissions, a file that is not a database) become StoreOpenError, which start-up does not
 * retry; a busy or locked file stays StoreUnavailable (retried: STORE_START_RETRY_MS), its reason
 * naming the path.
 */
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { StoreUnavailable } from "../../domain/ports/store";

/** The store cannot be opened, for a reason that waiting will not change. */
export class StoreOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreOpenError";
  }
}

const who = () => (typeof process.getuid === "function" ? ` (this process runs as uid ${process.getuid()}, gid ${process.getgid?.()})` : "");

function errnoOf(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}: ${err.message.replace(/^[A-Z]+: /, "")}` : String(err.message ?? e);
}

/** Why the operating system would refuse this process the store at `abs`, or null when it would not. */
function systemReason(abs: string): string | null {
  const dir = dirname(abs);
  let st;
  try {
    st = statSync(dir);
  } catch (e) {
    return `its folder ${dir} cannot be reached (${errnoOf(e)})`;
  }
  if (!st.isDirectory()) return `${dir} is not a folder`;
  if (!existsSync(abs)) {
    try {
      accessSync(dir, constants.W_OK | constants.X_OK);
    } catch (e) {
      return `the folder ${dir} does not let this process create files in it (${errnoOf(e)})${who()}`;
    }
    return null;
  }
  if (statSync(abs).isDirectory()) return `${abs} is a folder, not a file`;
  try {
    accessSync(abs, constants.R_OK | constants.W_OK);
  } catch (e) {
    return `the file cannot be read and written by this process (${errnoOf(e)})${who()}`;
  }
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (e) {
    return `the folder ${dir} does not let this process create the store's -wal and -shm files next to it (${errnoOf(e)})${who()}`;
  }
  return null;
}

/** The error to report for a failed open of the SQLite store at `path`. */
export function explainOpenFailure(path: string, e: unknown): Error {
  const abs = resolve(path);
  const cause = e instanceof StoreUnavailable && e.cause ? e.cause : e;
  const code = String((cause as { code?: unknown }).code ?? "");
  const said = `${code ? `${code}: ` : ""}${(cause as Error).message ?? String(cause)}`;
  if (/^E[A-Z]+$/.test(code)) {
    // From Node itself (creating the folder): already the system's word; add what it was for.
    return new StoreOpenError(`Cannot open the SQLite store ${abs}: ${errnoOf(cause)}${who()}.`, { cause });
  }
  if (code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT")) {
    return new StoreOpenError(`Cannot open the SQLite store ${abs}: the file is not a usable SQLite database (${said}). Check DATABASE_URL; restore the store from a backup if this is it.`, { cause });
  }
  let reason: string | null = null;
  try {
    reason = systemReason(abs);
  } catch (probe) {
    reason = `it cannot be examined (${errnoOf(probe)})`;
  }
  if (reason !== null) return new StoreOpenError(`Cannot open the SQLite store ${abs}: ${reason}. SQLite said: ${said}.`, { cause });
  if (e instanceof StoreUnavailable) return new StoreUnavailable(new Error(`the SQLite store ${abs}: ${said}`, { cause }));
  return e instanceof Error ? e : new Error(String(e));
}
