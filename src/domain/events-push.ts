/**
 * Push delivery (RFC 8935): each push stream's pending SETs are POSTed to its receiver one at a
 * time, one SET per request (RFC 8935 §2: the body of a push is one SET; batching several SETs in a
 * response is poll's, RFC 8936), in order (seq), each acknowledged on its own:
 * - 202 (any 2xx): delivered; the row is deleted.
 * - 400 with `{"err", "description"}` (§2.3): the receiver refused this SET; it is kept as `failed`
 *   with the receiver's reason (for an operator: GET /v1/EventStreams/{sid}) and the next one is sent.
 * - anything else (no answer, a timeout, 401/403/404, 429, 5xx): the receiver is not taking SETs
 *   now; the SET is tried again after a backoff (EVENTS_RETRY_BASE_MS doubling, at most 10 min),
 *   and the stream's later SETs wait behind it, so the order is kept and nothing is lost, however
 *   long the receiver is down.
 * One worker sends a stream at a time (a lease on the stream, for several instances on one store).
 */
import { type Clock, isoNow } from "./clock";
import { MAKER_GONE, streamMakerMay } from "./events";
import { signSet } from "./events-keys";
import type { EventStream, SecurityEventRecord, SetClaims } from "./events-model";
import type { Store } from "./ports/store";

/** What POSTs a SET; it throws when no HTTP answer came (refused, timeout, a private address). */
export interface SetSender {
  post(url: string, set: string): Promise<{ status: number; body: string }>;
}

export interface PushDeps {
  store: Store;
  clock: Clock;
  sender: SetSender;
  /** `iss` of the SETs. */
  issuer: string;
  retryBaseMs: number;
  /** Told, for each SET a receiver took, the seconds since its change was written (metrics). */
  onDelivered?: (delaySeconds: number) => void;
}

export interface PushReport {
  delivered: number;
  refused: number;
  retrying: number;
}

const BATCH = 100;
const LEASE_MS = 60_000;
const RETRY_MAX_MS = 10 * 60_000;
/** Streams sent at the same time (each still one SET at a time, in order). */
export const PARALLEL_STREAMS = 8;

export const retryDelayMs = (base: number, attempts: number): number => Math.min(base * 2 ** Math.max(0, attempts - 1), RETRY_MAX_MS);

/** The audience of a stream's SETs: the stream's URL in the /v1 API (the same for push and poll). */
export const audienceOf = (issuer: string, streamId: string): string => `${issuer}/v1/EventStreams/${streamId}`;

const describe = (text: string): string => text.replace(/\s+/g, " ").slice(0, 500);

/**
 * Sends every push stream's due SETs once; `stopped` is asked between SETs. Up to PARALLEL_STREAMS
 * streams are sent at the same time, so a slow or unreachable receiver does not hold up the others.
 * `busy`: the streams this process is sending now (shared by passes that overlap: a pass skips them
 * without a store call; across processes the lease keeps a stream to one sender).
 */
export async function pushDue(deps: PushDeps, options: { stopped?: () => boolean; busy?: Set<string> } = {}): Promise<PushReport> {
  const report: PushReport = { delivered: 0, refused: 0, retrying: 0 };
  const events = deps.store.events;
  if (!events) return report;
  const streams = await events.listPushStreams();
  const busy = options.busy ?? new Set<string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < streams.length && !options.stopped?.()) {
      const stream = streams[next++]!;
      if (busy.has(stream.id)) continue; // another pass of this process is sending it
      busy.add(stream.id);
      try {
        const head = await events.listPending(stream.orgId, stream.id, 1);
        if (head.length === 0 || head[0]!.nextAttemptAt > isoNow(deps.clock)) continue;
        if (!(await streamMakerMay(deps.store, stream))) {
          // Kept, not sent: the SETs stay owed (as for a receiver that is down) and the stream says why.
          const row = head[0]!;
          const next = new Date(deps.clock.now().getTime() + retryDelayMs(deps.retryBaseMs, row.attempts + 1)).toISOString();
          await events.update({ ...row, attempts: row.attempts + 1, nextAttemptAt: next, lastError: MAKER_GONE });
          report.retrying++;
          continue;
        }
        const now = deps.clock.now().getTime();
        if (!(await events.lease(stream.id, new Date(now).toISOString(), new Date(now + LEASE_MS).toISOString()))) continue;
        try {
          await pushStream(deps, stream, report, { stopped: options.stopped, leasedAt: now });
        } finally {
          await events.release(stream.id);
        }
      } finally {
        busy.delete(stream.id);
      }
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: Math.min(PARALLEL_STREAMS, streams.length) }, worker));
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (failed) throw failed.reason;
  return report;
}

