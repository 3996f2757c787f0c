/**
 * Deep startIndex pages on SQLite start from where an earlier page of the same list began (page
 * anchors, src/store/sqlite/page-anchors.ts), never from a place that no longer holds: every page
 * is the page the list has now, whatever was asked before it and whatever was written since, by
 * this connection or another (another process on the same file). Pages are checked against the
 * list's order read afresh (a walk by cursor).
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Filter } from "../../src/domain/filter";
import type { ListQuery, UserRepo } from "../../src/domain/ports/store";
import { migrate } from "../../src/store/sqlite/migrations";
import { ANCHORED_FROM } from "../../src/store/sqlite/page-anchors";
import { sqliteUsers } from "../../src/store/sqlite/users";
import { orderedUsers } from "../helpers/fixtures";

const ORG = "ORanchors";
const OTHER = "ORother";
const now = "2026-12-07T00:00:00.000Z";
const USERS = 2 * ANCHORED_FROM + 350;
const user = orderedUsers(now);
const userName = { attr: "userName", type: "string", caseExact: false, multiValued: false } as const;
/** Every user of the list but one near its start: its deep pages are one user off the unfiltered list's. */
const allButOne: Filter = { kind: "cmp", attr: userName, op: "ne", value: "u12@acme.test" };
/** The same filter (the same SQL) but another value: a user near the list's end. */
const allButALateOne: Filter = { kind: "cmp", attr: userName, op: "ne", value: "u2700@acme.test" };

