/**
 * Which connection answers a store call made through the facade (`store.users.get(...)`, not a
 * transaction's `tx`): inside a running batch, the writer, so the call sees the batch's writes;
 * otherwise a read goes to the reader connection (committed data only) and a write runs as a
 * transaction of its own (a member of the group commit, acknowledged once committed).
 *
 * A transaction's fn is handed the writer's repositories (`tx`) and makes its calls through them:
 * no AsyncLocalStorage names the transaction (while one is enabled, Node 20 runs a hook at every
 * promise of the process, every other request's too). So the facade inside a transaction is not the
 * transaction's: a read there sees committed data only, and a write would wait for the transaction
 * itself to end (forever). Work a transaction leaves behind (a timer, a promise not awaited) that
 * calls the facade is routed as any other call. Batches (/Bulk, imports) keep a scope
 * (AsyncLocalStorage, enabled only while one runs): their code calls the facade and `transaction`.
 *
 * A method is a read when its name says so (get, find, list, count, is, existing, groupsOf); any
 * other method is a write. An unknown method thus costs a transaction, never a write on the reader.
 */
import type Database from "better-sqlite3";
import type { Repos } from "../../domain/ports/store";

const READ = /^(get|find|list|count|is|existing|groupsOf)/;

export const isReadMethod = (name: string): boolean => READ.test(name);

type AnyFn = (...args: unknown[]) => Promise<unknown>;
type RepoMap = Record<string, Record<string, AnyFn>>;

/** The facade's repositories: see above. `inBatch` answers whether the caller runs inside a batch. */
export function routeRepos(
  writer: Repos,
  reader: Repos,
  inBatch: () => boolean,
  transact: <T>(fn: () => Promise<T>) => Promise<T>,
): Repos {
  const routed = {} as RepoMap;
  for (const [repoName, repo] of Object.entries(writer) as [string, Record<string, AnyFn>][]) {
    const onReader = (reader as unknown as RepoMap)[repoName] as Record<string, AnyFn>;
    const out: Record<string, AnyFn> = {};
    for (const [method, onWriter] of Object.entries(repo)) {
      if (typeof onWriter !== "function") continue;
      const read = onReader[method];
      out[method] = isReadMethod(method) && read
        ? (...args) => (inBatch() ? onWriter(...args) : read(...args))
        : (...args) => (inBatch() ? onWriter(...args) : transact(() => onWriter(...args)));
    }
    routed[repoName] = out;
  }
  return routed as unknown as Repos;
}

/** A second connection on the store's file for reads outside transactions: it never writes. */
export function readerPragmas(conn: Database.Database): Database.Database {
  conn.pragma("busy_timeout = 5000");
  conn.pragma("temp_store = MEMORY");
  conn.pragma("query_only = ON");
  return conn;
}
