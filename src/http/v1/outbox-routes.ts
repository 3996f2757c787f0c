/**
 * /v1/Outbox: the organization's mail (invitations, welcomes, password resets), newest first, with
 * its state: queued (not sent yet; with SMTP_URL unset it stays so), sent, failed (given up after
 * the last try), cancelled (superseded by a resend, or its invitation revoked or accepted). Never
 * a body: an unsent invitation's body holds the invitation's token.
 */
import { z } from "zod";
import { listOutbox, type OutboxEntry } from "../../domain/outbox-view";
import { actorOf } from "../auth";
import type { V1Module } from "./module";
import { PageMeta, pageMeta, readPage } from "./paging";
import { route } from "./route";
import { named } from "./schemas";

const STATUS = { pending: "queued", sent: "sent", failed: "failed", cancelled: "cancelled" } as const;
const STORED = { queued: "pending", sent: "sent", failed: "failed", cancelled: "cancelled" } as const;

export const OutboxMailBody = named("OutboxMail", z.object({
  sid: z.string(),
  kind: z.enum(["invitation", "welcome", "password_reset"]),
  to: z.string(),
  subject: z.string(),
  status: z.enum(["queued", "sent", "failed", "cancelled"]),
  about_sid: z.string().nullable().describe("What the mail is about: the invitation (IV…) or the user (US…)"),
  attempts: z.number().int().describe("Tries so far"),
  date_created: z.string(),
  date_sent: z.string().nullable(),
  date_next_attempt: z.string().nullable().describe("When a queued mail is tried next"),
  last_error: z.string().nullable().describe("The mail server's last answer when a try failed"),
}));

export const OutboxPage = named("OutboxMailList", z.object({ mail: z.array(OutboxMailBody), meta: PageMeta }));

const toBody = (m: OutboxEntry): z.infer<typeof OutboxMailBody> => ({
  sid: m.id, kind: m.kind, to: m.to, subject: m.subject, status: STATUS[m.status], about_sid: m.ref, attempts: m.attempts,
  date_created: m.created, date_sent: m.sentAt, date_next_attempt: m.status === "pending" ? m.nextAttemptAt : null, last_error: m.lastError,
});

export const outboxRoutes: V1Module = (r, registry, deps) => {
  route(r, registry, {
    method: "get", operationId: "listOutbox", path: "/Outbox", tag: "Outbox", status: 200, response: OutboxPage, paged: true,
    summary: "The organization's mail, newest first, with what happened to each (queued, sent, failed, cancelled); never a body. Status narrows to one state",
    query: z.object({ Status: z.enum(["queued", "sent", "failed", "cancelled"]).optional() }),
  }, async (req, { query }) => {
    const page = readPage(req);
    const { items, more } = await listOutbox(deps, actorOf(req), { ...(query.Status ? { status: STORED[query.Status] } : {}), offset: page.offset, limit: page.size });
    return { mail: items.map(toBody), meta: pageMeta(req, "mail", page.page(), items.length, more) };
  });
};
