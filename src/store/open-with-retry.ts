/**
 * Start-up against a store that is not there yet (a MongoDB replica set still electing its
 * primary, a SQLite file another process holds locked): retries the open while it fails with
 * StoreUnavailable, with a growing pause (0.5 s doubling up to 5 s), logging one line per failed
 * try, until `retryForMs` has passed; then throws the last error. Any other error (a malformed URL,
 * refused credentials, a store written by a newer orgscim) is thrown at once: waiting cannot fix it.
 */
import { StoreUnavailable } from "../domain/ports/store";

export interface RetryOptions {
  /** How long to keep trying; 0: one try. */
  retryForMs: number;
  /** One line per failed try. */
  onRetry: (info: { attempt: number; retryInMs: number; giveUpInMs: number; reason: string }) => void;
  /** For tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

function reasonOf(e: unknown): string {
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
  return cause instanceof Error ? cause.message : String(cause);
}

export async function openWithRetry<T>(open: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const deadline = now() + options.retryForMs;
  let pause = 500;
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (e) {
      const left = deadline - now();
      if (!(e instanceof StoreUnavailable)) throw e;
      if (left <= 0) {
        const waited = options.retryForMs > 0 ? ` after ${attempt} tries in ${Math.round(options.retryForMs / 1000)} s (STORE_START_RETRY_MS)` : " (STORE_START_RETRY_MS=0: one try)";
        throw new Error(`the store does not answer${waited}: ${reasonOf(e)}`, { cause: e });
      }
      const retryInMs = Math.min(pause, left);
      options.onRetry({ attempt, retryInMs, giveUpInMs: left, reason: reasonOf(e) });
      await sleep(retryInMs);
      pause = Math.min(pause * 2, 5000);
    }
  }
}

/** The log line while start-up waits for the store. */
export function storeWaitMessage(i: { attempt: number; retryInMs: number; giveUpInMs: number; reason: string }): string {
  return `store not reachable yet (try ${i.attempt}: ${i.reason}); retrying in ${(i.retryInMs / 1000).toFixed(1)} s, giving up in ${Math.ceil(i.giveUpInMs / 1000)} s (STORE_START_RETRY_MS)`;
}
