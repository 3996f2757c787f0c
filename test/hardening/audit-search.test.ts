/**
 * Audit search over HTTP (issue 14 item 4): GET /v1/AuditEvents?TargetSid=, Action=, Outcome=,
 * From=, To= find events under any number of newer ones and page to the last match (the search
 * used to read the newest 4,000 events and then answer an empty page without a next token).
 * The stores' side is the contract suite (test/store/contract/audit-search.ts) and the SQLite
 * query plans (test/store/sqlite-audit-plan.test.ts).
 */
import { AuditEventPage } from "../../src/http/v1/audit-routes";
import type { AuditEvent } from "../../src/domain/types";
import { startTestServer, type TestServer } from "../helpers/server";
import { conforms, v1 } from "../helpers/v1";

let s: TestServer;
let token: string;
let other: string;
const START = Date.UTC(2026, 0, 1);
const hex = (n: number) => n.toString(16).padStart(32, "0");

beforeAll(async () => {
  s = await startTestServer();
  const o = await s.newOrg({ domainEnforcement: false }, ["admin"]);
  token = o.token;
  const b = await s.newOrg({ domainEnforcement: false }, ["admin"]);
  other = b.token;
  const store = s.running.store;
  // 6,000 events: the three about USold are the oldest; one is refused.
  for (let i = 0; i < 6000; i++) {
    const old = i < 3;
    const e: AuditEvent = {
      id: `AE${hex(i + 1)}`, orgId: o.org.id, time: new Date(START + i * 1000).toISOString(), actor: "t",
      action: old ? "user.delete" : "user.update", targetType: "User", targetId: old ? "USold" : `US${i % 100}`,
      outcome: old && i === 1 ? "refused" : "success", before: null, after: null,
    };
    await store.audit.append(e);
  }
  await store.audit.append({ id: `AE${hex(99_999)}`, orgId: b.org.id, time: new Date(START).toISOString(), actor: "t", action: "user.delete", targetType: "User", targetId: "USold", outcome: "refused", before: null, after: null });
}, 120_000);
afterAll(() => s.close());

async function all(query: string, as = token): Promise<string[]> {
  const sids: string[] = [];
  let next: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const url = `${s.url}/v1/AuditEvents?PageSize=100&${query}${next ? `&PageToken=${encodeURIComponent(next)}` : ""}`;
    const r: { audit_events: { sid: string }[]; meta: { next_page_url: string | null } } = conforms(AuditEventPage, await v1("GET", url, as));
    sids.push(...r.audit_events.map((e) => e.sid));
    next = r.meta.next_page_url ? new URL(r.meta.next_page_url).searchParams.get("PageToken") : null;
    if (!next) break;
  }
  return sids;
}

describe("GET /v1/AuditEvents", () => {
  it("finds a target's events under 6,000 newer ones, newest first, and says there is no next page", async () => {
    const r = conforms(AuditEventPage, await v1("GET", `${s.url}/v1/AuditEvents?TargetSid=USold`, token));
    expect(r.audit_events.map((e) => e.sid)).toEqual([`AE${hex(3)}`, `AE${hex(2)}`, `AE${hex(1)}`]);
    expect(r.meta.next_page_url).toBeNull();
  });

  it("finds the one refused event at the bottom, and only this organization's", async () => {
    expect(await all("Outcome=refused")).toEqual([`AE${hex(2)}`]);
    expect(await all("Action=user.delete&Outcome=success")).toEqual([`AE${hex(3)}`, `AE${hex(1)}`]);
  });

  it("pages through a filter to its last match (6,000 events of user.update and the rest)", async () => {
    const updates = await all("Action=user.update");
    expect(updates).toHaveLength(5997);
    expect(new Set(updates).size).toBe(5997);
    expect(updates[updates.length - 1]).toBe(`AE${hex(4)}`);
    expect(await all("TargetSid=US7")).toHaveLength(60);
  });

  it("takes a time range: From inclusive, To exclusive, with any offset, combined with the other filters", async () => {
    const at = (i: number) => new Date(START + i * 1000).toISOString();
    expect(await all(`From=${at(10)}&To=${at(20)}`)).toEqual(Array.from({ length: 10 }, (_, k) => `AE${hex(20 - k)}`));
    expect(await all(`From=${encodeURIComponent("2026-01-01T01:00:00+01:00")}&To=${at(2)}`)).toEqual([`AE${hex(2)}`, `AE${hex(1)}`]);
    expect(await all(`To=${at(3)}&Outcome=success`)).toEqual([`AE${hex(3)}`, `AE${hex(1)}`]);
    expect(await all("From=2030-01-01T00:00:00Z")).toEqual([]);
  });

  it("answers 400 naming the parameter for a time that is not an ISO 8601 date-time with an offset", async () => {
    for (const bad of ["yesterday", "2026-01-01", "2026-13-01T00:00:00Z", "2026-01-01T00:00:00"]) {
      const r = await v1("GET", `${s.url}/v1/AuditEvents?From=${encodeURIComponent(bad)}`, token);
      expect([bad, r.status]).toEqual([bad, 400]);
      expect(r.body.message).toMatch(/From/);
    }
  });

  it("shows another organization none of these events, whatever the filter", async () => {
    expect(await all("TargetSid=USold", other)).toHaveLength(1);
    expect(await all("Action=user.update", other)).toEqual([]);
  });
});
