/** /v1/AuditEvents: the audit trail of every change and refusal, newest first, filtered and paged. */
import { z } from "zod";
import { listAuditEvents, type AuditCursor } from "../../domain/audit-log";
import { Errors } from "../../domain/errors";
import type { AuditEvent } from "../../domain/types";
import { actorOf } from "../auth";
import { PAGE_TOKEN_INVALID, PageMeta, PageQuery, cursorMeta, pageTokenScope } from "./paging";
import { route } from "./route";
import type { V1Module } from "./module";
import { named } from "./schemas";

export const AuditEventBody = named("AuditEvent", z.object({
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
}));

export const AuditEventPage = named("AuditEventList", z.object({ audit_events: z.array(AuditEventBody), meta: PageMeta }));

const toBody = (e: AuditEvent): z.infer<typeof AuditEventBody> => ({
  sid: e.id, date_created: e.time, actor: e.actor, action: e.action, target_type: e.targetType, target_sid: e.targetId,
  outcome: e.outcome, before: e.before, after: e.after, reason: e.reason ?? null,
  imported: e.imported ? { date_imported: e.imported.at, source: e.imported.from } : null,
});

export const auditRoutes: V1Module = (r, registry, deps) => {
  route(r, registry, {
    method: "get", operationId: "listAuditEvents", path: "/AuditEvents", tag: "AuditEvents", status: 200, response: AuditEventPage, paged: true,
    summary: "The audit trail, newest first: the events this store recorded, or with Imported=true the history an import copied from elsewhere (never mixed). Filters: Action, TargetSid, Actor (a user's sid: whatever acted for them; or a credential: a token's or OAuth client's sid, operator:<command>), Outcome, From and To (ISO 8601 date-times: From inclusive, To exclusive), combined; every filter is answered from an index and pages with PageSize and PageToken to the last matching event",
    query: z.object({
      Action: z.string().max(100).optional(),
      TargetSid: z.string().max(100).optional(),
      Actor: z.string().min(1).max(200).optional(),
      Outcome: z.enum(["success", "refused"]).optional(),
      Imported: z.enum(["true", "false"]).optional(),
      From: z.string().max(40).optional(),
      To: z.string().max(40).optional(),
    }),
  }, async (req, { query }) => {
    const raw = req.query as Record<string, unknown>;
    const paging = PageQuery.safeParse({ PageSize: raw.PageSize, PageToken: raw.PageToken });
    if (!paging.success) throw Errors.invalidParameter("PageSize", "must be an integer from 1 to 100.");
    const size = paging.data.PageSize ?? 50;
    const token = paging.data.PageToken ?? null;
    // The token seals the last event's position ("@" and the store's position of it) and the next page's number, for this
    // organization and list (./paging.ts): another's does not open. A token issued before positions seals the event's id.
    const scope = pageTokenScope(req);
    let page = 0;
    // Opened by the use case once the policy allowed: a caller who may not read the trail gets 403, whatever token it sends.
    const before = (): AuditCursor | undefined => {
      if (token === null) return undefined;
      const m = /^(?:(AE[0-9a-f]{32})|@([!-~]{1,36})) (\d{1,9})$/.exec(scope.tokens.open(scope.orgId, scope.purpose, token) ?? "");
      if (!m) throw Errors.invalidParameter("PageToken", PAGE_TOKEN_INVALID);
      page = Number(m[3]);
      return m[1] !== undefined ? { before: m[1] } : { after: m[2]! };
    };
    const { events, next } = await listAuditEvents(deps, actorOf(req), {
      size, before, action: query.Action, targetId: query.TargetSid, actor: query.Actor, outcome: query.Outcome, from: query.From, to: query.To, imported: query.Imported === "true",
    });
    const nextToken = next ? scope.tokens.seal(scope.orgId, scope.purpose, `@${next} ${page + 1}`) : null;
    return { audit_events: events.map(toBody), meta: cursorMeta(req, "audit_events", size, page, token, nextToken) };
  });
};
