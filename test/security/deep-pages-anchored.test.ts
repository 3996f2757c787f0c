/**
 * Deep startIndex pages start from page anchors (src/store/sqlite/page-anchors.ts): where an
 * earlier page of the same list began, kept per list (its WHERE and parameters) and per store
 * state. An anchor taken from another organization's list, from the same filter with another
 * value, or from a state before a write would put another list's rows, or rows shifted by the
 * write, on the page (docs/security.md case 62, held).
 *
 * Attacked over HTTP, the real SQLite store (its reader connection, the writer's group commits):
 * two organizations with more users than the depth anchors start at, two filters of the same SQL
 * with other values, their startIndex pages walked interleaved (so that every list holds anchors
 * at once), then walked again out of order and with odd page sizes after deletes, creates,
 * suspensions (still listed) and an independent user leaving the list, each write before a
 * position already anchored. Every page's ids and totalResults are those of the list read afresh
 * by cursor (keyset on seq: no anchor) just before it.
 */
import { call, PATCH_SCHEMA, startTestServer, type TestServer } from "../helpers/server";

jest.setTimeout(300_000);

const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const USER = "urn:ietf:params:scim:schemas:core:2.0:User";

let s: TestServer;
const tokens: Record<"a" | "b", string> = { a: "", b: "" };

/** Users made by /Bulk, 500 a request (well under its limits), `name(i)` each. */
async function makeUsers(token: string, n: number, name: (i: number) => string): Promise<void> {
  for (let from = 0; from < n; from += 500) {
    const ops = [];
    for (let i = from; i < Math.min(n, from + 500); i++) {
      ops.push({ method: "POST", path: "/Users", bulkId: `u${i}`, data: { schemas: [USER], userName: name(i), emails: [{ value: name(i), type: "work", primary: true }], active: true } });
    }
    const r = await call("POST", `${s.scim}/Bulk`, token, { schemas: [BULK], Operations: ops });
    expect(r.status).toBe(200);
    const failed = (r.body.Operations as Array<{ status: string }>).filter((o) => o.status !== "201");
    expect(failed).toEqual([]);
  }
}

beforeAll(async () => {
  s = await startTestServer();
  tokens.a = (await s.newOrg({ domainEnforcement: false })).token;
  tokens.b = (await s.newOrg({ domainEnforcement: false })).token;
  // Organization a: two runs of names interleaved, so that `userName sw "x"` and `sw "y"` (one SQL,
  // two values) each list more than 1,000 users; b: look-alike users, more than 1,000 too. Every
  // filtered list has a total of its own (a's x, a's y, b's x), so a count kept for one list and
  // answered for another shows (src/store/sqlite/list-totals.ts, where it is kept).
  await makeUsers(tokens.a, 2301, (i) => `${i % 2 === 0 ? "x" : "y"}-${String(i).padStart(5, "0")}@deep.test`);
  await makeUsers(tokens.b, 1200, (i) => `x-${String(i).padStart(5, "0")}@deep.test`);
});
afterAll(() => s.close());

interface List { name: string; org: "a" | "b"; filter: string | null }
const LISTS: List[] = [
  { name: "a, all", org: "a", filter: null },
  { name: "b, all", org: "b", filter: null },
  { name: "a, userName sw x", org: "a", filter: 'userName sw "x"' },
  { name: "a, userName sw y", org: "a", filter: 'userName sw "y"' },
  { name: "b, userName sw x", org: "b", filter: 'userName sw "x"' },
];
const q = (l: List) => (l.filter ? `&filter=${encodeURIComponent(l.filter)}` : "");

/** The list's ids in order, read by cursor (no anchor takes part); every cursor page's totalResults is their number. */
async function truth(l: List): Promise<string[]> {
  const ids: string[] = [];
  const totals: unknown[] = [];
  let cursor = "";
  for (;;) {
    const r = await call("GET", `${s.scim}/Users?attributes=id&count=1000&cursor=${encodeURIComponent(cursor)}${q(l)}`, tokens[l.org]);
    expect(r.status).toBe(200);
    totals.push(r.body.totalResults);
    for (const u of r.body.Resources as Array<{ id: string }>) ids.push(u.id);
    if (!r.body.nextCursor) break;
    cursor = r.body.nextCursor as string;
  }
  expect({ list: l.name, totals }).toEqual({ list: l.name, totals: totals.map(() => ids.length) });
  return ids;
}

