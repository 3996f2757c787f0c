/** The errors every store adapter throws through the port (./store.ts), and the protocols translate. */

export class UniqueViolation extends Error {
  constructor(readonly field: "userName" | "externalId" | "displayName" | "id" | "name" | "email") {
    super(`unique constraint on ${field}`);
    this.name = "UniqueViolation";
  }
}

export class StoreUnavailable extends Error {
  constructor(cause?: unknown) {
    super("store unavailable", cause === undefined ? undefined : { cause });
    this.name = "StoreUnavailable";
  }
}

/**
 * The store committed the write but could not confirm it durable (an fsync of the SQLite WAL failed
 * after its COMMIT): it may be in place, readable, and still there after a restart. Refused like an
 * outage (503), but never said "nothing was changed".
 */
export class StoreOutcomeUnknown extends StoreUnavailable {
  constructor(cause?: unknown) {
    super(cause);
    this.name = "StoreOutcomeUnknown";
  }
}
