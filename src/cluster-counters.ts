/**
 * Request-budget counters shared by the processes of one `WORKERS=N` server (./cluster.ts), the
 * port's SharedCounters kept in the primary process's memory and asked over the cluster's IPC
 * channel. The token and organization budgets (src/http/rate-limit.ts) then hold across the
 * processes exactly as they do across instances on MongoDB: the limiter takes leases of many
 * requests per call (src/http/rate-limit-shared.ts), so a request costs far less than a round
 * trip, and when the primary does not answer in time each process counts in memory.
 */
import type { Worker } from "node:cluster";
import type { SharedCounters } from "./domain/ports/store";

interface AddMessage { orgscim: "counters"; id: number; window: string; add: Record<string, number>; expiresAt: number }
interface TotalsMessage { orgscim: "counters-totals"; id: number; totals: Record<string, number> }

const isAdd = (m: unknown): m is AddMessage => typeof m === "object" && m !== null && (m as AddMessage).orgscim === "counters";
const isTotals = (m: unknown): m is TotalsMessage => typeof m === "object" && m !== null && (m as TotalsMessage).orgscim === "counters-totals";

/** The primary's side: answers every worker's additions from one table of windows. */
export class CounterTable {
  private readonly windows = new Map<string, { expiresAt: number; counts: Record<string, number> }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(now: () => number = Date.now) {
    this.sweeper = setInterval(() => {
      const t = now();
      for (const [name, w] of this.windows) if (w.expiresAt < t) this.windows.delete(name);
    }, 5_000);
    this.sweeper.unref();
  }

  add(window: string, add: Readonly<Record<string, number>>, expiresAt: number): Record<string, number> {
    let w = this.windows.get(window);
    if (!w) this.windows.set(window, (w = { expiresAt, counts: Object.create(null) as Record<string, number> }));
    for (const [k, n] of Object.entries(add)) if (Number.isFinite(n)) w.counts[k] = (w.counts[k] ?? 0) + n;
    return { ...w.counts };
  }

  /** Answers a worker's message if it is a counter call; true when it was. */
  answer(worker: Worker, message: unknown): boolean {
    if (!isAdd(message)) return false;
    const totals = this.add(message.window, message.add, message.expiresAt);
    if (worker.isConnected()) worker.send({ orgscim: "counters-totals", id: message.id, totals } satisfies TotalsMessage);
    return true;
  }

  stop(): void {
    clearInterval(this.sweeper);
  }
}

/** A worker's side: SharedCounters over `process.send`, or undefined outside a cluster worker. */
export function workerCounters(proc: NodeJS.Process = process): SharedCounters | undefined {
  const send = proc.send?.bind(proc);
  if (!send) return undefined;
  let next = 0;
  const waiting = new Map<number, (totals: Record<string, number>) => void>();
  proc.on("message", (m: unknown) => {
    if (!isTotals(m)) return;
    const resolve = waiting.get(m.id);
    waiting.delete(m.id);
    resolve?.(m.totals);
  });
  return {
    add: (window, add, expiresAt) => new Promise((resolve, reject) => {
      const id = ++next;
      waiting.set(id, resolve);
      // The limiter bounds the wait itself (src/http/rate-limit-shared.ts); forget a call it gave up on.
      const forget = setTimeout(() => waiting.delete(id), 10_000);
      forget.unref();
      const ok = send({ orgscim: "counters", id, window, add: { ...add }, expiresAt: expiresAt.getTime() } satisfies AddMessage, undefined, {}, (e: Error | null) => {
        if (e) { waiting.delete(id); reject(e); }
      });
      void ok;
    }),
  };
}
