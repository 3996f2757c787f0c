/**
 * Which connection answers a store call made outside `transaction` (`store.users.get(...)`):
 * inside a running transaction or batch, the writer, so the call sees that transaction's writes as
 * before; otherwise a read goes to the reader connection (committed data only) and a write runs as
 * a transaction of its own (a member of the group commit, acknowledged once committed).
 * A method is a read when its name says so (get, find, list, count, is, existing, groupsOf); any
 * other method is a write. An unknown method thus costs a transaction, never a write on the reader.
 */
import type Database from "better-sqlite3";
import type { Repos } from "../../domain/ports/store";

const READ = /^(get|find|list|count|is|existing|groupsOf)/;

export const isReadMethod = (name: string): boolean => READ.test(name);

type AnyFn = (...args: unknown[]) => Promise<unknown>;

export function routeRepos(
  writer: Repos,
  reader: Repos,
  inTransaction: () => boolean,
  transact: <T>(fn: () => Promise<T>) => Promise<T>,
): Repos {
  const routed = {} as Record<string, Record<string, AnyFn>>;
  for (const [repoName, repo] of Object.entries(writer) as [string, Record<string, AnyFn>][]) {
    const onReader = (reader as unknown as Record<string, Record<string, AnyFn>>)[repoName] as Record<string, AnyFn>;
    const out: Record<string, AnyFn> = {};
    for (const [method, onWriter] of Object.entries(repo)) {
      if (typeof onWriter !== "function") continue;
      const read = onReader[method];
      out[method] = isReadMethod(method) && read
        ? (...args) => (inTransaction() ? onWriter(...args) : read(...args))
        : (...args) => (inTransaction() ? onWriter(...args) : transact(() => onWriter(...args)));
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
