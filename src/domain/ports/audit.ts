/** The audit log's port: appending events and listing them newest first, filtered and paged (./store.ts Repos.audit). */
import type { AuditEvent } from "../types";

/**
 * Which audit events to list. Every filter is answered from an index, at any depth: events are
 * listed newest first by (time, then the order they were recorded), after the event `after` (a
 * position AuditRepo.page answered) or `before` (an event id) names. Another organization's event,
 * or an unknown one, lists nothing.
 */
export interface AuditListQuery {
  limit: number;
  /** An event id of the organization. A store may find it by a scan (SQLite, for events recorded since its migration 28): page with `after`. */
  before?: string;
  /** The position of an event of the organization, as AuditPage.positions gave it (short printable ASCII, no space). */
  after?: string;
  action?: string;
  /** The target's id (targetId). */
  targetId?: string;
  outcome?: AuditEvent["outcome"];
  /** The user the actor acted for (../audit.ts actorParts: what follows the actor's last "/"). */
  actorUser?: string;
  /** The credential that acted: the actor without the user it acted for (../audit.ts actorParts). */
  actorCredential?: string;
  /** ISO 8601 instants (toISOString's form): time >= from, time < to. */
  from?: string;
  to?: string;
  /** false lists only this store's own events, true only the imported history (events with `imported`); absent, both. */
  imported?: boolean;
}

/** A page of audit events and the position of each (`after` one lists the events that follow it). */
export interface AuditPage {
  events: AuditEvent[];
  positions: string[];
}

export interface AuditRepo {
  append(event: AuditEvent): Promise<void>;
  list(orgId: string, query: AuditListQuery): Promise<AuditEvent[]>;
  /** As list, with each event's position: how a cursor pages (GET /v1/AuditEvents, export, import). */
  page(orgId: string, query: AuditListQuery): Promise<AuditPage>;
}
