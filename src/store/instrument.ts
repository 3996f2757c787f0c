/**
 * Store instrumentation, above the adapters: every repository call, transaction and ping of any
 * store goes through `observer.begin(op)`, whose answer is called once the call settles (with
 * the error when it failed). Metrics (src/observability/metrics.ts) time the calls; tracing
 * (src/observability/tracing.ts) makes each a span under the request's. Neither is known here,
 * and nothing is wrapped when no observer is configured.
 */
import type { Repos, Store } from "../domain/ports/store";

export interface StoreObserver {
  /** `op` is "<repo>.<method>" (users.get), "transaction", "batch" (commitBatch too: until it committed) or "ping". */
  begin(op: string): (error?: unknown) => void;
}

/** Several observers as one. */
export function observers(...list: (StoreObserver | null | undefined)[]): StoreObserver | null {
  const present = list.filter((o): o is StoreObserver => !!o);
  if (present.length === 0) return null;
  if (present.length === 1) return present[0]!;
  return { begin: (op) => { const ends = present.map((o) => o.begin(op)); return (e) => { for (const end of ends) end(e); }; } };
}

function timed<T>(observer: StoreObserver, op: string, call: () => Promise<T>): Promise<T> {
  const end = observer.begin(op);
  let result: Promise<T>;
  try {
    result = call();
  } catch (e) {
    end(e);
    throw e;
  }
  return result.then((v) => { end(); return v; }, (e: unknown) => { end(e); throw e; });
}

const REPOS = ["orgs", "tokens", "users", "groups", "accounts", "domains", "invitations", "outbox", "audit", "events"] as const;

function wrapRepos(repos: Repos, observer: StoreObserver): Repos {
  const out = {} as Record<string, unknown>;
  for (const name of REPOS) {
    const repo = repos[name] as unknown as Record<string, unknown> | undefined;
    if (!repo) continue; // an optional repository the store does not have
    const wrapped: Record<string, unknown> = {};
    for (const key of Object.keys(repo)) {
      const fn = repo[key];
      if (typeof fn !== "function") { wrapped[key] = fn; continue; }
      const op = `${name}.${key}`;
      wrapped[key] = (...args: unknown[]) => timed(observer, op, () => (fn as (...a: unknown[]) => Promise<unknown>).apply(repo, args));
    }
    out[name] = wrapped;
  }
  return out as unknown as Repos;
}

/** The store with every call observed; other properties (a MongoDB store's extras) kept as they are. */
export function instrumentStore<S extends Store>(store: S, observer: StoreObserver | null): S {
  if (!observer) return store;
  const repos = wrapRepos(store, observer);
  const wrapped: Store = {
    ...store,
    ...repos,
    kind: store.kind,
    transaction: (fn, options) => timed(observer, "transaction", () => store.transaction((tx) => fn(wrapRepos(tx, observer)), options)),
    ping: () => timed(observer, "ping", () => store.ping()),
    close: () => store.close(),
  };
  if (store.batch) {
    const batch = store.batch.bind(store);
    wrapped.batch = (fn) => timed(observer, "batch", () => batch(fn));
  }
  if (store.commitBatch) {
    const commitBatch = store.commitBatch.bind(store);
    wrapped.commitBatch = (fn) => timed(observer, "batch", () => commitBatch(fn));
  }
  return wrapped as S;
}
