/** Reading the audit trail (GET /v1/AuditEvents): newest first, filtered, paged. */
import type { Actor } from "./actor";
import type { Clock } from "./clock";
import { Errors } from "./errors";
import { afterPolicy, authorize, orgTarget, type AfterPolicy } from "./policy";
import type { Store } from "./ports/store";
import type { AuditEvent } from "./types";

export interface AuditQuery {
  size: number;
  /** The last event of the previous page (opened from the caller's page token once the policy allowed). */
  before?: AfterPolicy<string | undefined>;
  action?: string | undefined;
  targetId?: string | undefined;
  outcome?: AuditEvent["outcome"] | undefined;
  /** true: the history an import copied from elsewhere; false (default): the events this store recorded. The two are never mixed. */
  imported?: boolean | undefined;
}

/** A page of events and the token of the next (null at the end). */
export async function listAuditEvents(deps: { store: Store; clock: Clock }, actor: Actor, q: AuditQuery): Promise<{ events: AuditEvent[]; next: string | null }> {
  await authorize(deps, actor, { action: "audit.read", target: orgTarget(actor.org.id) });
  const out: AuditEvent[] = [];
  const after = afterPolicy(q.before);
  let before = after;
  // Filters the store cannot apply are applied here, reading forward in bounded batches.
  for (let round = 0; round < 20 && out.length < q.size; round++) {
    const batch = await deps.store.audit.list(actor.org.id, {
      limit: 200, imported: q.imported ?? false, ...(before ? { before } : {}), ...(q.action ? { action: q.action } : {}),
    });
    if (batch.length === 0) break;
    for (const e of batch) {
      if (q.targetId && e.targetId !== q.targetId) continue;
      if (q.outcome && e.outcome !== q.outcome) continue;
      if (out.length < q.size) out.push(e);
    }
    before = batch[batch.length - 1]!.id;
    if (batch.length < 200) { before = undefined; break; }
  }
  if (out.length === 0 && after && !before) throw Errors.invalidParameter("PageToken", "no events follow it.");
  const last = out[out.length - 1];
  return { events: out, next: out.length === q.size && last ? last.id : null };
}
