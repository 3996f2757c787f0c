/** /v1/AuditEvents: the audit trail of every change and refusal, newest first, filtered and paged. */
import { z } from "zod";
import { authorize } from "../../domain/authz";
import { Errors } from "../../domain/errors";
import type { AuditEvent } from "../../domain/types";
import { actorOf } from "../auth";
import { route } from "./route";
import type { V1Module } from "./router";

export const AuditEventBody = z.object({
  sid: z.string(),
  date_created: z.string(),
  actor: z.string(),
  action: z.string(),
  target_type: z.string(),
  target_sid: z.string().nullable(),
  outcome: z.enum(["success", "refused"]),
  before: z.unknown(),
  after: z.unknown(),
  reason: z.string().nullable(),
});

export const AuditEventPage = z.object({
  audit_events: z.array(AuditEventBody),
  meta: z.object({ page_size: z.number().int(), next_page_token: z.string().nullable() }),
});

const toBody = (e: AuditEvent): z.infer<typeof AuditEventBody> => ({
  sid: e.id, date_created: e.time, actor: e.actor, action: e.action, target_type: e.targetType, target_sid: e.targetId,
  outcome: e.outcome, before: e.before, after: e.after, reason: e.reason ?? null,
});

export const auditRoutes: V1Module = (r, registry, deps) => {
  route(r, registry, {
    method: "get", path: "/AuditEvents", tag: "AuditEvents", status: 200, response: AuditEventPage,
    summary: "The audit trail, newest first. Filters: Action, TargetSid, Outcome; pages with PageSize and PageToken",
    query: z.object({
      PageSize: z.coerce.number().int().min(1).max(100).optional(),
      PageToken: z.string().regex(/^AE[0-9a-f]{32}$/, "is not a token this server issued").optional(),
      Action: z.string().max(100).optional(),
      TargetSid: z.string().max(100).optional(),
      Outcome: z.enum(["success", "refused"]).optional(),
    }),
  }, async (req, { query }) => {
    const actor = actorOf(req);
    await authorize(deps.store, deps.clock, actor, { kind: "manageOrganization" }, "audit.read");
    const size = query.PageSize ?? 50;
    const out: AuditEvent[] = [];
    let before = query.PageToken;
    // Filters the store cannot apply are applied here, reading forward in bounded batches.
    for (let round = 0; round < 20 && out.length < size; round++) {
      const batch = await deps.store.audit.list(actor.org.id, { limit: 200, ...(before ? { before } : {}), ...(query.Action ? { action: query.Action } : {}) });
      if (batch.length === 0) break;
      for (const e of batch) {
        if (query.TargetSid && e.targetId !== query.TargetSid) continue;
        if (query.Outcome && e.outcome !== query.Outcome) continue;
        if (out.length < size) out.push(e);
      }
      before = batch[batch.length - 1]!.id;
      if (batch.length < 200) { before = undefined; break; }
    }
    if (out.length === 0 && query.PageToken && !before) throw Errors.invalidParameter("PageToken", "no events follow it.");
    const last = out[out.length - 1];
    return { audit_events: out.map(toBody), meta: { page_size: size, next_page_token: out.length === size && last ? last.id : null } };
  });
};
