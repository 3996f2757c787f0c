/**
 * A background task on a timer, as the outbox worker (./mailer.ts) and the domain re-check
 * (./domain-recheck.ts) run: the first run `firstMs` after start, then `everyMs` after each run
 * ends, so runs never overlap. The timer is unref'd, so it never keeps the process alive. `stop()`
 * cancels the timer and waits for a run in progress; the task is told `stopped()` so that it can
 * stop between two items (two mails, two domains) instead of finishing its whole batch.
 */
export interface RepeatingTask {
  /** Cancels the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

export function repeat(task: (stopped: () => boolean) => Promise<void>, timing: { firstMs: number; everyMs: number }): RepeatingTask {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  const isStopped = () => stopped;

  const schedule = (delay: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      running = task(isStopped).finally(() => {
        running = null;
        schedule(timing.everyMs);
      });
    }, delay);
    timer.unref();
  };

  schedule(timing.firstMs);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      if (running) await running;
    },
  };
}
