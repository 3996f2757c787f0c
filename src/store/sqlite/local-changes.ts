/**
 * What the writer connection's open transaction changed, so that two reads every write makes can be
 * answered by the writer (its page cache warm: the reader's is dropped whenever the WAL changed,
 * ~38 µs a read right after any commit) or from memory, and stay exact:
 * - the principal version a request checks (Store.principalVersion, src/http/principal-cache.ts);
 * - the organization's live event streams a write transaction writes SETs for
 *   (src/domain/events-capture.ts, EventRepo.listLiveStreams).
 *
 * The writer sees what is committed plus what its own open transaction wrote. Temp triggers on it
 * (this connection's only: not in the file, no other process runs them) call back when a watched
 * table changes in that transaction: the organization is then "changed here" until the transaction
 * ends (committed or rolled back; a member rolled back to its savepoint keeps it changed: only
 * ever too careful). For any other organization the writer's answer is what is committed: another
 * process cannot commit while this writer holds its transaction, and outside one the writer reads
 * what is committed now. So:
 * - the principal version is read on the writer, or on the reader (committed only) for an
 *   organization changed here: an uncommitted version is never answered;
 * - live streams are kept in memory per organization, for as long as no other connection
 *   committed (the writer's PRAGMA data_version is unchanged: it moves only when ANOTHER connection
 *   committed) and nothing changed them here; an organization changed here is read on the writer
 *   (its own transaction's streams, as before) and not kept until its transaction ended.
 */
import type Database from "better-sqlite3";

export type Watched = "principal" | "streams";

/**
 * The event_streams columns a live stream is made of (src/store/sqlite/events.ts toStream, and
 * `deleted`): every column but lease_until, which the push worker writes at every pass and no list
 * shows. test/store/sqlite-local-changes.test.ts checks this is the table's columns but lease_until.
 */
export const STREAM_COLUMNS = ["id", "org_id", "name", "delivery", "endpoint", "poll_secret_hash", "created", "created_by", "deleted"] as const;

const CALLBACK = "orgscim_changed_here";

const TEMP_TRIGGERS = `
  CREATE TEMP TRIGGER IF NOT EXISTS here_principal_insert AFTER INSERT ON main.principal_versions
    BEGIN SELECT ${CALLBACK}('principal', NEW.org_id); END;
  CREATE TEMP TRIGGER IF NOT EXISTS here_principal_update AFTER UPDATE ON main.principal_versions
    BEGIN SELECT ${CALLBACK}('principal', OLD.org_id), ${CALLBACK}('principal', NEW.org_id); END;
  CREATE TEMP TRIGGER IF NOT EXISTS here_principal_delete AFTER DELETE ON main.principal_versions
    BEGIN SELECT ${CALLBACK}('principal', OLD.org_id); END;
  CREATE TEMP TRIGGER IF NOT EXISTS here_streams_insert AFTER INSERT ON main.event_streams
    BEGIN SELECT ${CALLBACK}('streams', NEW.org_id); END;
  CREATE TEMP TRIGGER IF NOT EXISTS here_streams_update AFTER UPDATE OF ${STREAM_COLUMNS.join(", ")} ON main.event_streams
    BEGIN SELECT ${CALLBACK}('streams', OLD.org_id), ${CALLBACK}('streams', NEW.org_id); END;
  CREATE TEMP TRIGGER IF NOT EXISTS here_streams_delete AFTER DELETE ON main.event_streams
    BEGIN SELECT ${CALLBACK}('streams', OLD.org_id); END;
`;

/** Organizations kept in memory at most, per kind; past it the oldest goes. */
export const KEPT_ORGS = 10_000;

export class LocalChanges {
  private readonly changed: Record<Watched, Set<string>> = { principal: new Set(), streams: new Set() };
  private readonly forgets: ((kind: Watched, orgId: string) => void)[] = [];
  private readonly dataVersion: Database.Statement;

