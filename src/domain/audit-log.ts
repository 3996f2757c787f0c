/** Reading the audit trail (GET /v1/AuditEvents): newest first, filtered, paged. */
import type { Actor } from "./actor";
import type { Clock } from "./clock";
import { Errors } from "./errors";
import { afterPolicy, authorize, orgTarget, type AfterPolicy } from "./policy";
import type { AuditListQuery, Store } from "./ports/store";
import type { AuditEvent } from "./types";

export interface AuditQuery {
  size: number;
  /** The last event of the previous page (opened from the caller's page token once the policy allowed). */
  before?: AfterPolicy<AuditCursor | undefined>;
  action?: string | undefined;
  targetId?: string | undefined;
  outcome?: AuditEvent["outcome"] | undefined;
  /** Who acted: a user's sid (every credential that acted for them), or a credential (a token's or client's sid, `operator:…`, `invitation:…`). */
  actor?: string | undefined;
  /** true: the history an import copied from elsewhere; false (default): the events this store recorded. The two are never mixed. */
  imported?: boolean | undefined;
  /** ISO 8601 instants: events at or after `from`, before `to`. */
  from?: string | undefined;
  to?: string | undefined;
}

/** Where the previous page ended: the position of its last event (AuditPage.positions), or its id (page tokens issued before positions). */
export type AuditCursor = { after: string } | { before: string };

/**
 * A page of events and the token of the next (null at the end). The store answers every filter
 * from an index (ports/store.ts AuditListQuery), so a page costs its own rows at any depth and
 * paging reaches the last matching event; one more event than the page is read to know whether
 * another page follows.
 */
export async function listAuditEvents(deps: { store: Store; clock: Clock }, actor: Actor, q: AuditQuery): Promise<{ events: AuditEvent[]; next: string | null }> {
  await authorize(deps, actor, { action: "audit.read", target: orgTarget(actor.org.id) });
  const query: AuditListQuery = { limit: q.size + 1, imported: q.imported ?? false };
  const before = afterPolicy(q.before); // opened only now that the policy allowed
  if (before !== undefined) {
    if ("after" in before) query.after = before.after;
    else query.before = before.before;
  }
  if (q.action !== undefined) query.action = q.action;
  if (q.targetId !== undefined) query.targetId = q.targetId;
  if (q.outcome !== undefined) query.outcome = q.outcome;
  if (q.actor !== undefined) {
    if (USER_SID.test(q.actor)) query.actorUser = q.actor;
    else query.actorCredential = q.actor;
  }
  if (q.from !== undefined) query.from = instant("From", q.from);
  if (q.to !== undefined) query.to = instant("To", q.to);
  const found = await deps.store.audit.page(actor.org.id, query);
  const events = found.events.slice(0, q.size);
  return { events, next: found.events.length > q.size ? found.positions[q.size - 1]! : null };
}

const USER_SID = /^US[0-9a-f]{32}$/;

/** An ISO 8601 date-time with its offset, as the store keeps times (toISOString), or a 400 naming the parameter. */
function instant(name: string, value: string): string {
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw Errors.invalidParameter(name, "must be an ISO 8601 date-time with its offset, e.g. 2026-12-01T00:00:00Z.");
  return new Date(ms).toISOString();
}