/**
 * One leased stream, in seq order. The next SET is signed while the current one is on its way, and
 * delivered SETs are acknowledged in the store together (before the next page is read, before a
 * failure is recorded, and when the run ends): one write per page of SETs, not one per SET. A crash
 * between a delivery and that write sends those SETs again (at least once, as RFC 8935 allows: the
 * receiver recognises a SET by its jti). The run gives the stream up at half its lease, so that a
 * slow receiver never makes the lease run out under it (another instance would then send too).
 */
async function pushStream(deps: PushDeps, stream: EventStream, report: PushReport, options: { stopped?: (() => boolean) | undefined; leasedAt: number }): Promise<void> {
  const events = deps.store.events!;
  const delivered: string[] = [];
  const flush = async () => {
    if (delivered.length > 0) await events.ack(stream.orgId, stream.id, delivered.splice(0));
  };
  const sign = (row: SecurityEventRecord): Promise<string> => {
    const p = signSet(deps.store, JSON.parse(row.claims) as SetClaims, deps.issuer, audienceOf(deps.issuer, stream.id));
    p.catch(() => undefined); // a SET signed ahead and then not sent: its failure is nobody's
    return p;
  };
  try {
    for (;;) {
      await flush();
      const rows = await events.listPending(stream.orgId, stream.id, BATCH);
      if (rows.length === 0) return;
      // No SET leaves for a change a power cut could still undo (a commit is readable before its fsync: docs/stores.md, Durability).
      await deps.store.durable?.();
      let signing: Promise<string> | null = sign(rows[0]!);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        if (options.stopped?.() || row.nextAttemptAt > isoNow(deps.clock) || deps.clock.now().getTime() - options.leasedAt > LEASE_MS / 2) return;
        const set: string = await signing!;
        signing = i + 1 < rows.length ? sign(rows[i + 1]!) : null;
        // Asked again before each SET: a run lasts up to half its lease, reading new pages as they are
        // written, and the maker's right may go meanwhile (docs/security.md case 96). The next pass says why.
        if (!(await streamMakerMay(deps.store, stream))) return;
        const outcome = await pushOne(deps, stream, row, set, delivered, flush);
        report[outcome]++;
        if (outcome === "retrying") return; // the later SETs wait behind this one: order per stream
      }
    }
  } finally {
    await flush();
  }
}

async function pushOne(deps: PushDeps, stream: EventStream, row: SecurityEventRecord, set: string, delivered: string[], flush: () => Promise<void>): Promise<keyof PushReport> {
  const events = deps.store.events!;
  let answer: { status: number; body: string } | null = null;
  let failure = "";
  try {
    answer = await deps.sender.post(stream.endpoint!, set);
  } catch (e) {
    failure = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  if (answer && answer.status >= 200 && answer.status < 300) {
    delivered.push(row.jti);
    deps.onDelivered?.(Math.max(0, (deps.clock.now().getTime() - Date.parse(row.created)) / 1000));
    return "delivered";
  }
  await flush();
  const attempts = row.attempts + 1;
  if (answer && answer.status === 400) {
    let reason = describe(answer.body);
    try {
      const b = JSON.parse(answer.body) as { err?: unknown; description?: unknown };
      if (typeof b.err === "string") reason = describe(`${b.err}: ${typeof b.description === "string" ? b.description : ""}`);
    } catch { /* not JSON: the body as it came */ }
    await events.update({ ...row, attempts, status: "failed", lastError: `400 ${reason}` });
    return "refused";
  }
  const lastError = answer ? describe(`HTTP ${answer.status} ${answer.body}`) : describe(failure);
  const next = new Date(deps.clock.now().getTime() + retryDelayMs(deps.retryBaseMs, attempts)).toISOString();
  await events.update({ ...row, attempts, nextAttemptAt: next, lastError });
  return "retrying";
}
