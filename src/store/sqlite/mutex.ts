/**
 * A FIFO async mutex: SQLite has one writer, so transactions that await are queued, not nested.
 *
 * Free, `run` calls `fn` at once (no promise of its own to wait for: a write behind none is not
 * put off by a turn of the microtask queue). Held, the call waits in line; the holder hands the
 * mutex to the first in line when it finishes, so a caller arriving meanwhile queues behind it.
 */
export class Mutex {
  private held = false;
  private readonly line: Array<() => void> = [];

  run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.held) return new Promise<void>((resolve) => this.line.push(resolve)).then(() => this.hold(fn));
    this.held = true;
    return this.hold(fn);
  }

  private hold<T>(fn: () => Promise<T>): Promise<T> {
    let work: Promise<T>;
    try {
      work = fn();
    } catch (e) {
      this.release();
      return Promise.reject(e);
    }
    return work.then(
      (result) => {
        this.release();
        return result;
      },
      (e: unknown) => {
        this.release();
        throw e;
      },
    );
  }

  /** To the first caller in line (the mutex stays held), or free when nobody waits. */
  private release(): void {
    const next = this.line.shift();
    if (next) next();
    else this.held = false;
  }
}