/** A startIndex page against the truth: its ids and totalResults; a description of any difference. */
async function pageAgainst(l: List, all: string[], startIndex: number, count: number): Promise<string | null> {
  const r = await call("GET", `${s.scim}/Users?attributes=id&startIndex=${startIndex}&count=${count}${q(l)}`, tokens[l.org]);
  if (r.status !== 200) return `${l.name} startIndex ${startIndex} count ${count}: ${r.status} ${r.text.slice(0, 200)}`;
  const got = (r.body.Resources as Array<{ id: string }> | undefined ?? []).map((u) => u.id);
  const want = all.slice(startIndex - 1, startIndex - 1 + count);
  if (r.body.totalResults !== all.length) return `${l.name} startIndex ${startIndex}: totalResults ${String(r.body.totalResults)}, ${all.length} listed`;
  if (got.join() === want.join()) return null;
  const at = got.findIndex((id, i) => id !== want[i]);
  const foreign = got.filter((id) => !all.includes(id)).length;
  return `${l.name} startIndex ${startIndex} count ${count}: ${got.length} ids, ${want.length} wanted, first difference at ${at}, ${foreign} not of this list`;
}

describe("deep startIndex pages, anchored", () => {
  it("walked interleaved (every list anchored at once), each page is its own list's", async () => {
    const truths = await Promise.all(LISTS.map(truth));
    expect(truths.map((t) => t.length)).toEqual([2301, 1200, 1151, 1150, 1200]);
    const seen: string[] = [];
    const longest = Math.max(...truths.map((t) => t.length));
    for (let start = 1; start <= longest + 1; start += 100) {
      for (const [i, l] of LISTS.entries()) {
        if (start > truths[i]!.length + 1) continue;
        const d = await pageAgainst(l, truths[i]!, start, 100);
        if (d) seen.push(d);
      }
    }
    expect(seen).toEqual([]);
  });

  it("after writes before anchored positions, out of order and odd-sized pages are the list as it is now", async () => {
    const deep = [1001, 1101, 1051, 1201, 1001, 1137, 1100, 2201, 1150, 1001];
    const sizes = [100, 37, 1, 250, 100, 13, 100, 99, 1, 64];
    const walk = async (): Promise<string[]> => {
      const seen: string[] = [];
      for (const l of LISTS) {
        const all = await truth(l);
        for (const [k, start] of deep.entries()) {
          if (start > all.length + 1) continue;
          const d = await pageAgainst(l, all, start, sizes[k]!);
          if (d) seen.push(d);
        }
      }
      return seen;
    };
    // Anchors taken at every deep position, in this state.
    expect(await walk()).toEqual([]);
    const early = async (org: "a" | "b", at: number): Promise<string> => {
      const r = await call("GET", `${s.scim}/Users?attributes=id&startIndex=${at}&count=1`, tokens[org]);
      return (r.body.Resources as Array<{ id: string }>)[0]!.id;
    };
    // A delete before every anchored position, in both organizations.
    for (const org of ["a", "b"] as const) expect((await call("DELETE", `${s.scim}/Users/${await early(org, 3)}`, tokens[org])).status).toBe(204);
    expect(await walk()).toEqual([]);
    // New users (after every position: the totals change), one of each name run.
    await makeUsers(tokens.a, 2, (i) => `${i === 0 ? "x" : "y"}-new-${i}@deep.test`);
    expect(await walk()).toEqual([]);
    // A suspension (still listed) and a userName moving a user from one filter's list to the other's.
    const x5 = await early("a", 5);
    expect((await call("PATCH", `${s.scim}/Users/${x5}`, tokens.a, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "active", value: false }] })).status).toBeLessThan(300);
    const moved = await early("a", 8);
    const r = await call("PATCH", `${s.scim}/Users/${moved}`, tokens.a, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "userName", value: "y-moved@deep.test" }] });
    expect(r.status).toBeLessThan(300);
    expect(await walk()).toEqual([]);
    // Another organization's writes only: a's anchors outlive nothing they should not.
    expect((await call("DELETE", `${s.scim}/Users/${await early("b", 2)}`, tokens.b)).status).toBe(204);
    expect(await walk()).toEqual([]);
  });
});
