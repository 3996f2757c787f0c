/** Translates better-sqlite3 errors into the port's errors: UniqueViolation and StoreUnavailable. */
import { StoreUnavailable, UniqueViolation } from "../../domain/ports/store";

const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|READONLY|IOERR|CANTOPEN|FULL|CORRUPT|NOTADB|PROTOCOL)/;

const FIELD_BY_COLUMN: Record<string, UniqueViolation["field"]> = {
  "users.user_name_fold": "userName",
  "users.user_name": "userName",
  "users.id": "id",
  "groups.display_name": "displayName",
  "groups.id": "id",
  "domains.name": "name",
  "organizations.id": "id",
  "api_tokens.id": "id",
};

export function translate(e: unknown): unknown {
  const err = e as { code?: unknown; message?: unknown };
  // better-sqlite3 throws a plain TypeError on a closed connection (compared by message: test runners use other realms).
  if (/database connection is not open/.test(String(err?.message))) return new StoreUnavailable(e);
  if (typeof err?.code !== "string") return e;
  if (err.code === "SQLITE_CONSTRAINT_UNIQUE" || err.code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
    const msg = String(err.message);
    for (const [column, field] of Object.entries(FIELD_BY_COLUMN)) if (msg.includes(column)) return new UniqueViolation(field);
    return new UniqueViolation("id");
  }
  if (UNAVAILABLE.test(err.code)) return new StoreUnavailable(e);
  return e;
}

/** Runs a synchronous database call and translates what it throws. */
export function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw translate(e);
  }
}
