/**
 * What the Admin Center reads of the outbox (GET /v1/Outbox): the organization's mail, newest
 * first, with what happened to each (queued, sent, failed, cancelled), never a body (an
 * invitation's body holds its token until it is sent). Who may read it: outbox.read.
 */
import type { Actor } from "./actor";
import type { Clock } from "./clock";
import { afterPolicy, authorize, orgTarget, type AfterPolicy } from "./policy";
import type { Store } from "./ports/store";
import type { OutboxMessage } from "./types";

export interface OutboxViewDeps {
  store: Store;
  clock: Clock;
}

/** A message as the outbox page shows it: everything but the body. */
export type OutboxEntry = Omit<OutboxMessage, "text">;

/** One page of the organization's mail, newest first; `more` when another page follows. */
export async function listOutbox(deps: OutboxViewDeps, actor: Actor, q: { status?: OutboxMessage["status"]; offset: AfterPolicy<number>; limit: number }): Promise<{ items: OutboxEntry[]; more: boolean }> {
  await authorize(deps, actor, { action: "outbox.read", target: orgTarget(actor.org.id) });
  const rows = await deps.store.outbox.list({ orgId: actor.org.id, ...(q.status ? { status: q.status } : {}), offset: afterPolicy(q.offset), limit: q.limit + 1 });
  return { items: rows.slice(0, q.limit).map(({ text: _body, ...rest }) => rest), more: rows.length > q.limit };
}
