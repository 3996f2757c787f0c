/**
 * List pages attacked (the cursor page is being made faster: rows to records, the page's groups in
 * one query, rendering): a page must show only the caller's organization, only what the filter
 * keeps, only the attributes asked for, each user's own groups, and what a user is now (an
 * attribute removed between two pages is gone from the second). A cursor is the organization's:
 * another organization's token cannot page with it. Real HTTP, real SQLite store, two
 * organizations with look-alike users.
 */
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";

jest.setTimeout(120_000);

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const N = 24;

let s: TestServer;
let a: string;
let b: string;
const ids: Record<"a" | "b", { keep: string[]; drop: string[] }> = { a: { keep: [], drop: [] }, b: { keep: [], drop: [] } };
const groupsOf = new Map<string, string[]>();
const bGroups = new Set<string>();

async function made(token: string, name: string, given: string): Promise<string> {
  const r = await call("POST", `${s.scim}/Users`, token, userBody(name, { name: { givenName: given, familyName: "Page" }, nickName: `nick-${name}` }));
  if (r.status !== 201) throw new Error(`POST /Users ${r.status} ${r.text}`);
  return r.body.id as string;
}

beforeAll(async () => {
  s = await startTestServer();
  a = (await s.newOrg({ domainEnforcement: false })).token;
  b = (await s.newOrg({ domainEnforcement: false })).token;
  for (const [org, token] of [["a", a], ["b", b]] as const) {
    for (let i = 0; i < N; i++) {
      const kind = i % 2 === 0 ? "keep" : "drop";
      ids[org][kind].push(await made(token, `${kind}-${String(i).padStart(2, "0")}@${org}.test`, `Given${i}`));
    }
    // Groups: every third kept user in one, every fourth in another; each organization its own.
    const g1 = ids[org].keep.filter((_, i) => i % 3 === 0);
    const g2 = ids[org].keep.filter((_, i) => i % 4 === 0);
    for (const [name, members] of [[`${org}-thirds`, g1], [`${org}-fourths`, g2]] as const) {
      const g = await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP], displayName: name, members: members.map((value) => ({ value })) });
      if (g.status !== 201) throw new Error(`POST /Groups ${g.status} ${g.text}`);
      for (const m of members) groupsOf.set(m, [...(groupsOf.get(m) ?? []), g.body.id as string]);
      if (org === "b") bGroups.add(g.body.id as string);
    }
  }
});
afterAll(() => s.close());

const FILTER = encodeURIComponent('userName sw "keep-"');
type Page = { status: number; body: { Resources?: Record<string, unknown>[]; nextCursor?: string; totalResults?: number } };

async function allPages(token: string, query: string, between?: (page: number) => Promise<void>): Promise<Record<string, unknown>[]> {
  const seen: Record<string, unknown>[] = [];
  let url = `${s.scim}/Users?cursor=&count=5&${query}`;
  for (let page = 0; page < 50; page++) {
    const r = (await call("GET", url, token)) as Page;
    expect(r.status).toBe(200);
    seen.push(...(r.body.Resources ?? []));
    if (!r.body.nextCursor) return seen;
    if (between) await between(page);
    url = `${s.scim}/Users?cursor=${encodeURIComponent(r.body.nextCursor)}&count=5&${query}`;
  }
  throw new Error("more than 50 pages");
}