describe("deep startIndex pages on SQLite", () => {
  let dir: string;
  let db: Database.Database;
  let users: UserRepo;
  const prepared: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "orgscim-anchors-"));
    db = new Database(join(dir, "a.db"));
    db.pragma("journal_mode = WAL");
    migrate(db);
    for (const org of [ORG, OTHER]) db.prepare("INSERT INTO organizations (id, name, settings, created, last_modified) VALUES (?, ?, '{}', ?, ?)").run(org, org, now, now);
    const spy = new Proxy(db, { get: (t, k) => (k === "prepare" ? (sql: string) => { prepared.push(sql); return t.prepare(sql); } : (Reflect.get(t, k, t) as unknown)) });
    users = sqliteUsers(spy as Database.Database);
    db.exec("BEGIN");
    // Another organization's users between this one's, and some not listed (independent).
    for (let i = 0; i < USERS; i++) {
      await users.insert(user(ORG, i % 7 === 3 ? { status: "independent", orgRole: null } : {}));
      if (i % 5 === 0) await users.insert(user(OTHER));
    }
    db.exec("COMMIT");
  });
  afterAll(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The list's ids in order, read afresh by cursor (no startIndex page involved). */
  const truth = async (q: Omit<ListQuery, "startIndex" | "count"> = {}): Promise<string[]> => {
    const ids: string[] = [];
    let cursor: string | undefined = "";
    while (cursor !== undefined) {
      const page: Awaited<ReturnType<UserRepo["list"]>> = await users.list(ORG, { ...q, startIndex: 1, count: 500, cursor });
      ids.push(...page.items.map((u) => u.id));
      cursor = page.nextCursor;
    }
    return ids;
  };
  const page = async (startIndex: number, count = 100, q: Partial<ListQuery> = {}) => {
    const p = await users.list(ORG, { startIndex, count, ...q });
    return { total: p.total, ids: p.items.map((u) => u.id) };
  };
  const expectPages = async (starts: number[], q: Partial<ListQuery> = {}, count = 100) => {
    const all = await truth(q);
    for (const s of starts) expect(await page(s, count, q)).toEqual({ total: all.length, ids: all.slice(s - 1, s - 1 + count) });
  };
  const walk = (from: number, to: number, step: number) => Array.from({ length: Math.ceil((to - from) / step) }, (_, i) => from + i * step);

  it("answers a walk by startIndex page after page, its deep pages from where the page before it ended", async () => {
    await expectPages(walk(1, USERS + 200, 100));
    // The walk's deep pages started from an anchor (the statement that does so was prepared).
    expect(prepared.filter((sql) => /seq >= \? ORDER BY u\.seq LIMIT \d+ OFFSET \?/.test(sql))).toHaveLength(1);
  });

  it("answers deep pages asked out of order and of other sizes, from the nearest place before each", async () => {
    await expectPages([2101, 1001, 1900, 1350, 2001, 1001, 1999, 1002]);
    await expectPages([1001, 1901, 1042], {}, 37);
  });

  it("answers the page the list has now after this connection's writes before the page: a user removed, added, hidden, shown", async () => {
    await expectPages([1101, 1201, 1301]);
    const all = await truth();
    expect(await users.delete(ORG, all[10]!)).toBe(true);
    await expectPages([1101, 1201, 1301]);
    await users.insert(user(ORG));
    await expectPages([1101, 1201, USERS - 150]);
    const hidden = (await users.get(ORG, all[500]!))!;
    expect(await users.update({ ...hidden, status: "independent", orgRole: null, version: 2 }, 1)).toBe(true);
    await expectPages([1101, 1201, 1301]);
    const shown = (await users.get(ORG, all[600]!, { includeIndependent: true }))!;
    expect(await users.update({ ...shown, status: "independent", orgRole: null, version: 2 }, 1)).toBe(true);
    expect(await users.update({ ...shown, status: "managed", orgRole: "standard", version: 3 }, 2)).toBe(true);
    await expectPages([1101, 1201, 1301]);
  });

  it("answers the page the list has now after another connection's commit (another process on the same file)", async () => {
    await expectPages([1101, 1201, 1301]);
    const other = new Database(db.name);
    try {
      const all = await truth();
      other.prepare("DELETE FROM users WHERE id = ?").run(all[20]!);
      await expectPages([1101, 1201, 1301]);
      other.prepare("UPDATE users SET status = 'independent' WHERE id = ?").run(all[30]!);
      await expectPages([1101, 1201, 1301]);
    } finally {
      other.close();
    }
  });

  it("answers a filtered list's deep pages, kept apart from the unfiltered list's and from the same filter's with another value, and a sorted list's as before", async () => {
    const filtered = await truth({ filter: allButOne });
    expect((await truth()).length - filtered.length).toBe(1);
    await expectPages(walk(1, filtered.length + 100, 100), { filter: allButOne });
    await expectPages([1101, 1201], { filter: allButOne });
    await expectPages([1101, 1201]);
    await expectPages([1150, 1201], { filter: allButOne });
    expect((await truth()).length - (await truth({ filter: allButALateOne })).length).toBe(1);
    await expectPages([1101, 1201, 1150], { filter: allButALateOne });
    const sorted = (await truth()).slice().reverse();
    const bySort = await users.list(ORG, { startIndex: 1101, count: 5, sort: { attr: { attr: "id", type: "string", caseExact: true, multiValued: false }, descending: true } });
    expect(bySort.items.map((u) => u.id)).toEqual(sorted.slice(1100, 1105));
  });

  it("reads and keeps no anchor for a page that begins before ANCHORED_FROM, whatever its count: a lookup by filter (count 1000, the default) runs its page statement alone", async () => {
    const seen: string[] = [];
    const fresh = new Proxy(db, { get: (t, k) => (k === "prepare" ? (sql: string) => { seen.push(sql); return t.prepare(sql); } : (Reflect.get(t, k, t) as unknown)) });
    const lookups = sqliteUsers(fresh as Database.Database);
    const eq: Filter = { kind: "cmp", attr: userName, op: "eq", value: "u42@acme.test" };
    const found = await lookups.list(ORG, { startIndex: 1, count: ANCHORED_FROM, filter: eq });
    expect(found.items.map((u) => u.userName)).toEqual(["u42@acme.test"]);
    const all = await truth();
    const first = await lookups.list(ORG, { startIndex: ANCHORED_FROM - 100, count: 200 });
    expect(first.items.map((u) => u.id)).toEqual(all.slice(ANCHORED_FROM - 101, ANCHORED_FROM + 99));
    // The database's state (./page-anchors.ts stateOf) is read only by a page that may use or keep an anchor.
    expect(seen.filter((sql) => /data_version|total_changes/.test(sql))).toEqual([]);
    // The deep page right after the second one starts from the first row: neither page kept an anchor.
    const deep = await lookups.list(ORG, { startIndex: ANCHORED_FROM + 100, count: 100 });
    expect(deep.items.map((u) => u.id)).toEqual(all.slice(ANCHORED_FROM + 99, ANCHORED_FROM + 199));
    expect(seen.filter((sql) => /seq >= \?/.test(sql))).toEqual([]);
  });

  it("reads no anchor inside a transaction, whose writes may roll back", async () => {
    await expectPages([1101, 1201]);
    const all = await truth();
    db.exec("BEGIN");
    await users.delete(ORG, all[5]!);
    expect((await page(1101)).ids).toEqual(all.filter((_, i) => i !== 5).slice(1100, 1200));
    db.exec("ROLLBACK");
    await expectPages([1101, 1201]);
  });
});
