/**
 * The store contract, audit search (issue 14 item 4; the actor, issue 19): every filter of
 * AuditListQuery (action, target, actor, outcome, time range, combined) lists newest first by (time, then recording order) and
 * pages with `before` to the last matching event, however many others come first; nothing of
 * another organization is listed. Generated: each filter combination is checked against the
 * same filter applied to the events in memory.
 */
import type { AuditListQuery, Store } from "../../../src/domain/ports/store";
import { actorParts } from "../../../src/domain/audit";
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

  it_("filters by the actor's user or credential exactly as actorParts splits the actor, paged, never another organization's", async () => {
    const org = anOrg(); const other = anOrg();
    await store().orgs.insert(org); await store().orgs.insert(other);
    const u = (n: number) => `US${hex(n)}`;
    // Each shape an actor takes (src/domain/actor.ts actorName), and look-alikes that are not a user.
    const actors = [
      `TK${hex(1)}/${u(1)}`, `TK${hex(2)}/${u(1)}`, `TK${hex(3)}`, `TK${hex(4)}/${u(2)}`, `OC${hex(5)}/${u(2)}`, `OC${hex(6)}`,
      "operator:cli import-csv", `invitation:IV${hex(7)}/${u(3)}`, `TK${hex(8)}/US${hex(9).slice(0, 31)}g`, `TK${hex(8)}/us${hex(9)}`,
      `a/b/${u(4)}`, `${u(5)}`, "/" + u(6), `TK${hex(10)}/${u(1)}x`,
    ];
    const events: AuditEvent[] = [];
    for (let i = 0; i < 140; i++) {
      const e: AuditEvent = {
        id: `AE${hex(200_000 + i)}`, orgId: org.id, time: new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 2) * 1000).toISOString(),
        actor: actors[i % actors.length]!, action: i % 2 ? "user.update" : "group.update", targetType: "User", targetId: `T${i % 5}`,
        outcome: i % 7 === 0 ? "refused" : "success", before: null, after: null,
      };
      events.push(e);
      await store().audit.append(e);
      if (i % 10 === 0) await store().audit.append({ ...e, id: `AE${hex(300_000 + i)}`, orgId: other.id });
    }
    const newestFirst = [...events].sort((a, b) => (a.time === b.time ? Number.parseInt(b.id.slice(2), 16) - Number.parseInt(a.id.slice(2), 16) : a.time < b.time ? 1 : -1));
    const filters: Omit<AuditListQuery, "limit">[] = [
      { actorUser: u(1) }, { actorUser: u(2) }, { actorUser: u(3) }, { actorUser: u(4) }, { actorUser: u(5) }, { actorUser: u(6) },
      { actorCredential: `TK${hex(1)}` }, { actorCredential: `TK${hex(3)}` }, { actorCredential: `OC${hex(5)}` }, { actorCredential: "operator:cli import-csv" },
      { actorCredential: `invitation:IV${hex(7)}` }, { actorCredential: `TK${hex(8)}/US${hex(9).slice(0, 31)}g` }, { actorCredential: "a/b" }, { actorCredential: u(5) },
      { actorCredential: "" }, { actorCredential: `TK${hex(10)}/${u(1)}x` },
      { actorUser: u(1), action: "user.update" }, { actorUser: u(2), targetId: "T3" }, { actorCredential: `TK${hex(3)}`, outcome: "refused" },
      { actorUser: u(1), from: events[20]!.time, to: events[100]!.time }, { actorUser: "nobody" },
    ];
    for (const f of filters) {
      const want = newestFirst.filter((e) => {
        const parts = actorParts(e.actor);
        return (f.actorUser === undefined || parts.user === f.actorUser) && (f.actorCredential === undefined || parts.credential === f.actorCredential)
          && (f.action === undefined || e.action === f.action) && (f.targetId === undefined || e.targetId === f.targetId)
          && (f.outcome === undefined || e.outcome === f.outcome) && (f.from === undefined || e.time >= f.from) && (f.to === undefined || e.time < f.to);
      }).map((e) => e.id);
      const got: string[] = [];
      let before: string | undefined;
      for (let page = 0; page < 100; page++) {
        const batch = await store().audit.list(org.id, { limit: 6, ...f, ...(before ? { before } : {}) });
        got.push(...batch.map((e) => e.id));
        if (batch.length < 6) break;
        before = batch[batch.length - 1]!.id;
      }
      expect([f, got]).toEqual([f, want]);
    }
    // The split itself, as the API relies on it.
    expect(actorParts(`TK${hex(1)}/${u(1)}`)).toEqual({ credential: `TK${hex(1)}`, user: u(1) });
    expect(actorParts(`a/b/${u(4)}`)).toEqual({ credential: "a/b", user: u(4) });
    expect(actorParts(`TK${hex(8)}/us${hex(9)}`)).toEqual({ credential: `TK${hex(8)}/us${hex(9)}`, user: null });
    expect(actorParts("operator:cli import-csv")).toEqual({ credential: "operator:cli import-csv", user: null });
  });
}