  constructor(private readonly db: Database.Database) {
    // directOnly: no schema in the file (a trigger, a view) can call it; this connection's temp triggers can.
    db.function(CALLBACK, { deterministic: false, directOnly: true }, (kind: unknown, orgId: unknown) => {
      if ((kind === "principal" || kind === "streams") && typeof orgId === "string") this.note(kind, orgId);
      return null;
    });
    db.exec(TEMP_TRIGGERS);
    this.dataVersion = db.prepare("PRAGMA data_version").pluck();
  }

  private note(kind: Watched, orgId: string): void {
    this.changed[kind].add(orgId);
    for (const forget of this.forgets) forget(kind, orgId);
  }

  /** Whether the writer's open transaction changed `kind` of the organization (false once it ended). */
  changedHere(kind: Watched, orgId: string): boolean {
    const set = this.changed[kind];
    if (set.size === 0) return false;
    if (!this.db.inTransaction) {
      this.ended();
      return false;
    }
    return set.has(orgId);
  }

  /** The writer's transaction ended (its COMMIT returned, or it rolled back): what it changed is committed or gone. */
  ended(): void {
    if (this.changed.principal.size > 0) this.changed.principal.clear();
    if (this.changed.streams.size > 0) this.changed.streams.clear();
  }

  /** A number that moves when another connection (another process) committed, as the writer sees it. */
  othersCommitted(): number {
    return this.dataVersion.get() as number;
  }

  /** Kept answers for `kind`, per organization, valid as the file header says (see KeptPerOrg). */
  keep<T>(kind: Watched, max = KEPT_ORGS): KeptPerOrg<T> {
    const kept = new KeptPerOrg<T>(this, kind, max);
    this.forgets.push((k, orgId) => { if (k === kind) kept.forget(orgId); });
    return kept;
  }
}

/** Answers read on the writer, kept per organization while no other connection committed and nothing changed them here. */
export class KeptPerOrg<T> {
  private readonly values = new Map<string, T>();
  /** LocalChanges.othersCommitted() when the kept values were read. */
  private seen: number | null = null;

  constructor(private readonly changes: LocalChanges, private readonly kind: Watched, private readonly max: number) {}

  /** The kept answer for the organization, or read(): kept unless the organization is changed here. */
  get(orgId: string, read: () => T): T {
    // Read before the value: a commit in between leaves the value newer than `seen`, never older.
    const seen = this.changes.othersCommitted();
    if (seen !== this.seen) {
      this.values.clear();
      this.seen = seen;
    }
    if (this.changes.changedHere(this.kind, orgId)) return read();
    let value = this.values.get(orgId);
    if (value === undefined) {
      value = read();
      if (this.values.size >= this.max) this.values.delete(this.values.keys().next().value as string);
      this.values.set(orgId, value);
    }
    return value;
  }

  forget(orgId: string): void {
    this.values.delete(orgId);
  }

  get size(): number {
    return this.values.size;
  }
}

/**
 * Store.principalVersion: the writer answers what is committed for an organization its open
 * transaction did not change, from its warm page cache; one it changed, or a writer that finds the
 * WAL busy (its busy_timeout is 0: ./store.ts), is answered by the reader (committed rows only).
 */
export function principalVersionOf(writer: Database.Database, reader: Database.Database, changes: LocalChanges): (orgId: string) => number | undefined {
  const onWriter = writer.prepare("SELECT version FROM principal_versions WHERE org_id = ?").pluck();
  const committed = reader.prepare("SELECT version FROM principal_versions WHERE org_id = ?").pluck();
  return (orgId) => {
    if (!changes.changedHere("principal", orgId)) {
      try {
        return onWriter.get(orgId) as number | undefined;
      } catch (e) {
        if (!String((e as { code?: unknown } | null)?.code).startsWith("SQLITE_BUSY")) throw e;
      }
    }
    return committed.get(orgId) as number | undefined;
  };
}
