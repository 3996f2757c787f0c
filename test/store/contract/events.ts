/**
 * The store contract: SCIM event streams and their SETs (src/domain/ports/events.ts), the SETs
 * written in the transaction of the change (src/domain/events-capture.ts `withEvents` over the
 * store), and the last use of tokens (TokenRepo.recordUse/listUses). Both stores keep them; a store
 * without them fails here rather than answering 400 to a stream.
 */
import { randomBytes } from "node:crypto";
import { withEvents } from "../../../src/domain/events-capture";
import type { EventStream, SecurityEventRecord } from "../../../src/domain/events-model";
import type { EventRepo, Store } from "../../../src/domain/ports/store";
import { anOrg, aUser } from "../../helpers/fixtures";
import type { ContractIt } from "./types";

const NOW = "2026-01-01T00:00:00.000Z";
const hex = (n: number) => randomBytes(n).toString("hex");
let tick = 0;
/** Created times that increase with each stream made, so that "oldest first" is a checkable order. */
const later = () => new Date(Date.parse(NOW) + ++tick * 1000).toISOString();

const aStream = (orgId: string, over: Partial<EventStream> = {}): EventStream => ({
  id: `ES${hex(16)}`, orgId, name: "receiver", delivery: "push", endpoint: "https://receiver.example/events", pollSecretHash: null,
  created: later(), createdBy: "TKtest", deleted: null, ...over,
});

const aSet = (s: EventStream, subject = `/Users/US${hex(16)}`, over: Partial<SecurityEventRecord> = {}): SecurityEventRecord => {
  const jti = hex(16);
  return {
    seq: 0, jti, orgId: s.orgId, streamId: s.id, subject, claims: JSON.stringify({ jti, sub_id: { uri: subject } }), status: "pending",
    attempts: 0, nextAttemptAt: NOW, lastError: null, created: NOW, ...over,
  };
};

