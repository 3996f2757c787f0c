/** The store contract: the outbox (compare-and-set claims that never undo a cancel). */
import type { Store } from "../../../src/domain/ports/store";
import type { OutboxMessage } from "../../../src/domain/types";
import { anOrg } from "../../helpers/fixtures";
import type { ContractIt } from "./types";

const NOW = "2026-01-01T00:00:00.000Z";
let n = 0;
const aMessage = (orgId: string, over: Partial<OutboxMessage> = {}): OutboxMessage => ({
  id: `EM${String(++n).padStart(32, "0")}${Math.random().toString(16).slice(2, 6)}`.slice(0, 34), orgId, kind: "invitation", ref: `IN${n}`, to: "a@x.test",
  subject: "s", text: "body", status: "pending", created: NOW, sentAt: null, attempts: 0, lastError: null, nextAttemptAt: NOW, ...over,
});

export function outbox(it_: ContractIt, store: () => Store): void {
  it_("lets one worker claim a due message by compare-and-set on attempts", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const m = aMessage(org.id); await store().outbox.insert(m);
    const claim = { ...m, attempts: 1, nextAttemptAt: "2026-01-01T00:05:00.000Z" };
    expect(await store().outbox.update(claim, 0)).toBe(true);
    expect(await store().outbox.update(claim, 0)).toBe(false);
    expect(await store().outbox.get(m.orgId, m.id)).toEqual(claim);
  });

  it_("never undoes a cancel: a claim of a message cancelled after it was listed fails, and the message stays cancelled", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const m = aMessage(org.id); await store().outbox.insert(m);
    const [listed] = (await store().outbox.listDue("2026-01-02T00:00:00.000Z", 100)).filter((x) => x.id === m.id);
    expect(listed).toEqual(m);
    expect(await store().outbox.cancelPending(anOrg().id, m.ref!)).toBe(0); // another organization's cancel touches nothing
    expect(await store().outbox.get(anOrg().id, m.id)).toBeNull();
    expect(await store().outbox.cancelPending(org.id, m.ref!)).toBe(1);
    expect(await store().outbox.update({ ...listed!, attempts: 1, nextAttemptAt: "2026-01-01T00:05:00.000Z" }, 0)).toBe(false);
    expect(await store().outbox.get(m.orgId, m.id)).toMatchObject({ status: "cancelled", text: null, attempts: 0 });
    // nor does the report of a send that was under way when the cancel came
    const sending = aMessage(org.id); await store().outbox.insert(sending);
    const claimed = { ...sending, attempts: 1 };
    expect(await store().outbox.update(claimed, 0)).toBe(true);
    expect(await store().outbox.cancelPending(org.id, sending.ref!)).toBe(1);
    expect(await store().outbox.update({ ...claimed, status: "sent", sentAt: NOW, text: null }, 1)).toBe(false);
    expect(await store().outbox.get(sending.orgId, sending.id)).toMatchObject({ status: "cancelled" });
  });

  it_("lists an organization's messages newest first, an offset of them skipped, narrowed by status", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const other = anOrg(); await store().orgs.insert(other);
    const ms = [0, 1, 2, 3, 4].map((i) => aMessage(org.id, { created: `2026-01-01T00:00:0${i}.000Z`, ...(i % 2 === 1 ? { status: "sent" as const, sentAt: NOW, text: null } : {}) }));
    for (const m of ms) await store().outbox.insert(m);
    await store().outbox.insert(aMessage(other.id, { created: "2026-01-01T00:00:09.000Z" }));
    const ids = async (q: { status?: "sent"; limit: number; offset?: number }) => (await store().outbox.list({ orgId: org.id, ...q })).map((m) => m.id);
    const newest = [...ms].reverse().map((m) => m.id);
    expect(await ids({ limit: 10 })).toEqual(newest);
    expect(await ids({ limit: 2, offset: 0 })).toEqual(newest.slice(0, 2));
    expect(await ids({ limit: 2, offset: 2 })).toEqual(newest.slice(2, 4));
    expect(await ids({ limit: 2, offset: 4 })).toEqual(newest.slice(4));
    expect(await ids({ limit: 10, offset: 5 })).toEqual([]);
    expect(await ids({ status: "sent", limit: 1, offset: 1 })).toEqual([ms[1]!.id]);
  });

  it_("counts the pending messages of every organization, up to a cap, and nothing else", async () => {
    const before = await store().outbox.countPending(1_000_000);
    const a = anOrg(); await store().orgs.insert(a);
    const b = anOrg(); await store().orgs.insert(b);
    await store().outbox.insert(aMessage(a.id));
    await store().outbox.insert(aMessage(b.id));
    await store().outbox.insert({ ...aMessage(a.id), orgId: null });
    await store().outbox.insert(aMessage(a.id, { status: "sent", sentAt: NOW, text: null }));
    const cancelled = aMessage(b.id); await store().outbox.insert(cancelled);
    expect(await store().outbox.cancelPending(b.id, cancelled.ref!)).toBe(1);
    expect(await store().outbox.countPending(1_000_000)).toBe(before + 3);
    expect(await store().outbox.countPending(before + 2)).toBe(before + 2);
    expect(await store().outbox.countPending(0)).toBe(0);
  });
}
