/**
 * A list's kept total is never answered after a write through any door (docs/security.md case 66,
 * held). The SQLite store keeps a filtered list's count(*) for its next pages while the database
 * holds the same rows (src/store/sqlite/list-totals.ts: the reader connection's data_version and
 * total_changes()). A write the state missed would leave a client walking a list by cursor or
 * startIndex with a stale totalResults: an identity provider reconciling an organization stops
 * early or looks for users that are gone.
 *
 * Attacked over HTTP on the real store, one organization a door: a client reads page 2 of a
 * filtered list (by cursor and by startIndex; neither page ends the list, so its total is the
 * count), then the list's rows are changed through one door (SCIM POST, DELETE, PATCH, PUT, /Bulk,
 * /v1, a member PATCH, a group's rename, /Groups POST, and an import through another connection on
 * the same file, as `orgscim import` beside a running server), and the client asks the same page 2
 * again, with the cursor it held. Held: every page 2 answers the total of the list read whole
 * afresh (one page that ends it, so that total is counted from the page itself), and the door
 * changed that total (the case would prove nothing otherwise).
 */
import { join } from "node:path";
import { importLines } from "../../src/cli/import";
import { systemClock } from "../../src/domain/clock";
import { newId } from "../../src/domain/ids";
import { openStore } from "../../src/store/open";
import { call, ORG_EXT, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";
import { v1 } from "../helpers/v1";
import { linesOf } from "../cli/seed";

jest.setTimeout(120_000);

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const GROUP_MEMBER = "urn:ietf:params:scim:schemas:core:2.0:GroupMember";
/** Users (or groups) in each door's list before the write: page 2 of 2 never ends it, before or after. */
const IN_LIST = 8;

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

interface ListBody { totalResults: number; itemsPerPage: number; Resources?: Array<{ id: string }>; nextCursor?: string }

const get = async (token: string, path: string): Promise<ListBody> => {
  const r = await call("GET", `${s.scim}${path}`, token);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as unknown as ListBody;
};
const q = (filter: string) => `filter=${encodeURIComponent(filter)}`;

/** The list read whole in one page that ends it: its total is the page's own length, no kept count. */
async function fresh(token: string, resource: string, filter: string): Promise<number> {
  const page = await get(token, `/${resource}?${q(filter)}&count=500`);
  const shown = page.Resources?.length ?? 0;
  expect(page.totalResults).toBe(shown);
  return shown;
}

/** Page 2 (count 2) by cursor, from the cursor page 1 gave, and by startIndex 3: their totals. */
async function secondPages(token: string, resource: string, filter: string, cursor: string): Promise<{ cursor: number; startIndex: number }> {
  const byCursor = await get(token, `/${resource}?${q(filter)}&count=2&cursor=${encodeURIComponent(cursor)}`);
  const byIndex = await get(token, `/${resource}?${q(filter)}&count=2&startIndex=3`);
  return { cursor: byCursor.totalResults, startIndex: byIndex.totalResults };
}

interface Door {
  name: string;
  resource: "Users" | "Groups" | "GroupMembers";
  /** Makes the door's organization and its list; answers the filter and what the write needs. */
  setup(token: string, tag: string, orgId: string): Promise<{ filter: string; write: () => Promise<void> }>;
}

const created = async (token: string, path: string, body: unknown): Promise<string> => {
  const r = await call("POST", `${s.scim}${path}`, token, body);
  if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id as string;
};
const ok = async (status: Promise<{ status: number; body: unknown }>, what: string, ...want: number[]) => {
  const r = await status;
  if (!want.includes(r.status)) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
};
const usersOf = async (token: string, tag: string, over: Record<string, unknown> = {}): Promise<string[]> => {
  const ids: string[] = [];
  for (let i = 0; i < IN_LIST; i++) ids.push(await created(token, "/Users", userBody(`${tag}-${i}@tot.test`, over)));
  return ids;
};
const byName = (tag: string) => `userName sw "${tag}-"`;

const doors: Door[] = [
  {
    name: "SCIM POST /Users", resource: "Users",
    async setup(token, tag) {
      await usersOf(token, tag);
      return { filter: byName(tag), write: async () => void (await created(token, "/Users", userBody(`${tag}-new@tot.test`))) };
    },
  },
  {
    name: "SCIM DELETE /Users/{id}", resource: "Users",
    async setup(token, tag) {
      const ids = await usersOf(token, tag);
      return { filter: byName(tag), write: () => ok(call("DELETE", `${s.scim}/Users/${ids[7]!}`, token), "DELETE", 204) };
    },
  },
  {
    name: "SCIM PATCH active false", resource: "Users",
    async setup(token, tag) {
      const ids = await usersOf(token, tag);
      const patch = { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "active", value: false }] };
      return { filter: `${byName(tag)} and active eq true`, write: () => ok(call("PATCH", `${s.scim}/Users/${ids[7]!}`, token, patch), "PATCH", 200, 204) };
    },
  },
  {
    name: "SCIM PUT /Users/{id} renaming out of the list", resource: "Users",
    async setup(token, tag) {
      const ids = await usersOf(token, tag);
      return { filter: byName(tag), write: () => ok(call("PUT", `${s.scim}/Users/${ids[7]!}`, token, userBody(`moved-${tag}@tot.test`)), "PUT", 200) };
    },
  },
  {
    name: "/Bulk POSTs", resource: "Users",
    async setup(token, tag) {
      await usersOf(token, tag);
      const bulk = {
        schemas: [BULK],
        Operations: [0, 1].map((i) => ({ method: "POST", path: "/Users", bulkId: `b${i}`, data: userBody(`${tag}-bulk${i}@tot.test`) })),
      };
      return { filter: byName(tag), write: () => ok(call("POST", `${s.scim}/Bulk`, token, bulk), "Bulk", 200) };
    },
  },
  {
    name: "/v1 POST /Users/{sid} org_role", resource: "Users",
    async setup(token, tag) {
      const ids = await usersOf(token, tag, { [ORG_EXT]: { orgRole: "administrator" } });
      return {
        filter: `${byName(tag)} and ${ORG_EXT}:orgRole eq "administrator"`,
        write: () => ok(v1("POST", `${s.url}/v1/Users/${ids[7]!}`, token, { org_role: "standard" }), "/v1 role", 200),
      };
    },
  },
  {
    name: "SCIM PATCH /Groups/{id} removing a member", resource: "Users",
    async setup(token, tag) {
      const ids = await usersOf(token, tag);
      const group = await created(token, "/Groups", { schemas: [GROUP], displayName: `team-${tag}`, members: ids.map((value) => ({ value })) });
      const patch = { schemas: [PATCH_SCHEMA], Operations: [{ op: "remove", path: `members[value eq "${ids[7]!}"]` }] };
      return { filter: `groups.value eq "${group}"`, write: () => ok(call("PATCH", `${s.scim}/Groups/${group}`, token, patch), "member PATCH", 200, 204) };
    },
  },
  {
    name: "SCIM PATCH /Groups/{id} renaming the group its members are listed by", resource: "Users",
    async setup(token, tag) {
      const ids = await usersOf(token, tag);
      const group = await created(token, "/Groups", { schemas: [GROUP], displayName: `team-${tag}`, members: ids.map((value) => ({ value })) });
      const patch = { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "displayName", value: `renamed-${tag}` }] };
      return { filter: `groups.display eq "team-${tag}"`, write: () => ok(call("PATCH", `${s.scim}/Groups/${group}`, token, patch), "rename", 200, 204) };
    },
  },
  {
    name: "SCIM POST /Groups", resource: "Groups",
    async setup(token, tag) {
      for (let i = 0; i < IN_LIST; i++) await created(token, "/Groups", { schemas: [GROUP], displayName: `${tag}-g${i}` });
      return { filter: `displayName sw "${tag}-"`, write: async () => void (await created(token, "/Groups", { schemas: [GROUP], displayName: `${tag}-new` })) };
    },
  },
  {
    name: "POST /GroupMembers (a group's member list)", resource: "GroupMembers",
    async setup(token, tag) {
      const ids = await usersOf(token, tag);
      const extra = await created(token, "/Users", userBody(`${tag}-extra@tot.test`));
      const group = await created(token, "/Groups", { schemas: [GROUP], displayName: `team-${tag}`, members: ids.map((value) => ({ value })) });
      const body = { schemas: [GROUP_MEMBER], group: { value: group }, member: { value: extra } };
      return { filter: `group.value eq "${group}"`, write: () => ok(call("POST", `${s.scim}/GroupMembers`, token, body), "POST /GroupMembers", 201) };
    },
  },
  {
    name: "SCIM DELETE /Users/{id} of a member (a group's member list)", resource: "GroupMembers",
    async setup(token, tag) {
      const ids = await usersOf(token, tag);
      const group = await created(token, "/Groups", { schemas: [GROUP], displayName: `team-${tag}`, members: ids.map((value) => ({ value })) });
      return { filter: `group.value eq "${group}"`, write: () => ok(call("DELETE", `${s.scim}/Users/${ids[7]!}`, token), "DELETE", 204) };
    },
  },
  {
    name: "SCIM PATCH /Groups/{id} removing a member (a group's member list)", resource: "GroupMembers",
    async setup(token, tag) {
      const ids = await usersOf(token, tag);
      const group = await created(token, "/Groups", { schemas: [GROUP], displayName: `team-${tag}`, members: ids.map((value) => ({ value })) });
      const patch = { schemas: [PATCH_SCHEMA], Operations: [{ op: "remove", path: `members[value eq "${ids[7]!}"]` }] };
      return { filter: `group.value eq "${group}"`, write: () => ok(call("PATCH", `${s.scim}/Groups/${group}`, token, patch), "member PATCH", 200, 204) };
    },
  },
  {
    name: "an import through another connection on the same file (orgscim import beside the server)", resource: "Users",
    async setup(token, tag, orgId) {
      await usersOf(token, tag);
      return {
        filter: byName(tag),
        write: async () => {
          const store = await openStore(`sqlite:${join(s.dir, "test.db")}`);
          try {
            const header = JSON.stringify({ type: "export", format: "orgscim-ndjson", version: 1, orgId, exported: new Date().toISOString(), store: "sqlite" });
            const users = [0, 1].map((i) => JSON.stringify({ type: "user", resource: { id: newId("US"), ...userBody(`${tag}-imported${i}@tot.test`) } }));
            const { report } = await importLines(store, systemClock, orgId, linesOf([header, ...users]), { source: "doors.ndjson" });
            expect(report.errors).toEqual([]);
          } finally {
            await store.close();
          }
        },
      };
    },
  },
];

describe.each(doors.map((d) => [d.name, d] as const))("a filtered list's page 2 after %s", (_name, door) => {
  it("answers the total of the list as it is now, for the cursor held from before the write and by startIndex", async () => {
    const o = await s.newOrg({ domainEnforcement: false });
    const tag = `t${Math.random().toString(36).slice(2, 8)}`;
    const { filter, write } = await door.setup(o.token, tag, o.org.id);
    const before = await fresh(o.token, door.resource, filter);
    expect(before).toBe(IN_LIST);
    const first = await get(o.token, `/${door.resource}?${q(filter)}&count=2&cursor=`);
    expect(first.nextCursor).toEqual(expect.any(String));
    const cursor = first.nextCursor!;
    // Twice: the second pair is answered from the count kept for this list in this state.
    expect(await secondPages(o.token, door.resource, filter, cursor)).toEqual({ cursor: before, startIndex: before });
    expect(await secondPages(o.token, door.resource, filter, cursor)).toEqual({ cursor: before, startIndex: before });

    await write();

    const after = await fresh(o.token, door.resource, filter);
    expect(after).not.toBe(before);
    expect(await secondPages(o.token, door.resource, filter, cursor)).toEqual({ cursor: after, startIndex: after });
  });
});
