/**
 * Mail delivery: the nodemailer adapter of the mail port (src/domain/ports/mail.ts), and the
 * outbox worker that runs `drainOutbox` (src/domain/outbox.ts) on a timer.
 *
 * - SMTP_URL set (smtp://user:pass@host:port, or smtps:// for TLS from the first byte): the worker
 *   drains the outbox first right after start, then one interval (OUTBOX_INTERVAL_MS) after each
 *   run ends, so runs never overlap (./repeating.ts). The timer is unref'd; `stop()` cancels it
 *   and waits for the run in progress, which stops between two mails.
 * - SMTP_URL not set: nothing is sent. One info line at start says where the mail is kept.
 * Log lines name outbox ids, recipients' counts and errors, never a mail's body (it may hold an
 * invitation token) nor SMTP_URL (it may hold a password).
 */
import nodemailer from "nodemailer";
import type { Clock } from "../domain/clock";
import { drainOutbox } from "../domain/outbox";
import type { MailSender } from "../domain/ports/mail";
import type { Store } from "../domain/ports/store";
import { repeat } from "./repeating";

export interface MailerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** An SMTP sender from a connection URL. Timeouts are short: a slow server delays one worker run, not the API. */
export function createSmtpMailer(smtpUrl: string, from: string): MailSender & { close(): void } {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    logger: false,
    debug: false,
  });
  return {
    async send(mail) {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
    },
    close: () => transport.close(),
  };
}

export interface OutboxWorker {
  /** Cancels the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

export function startOutboxWorker(deps: {
  store: Store;
  clock: Clock;
  logger: MailerLogger;
  smtpUrl: string | undefined;
  from: string;
  intervalMs: number;
  /** For tests: a sender instead of SMTP_URL's. */
  mailer?: MailSender;
  /** Told each drain's counts (the metrics). */
  onReport?: (report: { sent: number; retrying: number; failed: number }) => void;
}): OutboxWorker {
  const where = deps.store.kind === "sqlite" ? "the SQLite table outbox" : "the MongoDB collection outbox";
  if (!deps.smtpUrl && !deps.mailer) {
    deps.logger.info({ outbox: where }, `SMTP_URL is not set: invitation, welcome and password-reset mail is not sent; it stays in ${where}`);
    return { stop: async () => undefined };
  }
  const smtp = deps.mailer ? null : createSmtpMailer(deps.smtpUrl as string, deps.from);
  const mailer: MailSender = deps.mailer ?? (smtp as MailSender);
  const run = async (stopped: () => boolean): Promise<void> => {
    try {
      const report = await drainOutbox({ store: deps.store, clock: deps.clock, mailer }, { stopped });
      deps.onReport?.(report);
      if (report.sent + report.retrying + report.failed > 0) deps.logger.info({ ...report }, "outbox drained");
      if (report.failed > 0) deps.logger.error({ failed: report.failed }, `mail given up after repeated failures: see the rows with status failed in ${where}`);
    } catch (e) {
      deps.logger.warn({ err: e }, "outbox drain failed; it runs again at the next interval");
    }
  };
  const task = repeat(run, { firstMs: 0, everyMs: deps.intervalMs });
  return {
    async stop() {
      await task.stop();
      smtp?.close();
    },
  };
}
