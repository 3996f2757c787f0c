/**
 * A background task on a timer, as the outbox worker (./mailer.ts), the domain re-check
 * (./domain-recheck.ts) and the SCIM event pusher (./set-push.ts) run: the first run `firstMs`
 * after start, then `everyMs` after each run ends, so runs never overlap unless `concurrency`
 * allows it. `kick()` runs the task at once (a change in this process has work for it); while
 * `concurrency` runs are going, kicks are remembered as one more run when one ends. The timer is
 * unref'd, so it never keeps the process alive. `stop()` cancels the timer and waits for the runs
 * in progress; the task is told `stopped()` so that it can stop between two items (two mails, two
 * domains) instead of finishing its whole batch.
 */
export interface RepeatingTask {
  /** Runs the task now, or once more as soon as a run ends when `concurrency` runs are going; nothing after stop(). */
  kick(): void;
  /** Cancels the timer and waits for the runs in progress. */
  stop(): Promise<void>;
}

export function repeat(
  task: (stopped: () => boolean) => Promise<void>,
  timing: { firstMs: number; everyMs: number; concurrency?: number },
): RepeatingTask {
  const most = timing.concurrency ?? 1;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const runs = new Set<Promise<void>>();
  let again = false;
  const isStopped = () => stopped;

  const kick = (): void => {
    if (stopped) return;
    if (runs.size >= most) {
      again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    timer = null;
    const run: Promise<void> = task(isStopped).finally(() => {
      runs.delete(run);
      if (again) {
        again = false;
        kick();
      } else {
        schedule(timing.everyMs);
      }
    });
    runs.add(run);
  };

  const schedule = (delay: number): void => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = null;
      kick();
    }, delay);
    timer.unref();
  };

  schedule(timing.firstMs);
  return {
    kick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await Promise.all([...runs]);
    },
  };
}
