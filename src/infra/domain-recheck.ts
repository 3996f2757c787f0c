/**
 * The periodic domain re-check (src/domain/domains.ts `recheckDomains`) on a timer (./repeating.ts):
 * the first run one interval after start, then one interval after each run ends (runs never
 * overlap). The timer is unref'd, so it never keeps the process alive; `stop()` cancels it and waits
 * for a run in progress to finish its current lookups (the run stops between domains), before the
 * store closes.
 *
 * Several instances sharing one MongoDB each run it: every change re-reads the domain in its own
 * transaction, so the duplicates find nothing left to change.
 */
import type { Clock } from "../domain/clock";
import { recheckDomains, type RecheckReport } from "../domain/domains";
import type { TxtResolver } from "../domain/ports/dns";
import type { Store } from "../domain/ports/store";
import { repeat } from "./repeating";

export interface RecheckLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DomainRecheckTimer {
  /** Cancels the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

export function startDomainRecheck(deps: {
  store: Store;
  clock: Clock;
  dns: TxtResolver;
  logger: RecheckLogger;
  /** 0: never. */
  intervalMs: number;
  /** Told each run's counts (the metrics). */
  onReport?: (report: RecheckReport) => void;
}): DomainRecheckTimer {
  const run = async (stopped: () => boolean): Promise<void> => {
    const started = Date.now();
    try {
      const report: RecheckReport = await recheckDomains(deps, { stopped });
      deps.onReport?.(report);
      deps.logger.info({ ...report, ms: Date.now() - started }, "domain re-check done");
    } catch (e) {
      deps.logger.error({ err: e }, "domain re-check failed; it runs again at the next interval");
    }
  };
  if (deps.intervalMs <= 0) return { stop: async () => undefined };
  return repeat(run, { firstMs: deps.intervalMs, everyMs: deps.intervalMs });
}
