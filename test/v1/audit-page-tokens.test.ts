/**
 * GET /v1/AuditEvents page tokens across the upgrade to schema 28 (issue 18: no index of audit event
 * ids). A token seals the position of the page's last event since; a token issued before seals that
 * event's id, and a client may hold one across the upgrade. Rules: such a token still opens (200),
 * and the pages that follow it are the ones the position tokens give, to the end; a position is
 * sealed like an id was (another organization's token does not open: test/tenancy/page-tokens.test.ts).
 */
import { pageTokensOf } from "../../src/domain/page-tokens";
import type { AuditEvent } from "../../src/domain/types";
import { AuditEventPage } from "../../src/http/v1/audit-routes";
import { startTestServer, type TestServer } from "../helpers/server";
import { conforms, v1 } from "../helpers/v1";

let s: TestServer;
let token: string;
let orgId: string;
const hex = (n: number) => n.toString(16).padStart(32, "0");

beforeAll(async () => {
  s = await startTestServer();
  const o = await s.newOrg({ domainEnforcement: false }, ["admin"]);
  token = o.token;
  orgId = o.org.id;
  // 9 events, two to a second and not in the order they are recorded: pages follow (time, recorded order)
  for (let i = 0; i < 9; i++) {
    const e: AuditEvent = {
      id: `AE${hex(i + 1)}`, orgId, time: new Date(Date.UTC(2026, 0, 1) + Math.floor((9 - i) / 2) * 1000).toISOString(), actor: "t",
      action: "user.update", targetType: "User", targetId: `US${i % 3}`, outcome: "success", before: null, after: null,
    };
    await s.running.store.audit.append(e);
  }
}, 120_000);
afterAll(() => s.close());

type Page = { sids: string[]; next: string | null };
async function page(query: string): Promise<Page> {
  const r = conforms(AuditEventPage, await v1("GET", `${s.url}/v1/AuditEvents?PageSize=2&Action=user.update${query}`, token));
  return { sids: r.audit_events.map((e) => e.sid), next: r.meta.next_page_url ? new URL(r.meta.next_page_url).searchParams.get("PageToken") : null };
}
async function rest(from: Page): Promise<string[][]> {
  const pages: string[][] = [];
  for (let p = from; p.next !== null && pages.length < 100;) {
    p = await page(`&PageToken=${encodeURIComponent(p.next)}`);
    pages.push(p.sids);
  }
  return pages;
}

describe("GET /v1/AuditEvents page tokens", () => {
  it("opens a token that seals an event id (issued before schema 28) at the page after that event, and pages on to the end", async () => {
    const first = await page("");
    const following = await rest(first);
    // the whole list, newest first by time, then the last recorded first, in pages of two: 5 pages
    expect([first.sids, ...following].flat()).toEqual([2, 1, 4, 3, 6, 5, 8, 7, 9].map((n) => `AE${hex(n)}`));
    expect(following.map((p) => p.length)).toEqual([2, 2, 2, 1]);
    const tokens = await pageTokensOf(s.running.store);
    for (let at = 0; at < following.length; at++) {
      const last = at === 0 ? first.sids[1]! : following[at - 1]![1]!;
      // what a server before schema 28 sealed: the page's last event id and the next page's number
      const old = tokens.seal(orgId, "v1 /v1/auditevents", `${last} ${at + 1}`);
      const opened = await page(`&PageToken=${encodeURIComponent(old)}`);
      expect({ last, sids: opened.sids }).toEqual({ last, sids: following[at] });
      expect({ last, rest: await rest(opened) }).toEqual({ last, rest: following.slice(at + 1) });
    }
  });
});
