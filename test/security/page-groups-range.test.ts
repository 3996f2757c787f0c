/**
 * A page's users each with their own groups, whoever else holds the seqs between them
 * (docs/security.md case 75, held). Since 24271d9 a GET /Users page in seq order (a cursor or
 * startIndex page with no filter and no sortBy) reads its users' memberships in one statement over
 * the range of seqs from its first user to its last in its organization, instead of per user. Seqs
 * are global: organizations that provision at the same time interleave in them, and an organization's
 * pending users and independent users (invited to one of its accounts) sit inside its own ranges. A
 * range read without the organization, or with the wrong bounds, would give a page's user another
 * organization's groups or another user's, or drop theirs.
 *
 * Attacked over HTTP: two organizations creating users alternately (their seqs interleave), each
 * user put in groups of its own organization (several per user, some shared, one group's members
 * added later by a PATCH), Administrators among them, pending users (an invitation to the
 * organization) in their ranges, role groups shown in one organization and hidden in the other; then each organization
 * walked by cursor and by startIndex with pages of 1, 2, 3 and 7. Held when every user on every page
 * shows exactly the groups GET /Users/{id} shows for them (value, display, $ref), and each page holds
 * its own organization's users only. Real HTTP, real SQLite store.
 */
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";

jest.setTimeout(180_000);

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const run = Math.random().toString(36).slice(2, 8);

let s: TestServer;
const orgs: { token: string; users: string[] }[] = [];

beforeAll(async () => {
  s = await startTestServer();
  for (const shown of [true, false]) {
    const o = await s.newOrg({ domainEnforcement: false, exposeRoleGroups: shown });
    orgs.push({ token: o.token, users: [] });
  }
  // Users made alternately by the two organizations: their seqs interleave.
  for (let i = 0; i < 14; i++) {
    for (const [k, o] of orgs.entries()) {
      const r = await call("POST", `${s.scim}/Users`, o.token, userBody(`u${i}-org${k}-${run}@acme.test`, i % 5 === 2 ? { [`urn:ietf:params:scim:schemas:extension:orgscim:2.0:User`]: { orgRole: "administrator" } } : {}));
      expect(r.status).toBe(201);
      o.users.push(r.body.id as string);
      if (i % 4 === 1) {
        // A pending user in the range (an invitation to the organization).
        const inv = await call("POST", `${s.url}/v1/Invitations`, o.token, { email: `pending${i}-org${k}-${run}@acme.test`, org_role: "standard" }, { "content-type": "application/json" });
        expect(inv.status).toBe(201);
      }
    }
  }
  for (const [k, o] of orgs.entries()) {
    // Groups of each organization, each holding a different slice of its users.
    for (let g = 0; g < 4; g++) {
      const members = o.users.filter((_, i) => (i + g) % (g + 2) === 0).map((value) => ({ value }));
      const r = await call("POST", `${s.scim}/Groups`, o.token, { schemas: [GROUP], displayName: `g${g}-org${k}-${run}`, members });
      expect(r.status).toBe(201);
    }
    // A later member PATCH: memberships made after the users (higher group_members rows).
    const groups = await call("GET", `${s.scim}/Groups?filter=${encodeURIComponent(`displayName sw "g0-org${k}"`)}`, o.token);
    const patch = await call("PATCH", `${s.scim}/Groups/${groups.body.Resources[0].id as string}`, o.token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: [{ value: o.users[13] }, { value: o.users[1] }] }] });
    expect(patch.status).toBeLessThan(300);
  }
});
afterAll(() => s.close());

type Ref = { value: string; display: string; $ref: string };
const groupsOf = (u: { groups?: Ref[] }) => (u.groups ?? []).map((g) => `${g.value} ${g.display} ${g.$ref}`).sort();

describe.each([0, 1])("organization %i's users, paged", (k) => {
  const alone = new Map<string, string[]>();
  beforeAll(async () => {
    const o = orgs[k]!;
    for (const id of o.users) {
      const r = await call("GET", `${s.scim}/Users/${id}`, o.token);
      expect(r.status).toBe(200);
      alone.set(id, groupsOf(r.body as { groups?: Ref[] }));
    }
    // The walk shows groups (the check can fail): most users are in some group.
    expect([...alone.values()].filter((g) => g.length > 0).length).toBeGreaterThan(10);
  });

  it.each([1, 2, 3, 7])("by cursor, pages of %i: each user with the groups of GET /Users/{id}", async (count) => {
    const o = orgs[k]!;
    const wrong: Record<string, unknown> = {};
    let seen = 0;
    let cursor = "";
    for (let page = 0; page < 100; page++) {
      const r = await call("GET", `${s.scim}/Users?count=${count}&cursor=${encodeURIComponent(cursor)}`, o.token);
      expect(r.status).toBe(200);
      for (const u of r.body.Resources as { id: string; groups?: Ref[] }[]) {
        if (!u.id) continue;
        seen += 1;
        const want = alone.get(u.id);
        if (want === undefined) {
          if (!/pending/.test(JSON.stringify(u))) wrong[u.id] = "a user of no page of this organization's";
          continue;
        }
        const got = groupsOf(u);
        if (JSON.stringify(got) !== JSON.stringify(want)) wrong[u.id] = { got, want };
      }
      if (!r.body.nextCursor) break;
      cursor = r.body.nextCursor as string;
    }
    expect(seen).toBeGreaterThanOrEqual(14);
    expect(wrong).toEqual({});
  });

  it.each([1, 2, 3, 7])("by startIndex, pages of %i: each user with the groups of GET /Users/{id}", async (count) => {
    const o = orgs[k]!;
    const wrong: Record<string, unknown> = {};
    let seen = 0;
    for (let start = 1; start < 200; start += count) {
      const r = await call("GET", `${s.scim}/Users?count=${count}&startIndex=${start}`, o.token);
      expect(r.status).toBe(200);
      const items = r.body.Resources as { id: string; groups?: Ref[] }[];
      for (const u of items) {
        seen += 1;
        const want = alone.get(u.id);
        if (want === undefined) {
          if (!/pending/.test(JSON.stringify(u))) wrong[u.id] = "a user of no page of this organization's";
          continue;
        }
        const got = groupsOf(u);
        if (JSON.stringify(got) !== JSON.stringify(want)) wrong[u.id] = { got, want };
      }
      if (items.length < count) break;
    }
    expect(seen).toBeGreaterThanOrEqual(14);
    expect(wrong).toEqual({});
  });
});
