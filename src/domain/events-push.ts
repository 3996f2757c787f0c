/**
 * Push delivery (RFC 8935): each push stream's pending SETs are POSTed to its receiver one at a
 * time, in order (seq), each acknowledged on its own:
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
}

export interface PushReport {
  delivered: number;
  refused: number;
  retrying: number;
}

const BATCH = 100;
const LEASE_MS = 60_000;
const RETRY_MAX_MS = 10 * 60_000;

export const retryDelayMs = (base: number, attempts: number): number => Math.min(base * 2 ** Math.max(0, attempts - 1), RETRY_MAX_MS);

/** The audience of a stream's SETs: the stream's URL in the /v1 API (the same for push and poll). */
export const audienceOf = (issuer: string, streamId: string): string => `${issuer}/v1/EventStreams/${streamId}`;

const describe = (text: string): string => text.replace(/\s+/g, " ").slice(0, 500);

/** Sends every push stream's due SETs once; `stopped` is asked between SETs. */
export async function pushDue(deps: PushDeps, options: { stopped?: () => boolean } = {}): Promise<PushReport> {
  const report: PushReport = { delivered: 0, refused: 0, retrying: 0 };
  const events = deps.store.events;
  if (!events) return report;
  for (const stream of await events.listPushStreams()) {
    if (options.stopped?.()) break;
    const head = await events.listPending(stream.orgId, stream.id, 1);
    if (head.length === 0 || head[0]!.nextAttemptAt > isoNow(deps.clock)) continue;
    const now = deps.clock.now().getTime();
    if (!(await events.lease(stream.id, new Date(now).toISOString(), new Date(now + LEASE_MS).toISOString()))) continue;
    try {
      await pushStream(deps, stream, report, options);
    } finally {
      await events.release(stream.id);
    }
  }
  return report;
}

async function pushStream(deps: PushDeps, stream: EventStream, report: PushReport, options: { stopped?: () => boolean }): Promise<void> {
  const events = deps.store.events!;
  for (;;) {
    const rows = await events.listPending(stream.orgId, stream.id, BATCH);
    if (rows.length === 0) return;
    for (const row of rows) {
      if (options.stopped?.() || row.nextAttemptAt > isoNow(deps.clock)) return;
      const outcome = await pushOne(deps, stream, row);
      report[outcome]++;
      if (outcome === "retrying") return; // the later SETs wait behind this one: order per stream
    }
  }
}

async function pushOne(deps: PushDeps, stream: EventStream, row: SecurityEventRecord): Promise<keyof PushReport> {
  const events = deps.store.events!;
  const set = await signSet(deps.store, JSON.parse(row.claims) as SetClaims, deps.issuer, audienceOf(deps.issuer, stream.id));
  let answer: { status: number; body: string } | null = null;
  let failure = "";
  try {
    answer = await deps.sender.post(stream.endpoint!, set);
  } catch (e) {
    failure = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  if (answer && answer.status >= 200 && answer.status < 300) {
    await events.ack(stream.orgId, stream.id, [row.jti]);
    return "delivered";
  }
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
