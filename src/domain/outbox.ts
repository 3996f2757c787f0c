/**
 * The outbox: every mail orgscim sends (invitations, welcomes, password resets) is first a row in
 * the store, written in the same transaction as the change it reports, so a mail is queued if and
 * only if its change happened. `drainOutbox` delivers due rows through the mail port
 * (src/domain/ports/mail.ts); src/infra/mailer.ts runs it on a timer when SMTP_URL is set.
 * Without SMTP_URL nothing is sent: the rows stay in the outbox (SQLite table / MongoDB
 * collection `outbox`) for an operator to read.
 *
 * Delivery, at least once:
 * - A worker claims a due row by compare-and-set on `attempts` of a row still pending
 *   (attempts + 1, nextAttemptAt = now + a lease), so two workers (several instances on one
 *   MongoDB) never send one row at the same time, and a row cancelled after it was listed stays
 *   cancelled; a worker that dies mid-send leaves the row to be retried when the lease ends.
 * - Success: status `sent`, `sentAt`, and the body is purged (text = null).
 * - Failure: `lastError` (the server's answer, never the body) and a retry after an exponential
 *   backoff (30 s, 1 min, 2 min, ... at most 6 h); after MAX_ATTEMPTS the row is `failed` and its
 *   body purged: an invitation is then sent again with Resend, which makes a new token.
 *
 * Tokens at rest: the invitation record keeps only the SHA-256 of its token. The plaintext exists
 * in one place, the body of the pending outbox row, because that body IS the mail. It is purged
 * when the mail is sent, given up on, or superseded (Resend and Revoke cancel the invitation's
 * unsent mail, Accept too): a store dump shows a usable token only for mail that has not been
 * delivered yet. Without SMTP the rows are the delivery channel and keep their bodies until an
 * operator forwards them and the invitation is accepted, resent or revoked.
 */
import { randomBytes } from "node:crypto";
import { type Clock, isoNow } from "./clock";
import type { MailSender } from "./ports/mail";
import type { Repos, Store } from "./ports/store";
import type { OutboxMessage } from "./types";

export const MAX_ATTEMPTS = 8;
/** How long a claimed row is reserved for the worker sending it. */
export const CLAIM_LEASE_MS = 5 * 60_000;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 6 * 3600_000;
const BATCH = 50;
/** The most rows one drain handles, so that a run always ends. */
const MAX_PER_DRAIN = 1000;

/** The wait before the next try after `attempts` failed attempts. */
export const backoffMs = (attempts: number): number => Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1), BACKOFF_MAX_MS);

/** Outbox ids have the platform's shape: two letters (EM, email) and 32 hex digits. */
const newOutboxId = (): string => `EM${randomBytes(16).toString("hex")}`;

export interface MailToQueue {
  orgId: string | null;
  kind: OutboxMessage["kind"];
  ref: string | null;
  to: string;
  subject: string;
  text: string;
}

/** Adds a mail to the outbox; call it inside the transaction of the change the mail reports. */
export async function queueMail(tx: Repos, clock: Clock, mail: MailToQueue): Promise<OutboxMessage> {
  const now = isoNow(clock);
  const message: OutboxMessage = {
    id: newOutboxId(), orgId: mail.orgId, kind: mail.kind, ref: mail.ref, to: mail.to, subject: mail.subject, text: mail.text,
    status: "pending", created: now, sentAt: null, attempts: 0, lastError: null, nextAttemptAt: now,
  };
  await tx.outbox.insert(message);
  return message;
}

export interface DrainDeps {
  store: Store;
  clock: Clock;
  mailer: MailSender;
}

export interface DrainReport {
  sent: number;
  /** Failed this time, to be tried again later. */
  retrying: number;
  /** Failed for the last time (status failed). */
  failed: number;
}

/** The error as the outbox records it: one line, bounded, from the server's answer. */
function describe(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return text.replace(/\s+/g, " ").slice(0, 500);
}

/**
 * Sends every due row once (rows failing now wait for their backoff, so a run always ends).
 * `stopped` is asked between rows, so shutting down never waits for more than one send.
 */
export async function drainOutbox(deps: DrainDeps, options: { stopped?: () => boolean } = {}): Promise<DrainReport> {
  const report: DrainReport = { sent: 0, retrying: 0, failed: 0 };
  let handled = 0;
  while (handled < MAX_PER_DRAIN && !options.stopped?.()) {
    const due = await deps.store.outbox.listDue(isoNow(deps.clock), BATCH);
    if (due.length === 0) break;
    for (const m of due) {
      if (options.stopped?.()) break;
      handled++;
      const outcome = await deliver(deps, m);
      if (outcome) report[outcome]++;
    }
  }
  return report;
}

async function deliver(deps: DrainDeps, m: OutboxMessage): Promise<keyof DrainReport | null> {
  const { store, clock } = deps;
  const claimed: OutboxMessage = { ...m, attempts: m.attempts + 1, nextAttemptAt: new Date(clock.now().getTime() + CLAIM_LEASE_MS).toISOString() };
  if (m.text === null || !(await store.outbox.update(claimed, m.attempts))) return null; // another worker has it
  try {
    await deps.mailer.send({ to: m.to, subject: m.subject, text: m.text });
  } catch (e) {
    // Cancelled while we were sending (a resend or revoke): leave it cancelled, body purged.
    if ((await store.outbox.get(m.orgId, m.id))?.status === "cancelled") return null;
    const last = claimed.attempts >= MAX_ATTEMPTS;
    await store.outbox.update({
      ...claimed,
      status: last ? "failed" : "pending",
      text: last ? null : claimed.text,
      lastError: describe(e),
      nextAttemptAt: new Date(clock.now().getTime() + backoffMs(claimed.attempts)).toISOString(),
    }, claimed.attempts);
    return last ? "failed" : "retrying";
  }
  await store.outbox.update({ ...claimed, status: "sent", sentAt: isoNow(clock), text: null, lastError: null }, claimed.attempts);
  return "sent";
}
