/**
 * The mail port: what the outbox (src/domain/outbox.ts) needs to deliver one message, and nothing
 * else. The production adapter (src/infra/mailer.ts) speaks SMTP with nodemailer to SMTP_URL and
 * sets the sender (MAIL_FROM); tests point it at a real SMTP server on loopback
 * (test/helpers/smtp-server.ts). The domain never imports nodemailer.
 */

export interface OutgoingMail {
  to: string;
  subject: string;
  /** Plain text. May hold a single-use invitation token: adapters never log it. */
  text: string;
}

export interface MailSender {
  /**
   * Resolves once the server accepted the message for delivery; rejects when it did not (the
   * outbox records the error and retries later). A rejection's message must not contain the body.
   */
  send(mail: OutgoingMail): Promise<void>;
}