describe("a cursor page", () => {
  it("shows exactly the organization's users the filter keeps, each once, with their own groups", async () => {
    const rows = await allPages(a, `filter=${FILTER}&attributes=userName,groups`);
    const got = rows.map((r) => r.id as string);
    expect(new Set(got).size).toBe(got.length);
    expect([...got].sort()).toEqual([...ids.a.keep].sort());
    for (const r of rows) {
      expect(Object.keys(r).sort()).toEqual(expect.arrayContaining(["id", "schemas", "userName"]));
      expect(r.name).toBeUndefined();
      expect(r.emails).toBeUndefined();
      expect(String(r.userName)).toMatch(/^keep-\d\d@a\.test$/);
      // The user's own groups as the page shows them: those made here, plus the built-in role group;
      // and exactly what the user's own resource shows.
      const groups = ((r.groups as { value: string }[] | undefined) ?? []).map((g) => g.value).sort();
      expect(groups).toEqual(expect.arrayContaining(groupsOf.get(r.id as string) ?? []));
      const one = await call("GET", `${s.scim}/Users/${r.id}?attributes=groups`, a);
      const own = ((one.body.groups as { value: string }[] | undefined) ?? []).map((g) => g.value).sort();
      expect([r.id, groups]).toEqual([r.id, own]);
      expect(groups.filter((g) => bGroups.has(g))).toEqual([]);
    }
  });

  it("leaves out what excludedAttributes names, on every page", async () => {
    const rows = await allPages(a, `filter=${FILTER}&excludedAttributes=emails,name,groups,nickName`);
    expect(rows).toHaveLength(ids.a.keep.length);
    for (const r of rows) {
      expect([r.id, r.emails, r.name, r.groups, r.nickName]).toEqual([r.id, undefined, undefined, undefined, undefined]);
      expect(r.userName).toBeDefined();
    }
  });

  it("shows a user as they are now: an attribute removed and a user deleted between two pages are gone", async () => {
    const victim = ids.a.keep[ids.a.keep.length - 1]!; // sorted last by id? not necessarily: removed from every later page check below
    const gone = ids.a.keep[ids.a.keep.length - 2]!;
    let changed = false;
    const rows = await allPages(a, `filter=${FILTER}&attributes=userName,name,nickName`, async (page) => {
      if (page !== 0 || changed) return;
      changed = true;
      const p = await call("PATCH", `${s.scim}/Users/${victim}`, a, { schemas: [PATCH_SCHEMA], Operations: [{ op: "remove", path: "name.givenName" }, { op: "remove", path: "nickName" }] });
      expect(p.status).toBeLessThan(300);
      expect((await call("DELETE", `${s.scim}/Users/${gone}`, a)).status).toBe(204);
    });
    const now = await call("GET", `${s.scim}/Users/${victim}`, a);
    expect(now.body.nickName).toBeUndefined();
    // Whatever page each was on: a row shown after the change shows the change.
    const shownVictim = rows.filter((r) => r.id === victim);
    expect(shownVictim.length).toBeLessThanOrEqual(1);
    const firstPageIds = new Set(rows.slice(0, 5).map((r) => r.id));
    if (!firstPageIds.has(victim)) {
      expect(shownVictim).toHaveLength(1);
      expect(shownVictim[0]!.nickName).toBeUndefined();
      expect((shownVictim[0]!.name as Record<string, unknown> | undefined)?.givenName).toBeUndefined();
    }
    if (!firstPageIds.has(gone)) expect(rows.some((r) => r.id === gone)).toBe(false);
    ids.a.keep = ids.a.keep.filter((x) => x !== gone);
  });

  it("is the organization's: another organization's token paging with it sees none of its users", async () => {
    const first = (await call("GET", `${s.scim}/Users?cursor=&count=5&filter=${FILTER}`, a)) as Page;
    expect(first.body.nextCursor).toBeTruthy();
    const r = (await call("GET", `${s.scim}/Users?cursor=${encodeURIComponent(first.body.nextCursor!)}&count=5&filter=${FILTER}`, b)) as Page;
    const aIds = new Set([...ids.a.keep, ...ids.a.drop]);
    expect((r.body.Resources ?? []).filter((x) => aIds.has(x.id as string))).toEqual([]);
    expect(JSON.stringify(r.body)).not.toContain("@a.test");
  });

  it("never shows a user the filter drops when the cursor is reused with another filter", async () => {
    const first = (await call("GET", `${s.scim}/Users?cursor=&count=5&filter=${FILTER}`, a)) as Page;
    const other = encodeURIComponent('userName sw "drop-"');
    const r = (await call("GET", `${s.scim}/Users?cursor=${encodeURIComponent(first.body.nextCursor!)}&count=5&filter=${other}`, a)) as Page;
    if (r.status === 200) for (const x of r.body.Resources ?? []) expect(String(x.userName)).toMatch(/^drop-/);
    else expect(r.status).toBe(400);
  });

  it("pages by index the same way: only the organization's kept users, each once", async () => {
    const got: string[] = [];
    for (let start = 1; start <= 100; start += 5) {
      const r = (await call("GET", `${s.scim}/Users?startIndex=${start}&count=5&filter=${FILTER}&attributes=userName`, a)) as Page;
      expect(r.status).toBe(200);
      const rs = r.body.Resources ?? [];
      got.push(...rs.map((x) => x.id as string));
      if (rs.length < 5) break;
    }
    expect([...got].sort()).toEqual([...ids.a.keep].sort());
  });
});
