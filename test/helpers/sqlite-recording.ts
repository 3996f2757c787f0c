/** A better-sqlite3 connection that records every statement it runs, for tests that read what a store asks SQLite. */
import type Database from "better-sqlite3";

export interface Call { sql: string; args: unknown[] }

/** A connection whose statements record what they run (SQL and parameters); prepared statements chain as usual. */
export function recording(db: Database.Database, calls: Call[]): Database.Database {
  const wrap = (st: Database.Statement, sql: string): Database.Statement => new Proxy(st, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (key === "get" || key === "all" || key === "run" || key === "iterate") calls.push({ sql, args });
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        return result === target ? wrap(target, sql) : result;
      };
    },
  });
  return new Proxy(db, {
    get(target, key) {
      if (key === "prepare") return (sql: string) => wrap(target.prepare(sql), sql);
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