export function events(it_: ContractIt, store: () => Store): void {
  const repo = (): EventRepo => {
    const r = store().events;
    if (!r) throw new Error(`the ${store().kind} store keeps no SCIM events (Repos.events is missing)`);
    return r;
  };

  it_("keeps an organization's streams: one by id, its list and its live list oldest first, push streams of every organization", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const other = anOrg(); await store().orgs.insert(other);
    const push = aStream(org.id);
    const poll = aStream(org.id, { delivery: "poll", endpoint: null, pollSecretHash: "ab".repeat(32) });
    const gone = aStream(org.id);
    const elsewhere = aStream(other.id);
    for (const s of [push, poll, gone, elsewhere]) await repo().insertStream(s);
    expect(await repo().deleteStream(org.id, gone.id, NOW)).toBe(true);
    expect(await repo().getStream(poll.id)).toEqual(poll);
    expect(await repo().getStream(elsewhere.id)).toEqual(elsewhere); // the poll endpoint knows only the stream
    expect(await repo().getStream(`ES${hex(16)}`)).toBeNull();
    expect((await repo().listStreams(org.id)).map((s) => s.id)).toEqual([push.id, poll.id, gone.id]);
    expect((await repo().listStreams(org.id))[2]).toEqual({ ...gone, deleted: NOW });
    expect((await repo().listLiveStreams(org.id)).map((s) => s.id)).toEqual([push.id, poll.id]);
    expect((await repo().listLiveStreams(other.id)).map((s) => s.id)).toEqual([elsewhere.id]);
    const pushIds = (await repo().listPushStreams()).map((s) => s.id);
    expect(pushIds).toEqual(expect.arrayContaining([push.id, elsewhere.id]));
    expect(pushIds).not.toContain(poll.id);
    expect(pushIds).not.toContain(gone.id);
  });

  it_("numbers SETs in the order appended, across appends, and answers a stream's pending ones in that order, at most `limit`", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const s = aStream(org.id); await repo().insertStream(s);
    const t = aStream(org.id); await repo().insertStream(t);
    const first = [aSet(s), aSet(t), aSet(s)];
    const second = [aSet(s), aSet(s)];
    await repo().append(first);
    await repo().append(second);
    const pending = await repo().listPending(org.id, s.id, 100);
    expect(pending.map((e) => e.jti)).toEqual([first[0]!, first[2]!, ...second].map((e) => e.jti));
    const seqs = pending.map((e) => e.seq);
    expect(seqs.every((q, i) => i === 0 || q > seqs[i - 1]!)).toBe(true);
    expect(pending[0]).toEqual({ ...first[0], seq: seqs[0] });
    expect((await repo().listPending(org.id, s.id, 2)).map((e) => e.jti)).toEqual([first[0]!.jti, first[2]!.jti]);
    expect(await repo().listPending(org.id, s.id, 0)).toEqual([]);
    expect((await repo().listPending(org.id, t.id, 100)).map((e) => e.jti)).toEqual([first[1]!.jti]);
    // another organization naming the stream sees nothing
    expect(await repo().listPending(anOrg().id, s.id, 100)).toEqual([]);
    expect(await repo().listEvents(anOrg().id, s.id, 100)).toEqual([]);
  });

  it_("acknowledges only the stream's own SETs in its organization, each once", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const s = aStream(org.id); await repo().insertStream(s);
    const t = aStream(org.id); await repo().insertStream(t);
    const [a, b] = [aSet(s), aSet(s)];
    const c = aSet(t);
    await repo().append([a!, b!, c]);
    expect(await repo().ack(anOrg().id, s.id, [a!.jti])).toBe(0); // another organization
    expect(await repo().ack(org.id, t.id, [a!.jti])).toBe(0); // another stream's SET
    expect(await repo().ack(org.id, s.id, [a!.jti, a!.jti, "nope", c.jti])).toBe(1);
    expect(await repo().ack(org.id, s.id, [a!.jti])).toBe(0);
    expect((await repo().listPending(org.id, s.id, 10)).map((e) => e.jti)).toEqual([b!.jti]);
    expect((await repo().listPending(org.id, t.id, 10)).map((e) => e.jti)).toEqual([c.jti]);
  });

  it_("records a delivery attempt on a pending SET only; a failed SET stays failed, out of the pending list but listed", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const s = aStream(org.id); await repo().insertStream(s);
    const [a, b] = [aSet(s), aSet(s)];
    await repo().append([a!, b!]);
    const [stored] = await repo().listPending(org.id, s.id, 1);
    const retry = { ...stored!, attempts: 1, nextAttemptAt: "2026-01-01T00:01:00.000Z", lastError: "HTTP 503" };
    expect(await repo().update(retry)).toBe(true);
    expect((await repo().listPending(org.id, s.id, 1))[0]).toEqual(retry);
    expect(await repo().update({ ...retry, orgId: anOrg().id, status: "failed" })).toBe(false);
    const failed = { ...retry, attempts: 2, status: "failed" as const, lastError: "400 invalid_key: no" };
    expect(await repo().update(failed)).toBe(true);
    expect(await repo().update({ ...failed, status: "pending" })).toBe(false); // not pending any more: unchanged
    expect((await repo().listPending(org.id, s.id, 10)).map((e) => e.jti)).toEqual([b!.jti]);
    expect((await repo().listEvents(org.id, s.id, 10))).toEqual([failed, expect.objectContaining({ jti: b!.jti, status: "pending" })]);
  });

  it_("deletes a stream of the organization only: marked deleted, its SETs dropped, the other streams' kept", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const s = aStream(org.id); await repo().insertStream(s);
    const t = aStream(org.id); await repo().insertStream(t);
    await repo().append([aSet(s), aSet(t), aSet(s)]);
    expect(await repo().deleteStream(anOrg().id, s.id, NOW)).toBe(false);
    expect((await repo().listEvents(org.id, s.id, 10))).toHaveLength(2);
    expect(await repo().deleteStream(org.id, s.id, "2026-01-02T00:00:00.000Z")).toBe(true);
    expect(await repo().deleteStream(org.id, s.id, NOW)).toBe(false);
    expect(await repo().getStream(s.id)).toMatchObject({ deleted: "2026-01-02T00:00:00.000Z" });
    expect(await repo().listEvents(org.id, s.id, 10)).toEqual([]);
    expect(await repo().listEvents(org.id, t.id, 10)).toHaveLength(1);
  });

  it_("leases a stream to one worker until the lease ends or is released; a deleted stream is never leased", async () => {
    const org = anOrg(); await store().orgs.insert(org);
    const s = aStream(org.id); await repo().insertStream(s);
    const at = (sec: number) => new Date(Date.parse(NOW) + sec * 1000).toISOString();
    const [one, two] = await Promise.all([repo().lease(s.id, at(0), at(60)), repo().lease(s.id, at(0), at(60))]);
    expect([one, two].filter(Boolean)).toHaveLength(1);
    expect(await repo().lease(s.id, at(59), at(119))).toBe(false);
    expect(await repo().lease(s.id, at(60), at(120))).toBe(true); // the first holder's lease ran out
    await repo().release(s.id);
    expect(await repo().lease(s.id, at(61), at(121))).toBe(true);
    await repo().release(s.id);
    expect(await repo().deleteStream(org.id, s.id, NOW)).toBe(true);
    expect(await repo().lease(s.id, at(200), at(260))).toBe(false);
    expect(await repo().lease(`ES${hex(16)}`, at(0), at(60))).toBe(false);
  });

  it_("writes a change's SETs in its transaction: a change that rolls back leaves no SET, one that commits leaves one per live stream", async () => {
    const s = withEvents(store());
    const org = anOrg(); await s.orgs.insert(org);
    const [a, b] = [aStream(org.id), aStream(org.id, { delivery: "poll", endpoint: null, pollSecretHash: "cd".repeat(32) })];
    await repo().insertStream(a); await repo().insertStream(b);
    const lost = aUser(org.id);
    await expect(s.transaction(async (tx) => {
      await tx.users.insert(lost);
      throw new Error("the change fails after its write");
    })).rejects.toThrow("the change fails after its write");
    expect(await store().users.get(org.id, lost.id)).toBeNull();
    expect(await repo().listEvents(org.id, a.id, 10)).toEqual([]);
    const kept = aUser(org.id);
    await s.users.insert(kept); // a write outside a transaction runs in one of its own
    for (const stream of [a, b]) {
      const rows = await repo().listPending(org.id, stream.id, 10);
      expect(rows.map((r) => r.subject)).toEqual([`/Users/${kept.id}`]);
      expect(JSON.parse(rows[0]!.claims)).toMatchObject({ sub_id: { format: "scim", uri: `/Users/${kept.id}`, id: kept.id } });
    }
  });

  it_("numbers racing changes' SETs once each, so a stream gets every change of the organization exactly once", async () => {
    const s = withEvents(store());
    const org = anOrg(); await s.orgs.insert(org);
    const stream = aStream(org.id); await repo().insertStream(stream);
    const users = Array.from({ length: 8 }, () => aUser(org.id));
    await Promise.all(users.map((u) => s.transaction((tx) => tx.users.insert(u))));
    const rows = await repo().listPending(org.id, stream.id, 100);
    expect(rows.map((r) => r.subject).sort()).toEqual(users.map((u) => `/Users/${u.id}`).sort());
    expect(new Set(rows.map((r) => r.seq)).size).toBe(users.length);
  }, 60_000);

  it_("keeps each token's last use, a later one replacing an earlier one and never the reverse, per organization", async () => {
    const tokens = store().tokens;
    if (!tokens.recordUse || !tokens.listUses) throw new Error(`the ${store().kind} store keeps no last use of tokens`);
    const org = anOrg(); await store().orgs.insert(org);
    const other = anOrg(); await store().orgs.insert(other);
    const [t1, t2, t3] = [`TK${hex(16)}`, `TK${hex(16)}`, `TK${hex(16)}`];
    expect((await tokens.listUses(org.id)).size).toBe(0);
    await tokens.recordUse(org.id, t1, "2026-01-01T00:01:00.000Z", "192.0.2.1");
    await tokens.recordUse(org.id, t2, "2026-01-01T00:02:00.000Z", "2001:db8::2");
    await tokens.recordUse(other.id, t3, "2026-01-01T00:03:00.000Z", "192.0.2.3");
    await tokens.recordUse(org.id, t1, "2026-01-01T00:05:00.000Z", "192.0.2.5");
    await tokens.recordUse(org.id, t1, "2026-01-01T00:04:00.000Z", "192.0.2.4"); // late: an older use written after a newer
    expect(await tokens.listUses(org.id)).toEqual(new Map([
      [t1, { at: "2026-01-01T00:05:00.000Z", address: "192.0.2.5" }],
      [t2, { at: "2026-01-01T00:02:00.000Z", address: "2001:db8::2" }],
    ]));
    expect(await tokens.listUses(other.id)).toEqual(new Map([[t3, { at: "2026-01-01T00:03:00.000Z", address: "192.0.2.3" }]]));
  });
}
