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

/** Records a refusal, outside any transaction (the refused change itself was never applied). */
export async function auditRefusal(repos: Repos, clock: Clock, actor: Actor, action: string, target: { type: string; id: string | null }, reason: string): Promise<void> {
  await repos.audit.append(auditEvent(clock, actor, action, target, { outcome: "refused", reason }));
}
