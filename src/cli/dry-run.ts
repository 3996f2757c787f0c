/**
 * A dry run is the real run, rolled back. `rollingBack(store)` is the store as the use cases see
 * it, except that nothing it writes stays: every transaction runs for real (the same reads, checks,
 * unique indexes and triggers) and is rolled back at its end, and a write made outside a
 * transaction (a refusal's audit event) runs in one that is rolled back too. So `--dry-run`
 * reports exactly what the real run would do and refuse, without a second copy of the rules.
 *
 * It needs real transactions: on a MongoDB server that is not a replica set a transaction's
 * writes cannot be undone, so a dry run is refused there.
 */
import type { Repos, Store, TransactionOptions } from "../domain/ports/store";
import { CliFailure } from "./io";

/** Thrown at the end of a dry transaction to roll it back; carries the body's answer out. */
class Rollback {
  constructor(readonly value: unknown) {}
}

/** Methods that only read, by their name; any other method (a write a port adds later too) runs in a rolled-back transaction. */
const READS = /^(get|list|find|count|exist|groupsOf|is)/;

export function rollingBack(store: Store): Store {
  if ((store as { transactional?: boolean }).transactional === false) {
    throw new CliFailure("--dry-run needs a store with transactions (SQLite, or MongoDB as a replica set): on this MongoDB server nothing could be undone.");
  }
  const transaction = async <T>(fn: (tx: Repos) => Promise<T>, options?: TransactionOptions): Promise<T> => {
    try {
      await store.transaction(async (tx) => {
        throw new Rollback(await fn(tx));
      }, options);
    } catch (e) {
      if (e instanceof Rollback) return e.value as T;
      throw e;
    }
    throw new Error("unreachable: a dry transaction always rolls back");
  };
  const repo = (name: string, target: object): object => new Proxy(target, {
    get(t, method, receiver) {
      const real = Reflect.get(t, method, receiver) as unknown;
      if (typeof method !== "string" || typeof real !== "function") return real;
      if (READS.test(method)) return (real as (...a: unknown[]) => unknown).bind(t);
      return (...args: unknown[]) => transaction((tx) => (tx as unknown as Record<string, Record<string, (...a: unknown[]) => Promise<unknown>>>)[name]![method]!(...args));
    },
  });
  const repos = new Map<string, object>();
  // Every repository of the store (whatever the port holds), its writes rolled back; no batch, whose commit is one.
  return new Proxy(store, {
    get(t, key, receiver) {
      if (key === "transaction") return transaction;
      if (key === "batch" || key === "commitBatch") return undefined;
      const value = Reflect.get(t, key, receiver) as unknown;
      if (typeof key === "string" && typeof value === "object" && value !== null) {
        if (!repos.has(key)) repos.set(key, repo(key, value));
        return repos.get(key);
      }
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}
