/**
 * Builds audit events. Every change and every refused action leaves exactly one; its before and
 * after keep only the attributes that changed, never a secret (./audit-diff.ts).
 */
import { actorName, type Actor } from "./actor";
import { auditChange } from "./audit-diff";
import { type Clock, isoNow } from "./clock";
import { newId } from "./ids";
import type { Repos } from "./ports/store";
import type { AuditEvent } from "./types";

export function auditEvent(
  clock: Clock,
  actor: Actor,
  action: string,
  target: { type: string; id: string | null },
  change: { before?: unknown; after?: unknown; outcome?: AuditEvent["outcome"]; reason?: string } = {},
): AuditEvent {
  const { before, after } = auditChange(change.before, change.after);
  const e: AuditEvent = {
    id: newId("AE"),
    orgId: actor.org.id,
    time: isoNow(clock),
    actor: actorName(actor),
    action,
    targetType: target.type,
    targetId: target.id,
    outcome: change.outcome ?? "success",
    before,
    after,
  };
  if (change.reason !== undefined) e.reason = change.reason;
  return e;
}

/**
 * The two halves of an audit event's actor (../actor.ts actorName): the credential that acted (a
 * token or OAuth client sid, `operator:<command>`, `invitation:<sid>`) and the user it acted for, if
 * any. GET /v1/AuditEvents filters by either; both stores index them (SQLite computes the same
 * split in SQL, migration 21: the store contract checks that they agree).
 */
export function actorParts(actor: string): { credential: string; user: string | null } {
  const m = ACTOR_USER.exec(actor);
  return m ? { credential: actor.slice(0, m.index), user: actor.slice(m.index + 1) } : { credential: actor, user: null };
}
const ACTOR_USER = /\/US[0-9a-f]{32}$/;

/** Records a refusal, outside any transaction (the refused change itself was never applied). */
export async function auditRefusal(repos: Repos, clock: Clock, actor: Actor, action: string, target: { type: string; id: string | null }, reason: string): Promise<void> {
  await repos.audit.append(auditEvent(clock, actor, action, target, { outcome: "refused", reason }));
}
