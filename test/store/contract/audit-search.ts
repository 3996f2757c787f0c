/**
 * The store contract, audit search (issue 14 item 4): every filter of AuditListQuery (action,
 * target, outcome, time range, combined) lists newest first by (time, then recording order) and
 * pages with `before` to the last matching event, however many others come first; nothing of
 * another organization is listed. Generated: each filter combination is checked against the
 * same filter applied to the events in memory.
 */
import type { AuditListQuery, Store } from "../../../src/domain/ports/store";
import type { AuditEvent } from "../../../src/domain/types";
import { anOrg } from "../../helpers/fixtures";
import type { ContractIt } from "./types";

const hex = (n: number) => n.toString(16).padStart(32, "0");

export function auditSearch(it_: ContractIt, store: () => Store): void {
  it_("answers every filter and combination newest first, paged to the last match, deep under other events", async () => {
    const org = anOrg(); const other = anOrg();
    await store().orgs.insert(org); await store().orgs.insert(other);
    const events: AuditEvent[] = [];
    // 600 events: the rare ones (target T1, outcome refused, action user.delete) are old, under many newer ones.
    for (let i = 0; i < 600; i++) {
      const rare = i < 12;
      const e: AuditEvent = {
        id: `AE${hex(i + 1)}`, orgId: org.id,
        // times rise with i, several events per second, and a few written out of order (a clock's step back)
        time: new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 3) * 1000 - (i % 97 === 5 ? 4000 : 0)).toISOString(),
        actor: "t", action: rare && i % 2 === 0 ? "user.delete" : i % 3 === 0 ? "user.update" : "user.create",
        targetType: "User", targetId: rare ? "T1" : `T${i % 40 + 2}`, outcome: rare && i % 3 === 0 ? "refused" : "success",
        before: null, after: null,
      };
      events.push(e);
      await store().audit.append(e);
      if (i % 50 === 0) await store().audit.append({ ...e, id: `AE${hex(100_000 + i)}`, orgId: other.id, targetId: "T1", outcome: "refused" });
    }
    const newestFirst = [...events].sort((a, b) => (a.time === b.time ? Number.parseInt(b.id.slice(2), 16) - Number.parseInt(a.id.slice(2), 16) : a.time < b.time ? 1 : -1));
    const filters: Omit<AuditListQuery, "limit">[] = [
      {}, { targetId: "T1" }, { outcome: "refused" }, { action: "user.delete" }, { action: "user.update", targetId: "T5" },
      { targetId: "T1", outcome: "refused" }, { from: events[30]!.time, to: events[90]!.time },
      { from: events[0]!.time, to: events[9]!.time, outcome: "success" }, { to: events[6]!.time }, { from: events[590]!.time },
      { targetId: "nobody" }, { from: "2030-01-01T00:00:00.000Z" },
    ];
    for (const f of filters) {
      const want = newestFirst.filter((e) => (f.action === undefined || e.action === f.action) && (f.targetId === undefined || e.targetId === f.targetId)
        && (f.outcome === undefined || e.outcome === f.outcome) && (f.from === undefined || e.time >= f.from) && (f.to === undefined || e.time < f.to)).map((e) => e.id);
      const got: string[] = [];
      let before: string | undefined;
      for (let page = 0; page < 200; page++) {
        const batch = await store().audit.list(org.id, { limit: 7, ...f, ...(before ? { before } : {}) });
        got.push(...batch.map((e) => e.id));
        if (batch.length < 7) break;
        before = batch[batch.length - 1]!.id;
      }
      expect([f, got]).toEqual([f, want]);
    }
  });
}
