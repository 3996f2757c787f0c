/**
 * An unfiltered list's totalResults on SQLite comes from org_member_counts (migration 10), kept by
 * triggers; it must always equal what count(*) would answer, whatever the writes.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Store } from "../../src/domain/ports/store";
import { parseFilter } from "../../src/scim/filter/parse";
import { USERS } from "../../src/scim/resource-types";
import { openSqliteStore } from "../../src/store/sqlite/store";
import { anOrg, aUser } from "../helpers/fixtures";

let dir: string;
let file: string;
let store: Store;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "orgscim-count-"));
  file = join(dir, "count.db");
  store = openSqliteStore({ path: file });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const all = { startIndex: 1, count: 0 };
const counted = (orgId: string): number => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT count(*) FROM users WHERE org_id = ? AND status <> 'independent'").pluck().get(orgId) as number;
  } finally {
    db.close();
  }
};

describe("the organization's member count (SQLite)", () => {
  it("follows creates, independent users, status changes and deletes, organization by organization", async () => {
    const a = anOrg(); const b = anOrg();
    await store.orgs.insert(a); await store.orgs.insert(b);
    expect((await store.users.list(a.id, all)).total).toBe(0);

    const users = [aUser(a.id), aUser(a.id), aUser(a.id, { status: "pending" }), aUser(a.id, { status: "independent" })];
    for (const u of users) await store.users.insert(u);
    await store.users.insert(aUser(b.id));
    expect((await store.users.list(a.id, all)).total).toBe(3);
    expect((await store.users.list(b.id, all)).total).toBe(1);

    const independent = users[3]!;
    expect(await store.users.update({ ...independent, status: "pending", version: 2 }, 1)).toBe(true); // invited into the organization
    expect((await store.users.list(a.id, all)).total).toBe(4);
    expect(await store.users.update({ ...independent, status: "independent", version: 3 }, 2)).toBe(true); // removed, keeps account access
    expect((await store.users.list(a.id, all)).total).toBe(3);
    expect(await store.users.update({ ...users[0]!, displayName: "Renamed", version: 2 }, 1)).toBe(true); // no status change
    expect((await store.users.list(a.id, all)).total).toBe(3);

    expect(await store.users.delete(a.id, users[1]!.id)).toBe(true);
    expect(await store.users.delete(a.id, independent.id)).toBe(true);
    expect((await store.users.list(a.id, all)).total).toBe(2);
    expect((await store.users.list(a.id, all)).total).toBe(counted(a.id));
    expect((await store.users.list(b.id, all)).total).toBe(counted(b.id));
  });

  it("still counts with the filter when there is one", async () => {
    const o = anOrg(); await store.orgs.insert(o);
    const u = aUser(o.id, { userName: "only@acme.test" });
    await store.users.insert(u); await store.users.insert(aUser(o.id));
    const filtered = await store.users.list(o.id, { ...all, filter: parseFilter('userName eq "only@acme.test"', USERS.resolver) });
    expect(filtered.total).toBe(1);
  });
});
