/**
 * A real SMTP server on loopback (smtp-server, a random port, AUTH PLAIN/LOGIN without TLS). The
 * server under test reaches it through SMTP_URL, exactly as it reaches a real mail server:
 * nodemailer is never mocked. Every accepted message is parsed (headers, and the text body decoded
 * from quoted-printable or base64) so tests read what an invitee would read.
 *
 * - `url`: smtp://user:pass@127.0.0.1:<port>, with the credentials the server checks.
 * - `failNext(n, to?)`: the next n messages (to `to` only, when given) are refused with 451 (a
 *   temporary failure) after DATA.
 * - `waitFor(predicate)`: the first received message matching, waiting up to a timeout.
 */
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  /** The decoded text body, with \n line ends. */
  text: string;
  raw: string;
}

export interface TestSmtpServer {
  url: string;
  port: number;
  messages: ReceivedMail[];
  /** Failed deliveries (refused with 451), in order. */
  refused: string[][];
  failNext(n: number, to?: string): void;
  waitFor(predicate: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

const USER = "orgscim";
const PASS = "s3cret-pass";

function decodeQuotedPrintable(s: string): string {
  const bytes = s.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, "latin1").toString("utf8");
}

/** Parses a single-part text message (what the mailer sends). */
export function parseMail(raw: string): { subject: string; text: string; headers: Map<string, string> } {
  const at = raw.indexOf("\r\n\r\n");
  const head = (at >= 0 ? raw.slice(0, at) : raw).replace(/\r\n[ \t]+/g, " ");
  const body = at >= 0 ? raw.slice(at + 4) : "";
  const headers = new Map<string, string>();
  for (const line of head.split("\r\n")) {
    const i = line.indexOf(":");
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  const encoding = (headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  const text = encoding === "quoted-printable" ? decodeQuotedPrintable(body)
    : encoding === "base64" ? Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8")
      : body;
  return { subject: headers.get("subject") ?? "", text: text.replace(/\r\n/g, "\n"), headers };
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const refused: string[][] = [];
  let failing = 0;
  let failingTo: string | undefined;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authOptional: false,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === USER && auth.password === PASS) return callback(null, { user: USER });
      return callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        if (failing > 0 && (failingTo === undefined || to.includes(failingTo))) {
          failing--;
          refused.push(to);
          const e = new Error("Mailbox temporarily unavailable, try again later") as Error & { responseCode: number };
          e.responseCode = 451;
          return callback(e);
        }
        const raw = Buffer.concat(chunks).toString("latin1");
        const { subject, text } = parseMail(raw);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        messages.push({ from, to, subject, text, raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://${USER}:${PASS}@127.0.0.1:${port}`,
    port,
    messages,
    refused,
    failNext(n, to) {
      failing = n;
      failingTo = to;
    },
    async waitFor(predicate, timeoutMs = 60_000) { // bounds a hang only: a loaded machine mails late, not never
      const until = Date.now() + timeoutMs;
      for (;;) {
        const hit = messages.find(predicate);
        if (hit) return hit;
        if (Date.now() > until) throw new Error(`no matching mail within ${timeoutMs} ms; received: ${messages.map((m) => `${m.to.join(",")}: ${m.subject}`).join("; ") || "none"}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
