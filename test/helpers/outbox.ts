/** Reading the outbox after a mail arrived: the SMTP server has it before the worker records it as sent. */
import type { Store } from "../../src/domain/ports/store";
import type { OutboxMessage } from "../../src/domain/types";

/** The outbox rows for `ref`, once the first of them is no longer pending (or after `timeoutMs`). */
export async function settledOutbox(store: Store, ref: string, limit = 10, timeoutMs = 5000): Promise<OutboxMessage[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await store.outbox.list({ ref, limit });
    if ((rows[0] !== undefined && rows[0].status !== "pending") || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 20));
  }
}
