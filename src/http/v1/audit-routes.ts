/** /v1/AuditEvents: the audit trail of every change and refusal, newest first, filtered and paged. */
import { z } from "zod";
import { listAuditEvents } from "../../domain/audit-log";
import { Errors } from "../../domain/errors";
import type { AuditEvent } from "../../domain/types";
import { actorOf } from "../auth";
import { PAGE_TOKEN_INVALID, pageTokenScope } from "./paging";
import { route } from "./route";
import type { V1Module } from "./module";

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
  imported: z.object({ date_imported: z.string(), source: z.string() }).nullable()
    .describe("Imported history (orgscim import or migrate): when this store took the event, and from what. null: an event this store recorded"),
});

export const AuditEventPage = z.object({
  audit_events: z.array(AuditEventBody),
  meta: z.object({ page_size: z.number().int(), next_page_token: z.string().nullable() }),
});

const toBody = (e: AuditEvent): z.infer<typeof AuditEventBody> => ({
  sid: e.id, date_created: e.time, actor: e.actor, action: e.action, target_type: e.targetType, target_sid: e.targetId,
  outcome: e.outcome, before: e.before, after: e.after, reason: e.reason ?? null,
  imported: e.imported ? { date_imported: e.imported.at, source: e.imported.from } : null,
});

export const auditRoutes: V1Module = (r, registry, deps) => {
  route(r, registry, {
    method: "get", path: "/AuditEvents", tag: "AuditEvents", status: 200, response: AuditEventPage,
    summary: "The audit trail, newest first: the events this store recorded, or with Imported=true the history an import copied from elsewhere (never mixed). Filters: Action, TargetSid, Outcome, From and To (ISO 8601 date-times: From inclusive, To exclusive), combined; every filter is answered from an index and pages with PageSize and PageToken to the last matching event",
    query: z.object({
      PageSize: z.coerce.number().int().min(1).max(100).optional(),
      PageToken: z.string().max(200).optional(),
      Action: z.string().max(100).optional(),
      TargetSid: z.string().max(100).optional(),
      Outcome: z.enum(["success", "refused"]).optional(),
      Imported: z.enum(["true", "false"]).optional(),
      From: z.string().max(40).optional(),
      To: z.string().max(40).optional(),
    }),
  }, async (req, { query }) => {
    const size = query.PageSize ?? 50;
    // The token seals the last event's id for this organization and list (./paging.ts): another's does not open.
    const scope = pageTokenScope(req);
    // Opened by the use case once the policy allowed: a caller who may not read the trail gets 403, whatever token it sends.
    const before = (): string | undefined => {
      if (!query.PageToken) return undefined;
      const opened = scope.tokens.open(scope.orgId, scope.purpose, query.PageToken);
      if (!opened || !/^AE[0-9a-f]{32}$/.test(opened)) throw Errors.invalidParameter("PageToken", PAGE_TOKEN_INVALID);
      return opened;
    };
    const { events, next } = await listAuditEvents(deps, actorOf(req), {
      size, before, action: query.Action, targetId: query.TargetSid, outcome: query.Outcome, from: query.From, to: query.To, imported: query.Imported === "true",
    });
    return { audit_events: events.map(toBody), meta: { page_size: size, next_page_token: next ? scope.tokens.seal(scope.orgId, scope.purpose, next) : null } };
  });
};
