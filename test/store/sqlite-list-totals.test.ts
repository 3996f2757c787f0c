/**
 * A filtered list's totalResults on SQLite is its count now on every page, though the count is kept
 * for the list's next pages (src/store/sqlite/list-totals.ts): after this connection's writes
 * between pages (a user removed, added, hidden), another connection's commit (another process on
 * the same file), inside a transaction and after it rolls back, and for the same filter with
 * another value or in another organization. Each total is checked against the list read whole in
 * one page, whose total the page itself shows (no count involved).
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Filter } from "../../src/domain/filter";
import type { UserRepo } from "../../src/domain/ports/store";
import { migrate } from "../../src/store/sqlite/migrations";
import { sqliteUsers } from "../../src/store/sqlite/users";
import { orderedUsers } from "../helpers/fixtures";

const ORG = "ORtotals";
const OTHER = "ORtotalsother";
const now = "2026-12-07T00:00:00.000Z";
const user = orderedUsers(now);
const userName = { attr: "userName", type: "string", caseExact: false, multiValued: false } as const;
/** One SQL, two values, two counts: users u1..., users u2.... */
const startsWith = (value: string): Filter => ({ kind: "cmp", attr: userName, op: "sw", value });
const u1 = startsWith("u1");
const u2 = startsWith("u2");

describe("a filtered list's totalResults on SQLite", () => {
  let dir: string;
  let db: Database.Database;
  let users: UserRepo;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "orgscim-totals-"));
    db = new Database(join(dir, "t.db"));
    db.pragma("journal_mode = WAL");
    migrate(db);
    for (const org of [ORG, OTHER]) db.prepare("INSERT INTO organizations (id, name, settings, created, last_modified) VALUES (?, ?, '{}', ?, ?)").run(org, org, now, now);
    users = sqliteUsers(db);
    db.exec("BEGIN");
    for (let i = 0; i < 400; i++) {
      await users.insert(user(i % 4 === 1 ? OTHER : ORG));
    }
    db.exec("COMMIT");
  });
  afterAll(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The list's ids now, in one page that ends the results (its total is the page's length, not a count). */
  const truth = async (filter: Filter, org = ORG): Promise<string[]> => {
    const page = await users.list(org, { startIndex: 1, count: 100_000, filter });
    expect(page.total).toBe(page.items.length);
    return page.items.map((u) => u.id);
  };
  /** Pages of 10 by cursor, from the start: each page's total must be the list's count at that moment. */
  async function walk(filter: Filter, between: (page: number) => Promise<void> = async () => {}, org = ORG): Promise<number> {
    let cursor: string | undefined = "";
    let pages = 0;
    while (cursor !== undefined) {
      const page: Awaited<ReturnType<UserRepo["list"]>> = await users.list(org, { startIndex: 1, count: 10, cursor, filter });
      expect({ page: pages, total: page.total }).toEqual({ page: pages, total: (await truth(filter, org)).length });
      cursor = page.nextCursor;
      await between(++pages);
    }
    return pages;
  }

  it("is the count now on every page of a walk by cursor, across this connection's writes between pages", async () => {
    expect(await walk(u1)).toBeGreaterThan(5);
    const pages = await walk(u1, async (page) => {
      const all = await truth(u1);
      if (page === 1) expect(await users.delete(ORG, all[all.length - 1]!)).toBe(true);
      if (page === 2) await users.insert(user(ORG, { userName: `u1added${page}@acme.test`, data: { userName: `u1added${page}@acme.test` } }));
      if (page === 3) {
        const hidden = (await users.get(ORG, all[all.length - 2]!))!;
        expect(await users.update({ ...hidden, status: "independent", orgRole: null, version: hidden.version + 1 }, hidden.version)).toBe(true);
      }
    });
    expect(pages).toBeGreaterThan(3);
  });

  it("is the count now after another connection's commit between pages (another process on the same file)", async () => {
    const other = new Database(db.name);
    try {
      await walk(u1, async (page) => {
        const all = await truth(u1);
        if (page === 1) other.prepare("DELETE FROM users WHERE id = ?").run(all[all.length - 1]!);
        if (page === 2) other.prepare("UPDATE users SET status = 'independent' WHERE id = ?").run(all[all.length - 1]!);
      });
    } finally {
      other.close();
    }
  });

  it("is each list's own: the same filter with another value, and in another organization, walked in turn", async () => {
    const counts = [(await truth(u1)).length, (await truth(u2)).length, (await truth(u1, OTHER)).length];
    expect(new Set(counts).size).toBe(3);
    const lists: [Filter, string][] = [[u1, ORG], [u2, ORG], [u1, OTHER]];
    const cursors: (string | undefined)[] = ["", "", ""];
    for (let round = 0; round < 4; round++) {
      for (const [i, [filter, org]] of lists.entries()) {
        if (cursors[i] === undefined) continue;
        const page = await users.list(org, { startIndex: 1, count: 5, cursor: cursors[i], filter });
        expect({ list: i, total: page.total }).toEqual({ list: i, total: counts[i] });
        cursors[i] = page.nextCursor;
      }
    }
  });

  it("is the count now inside a transaction, and again after it rolls back", async () => {
    const before = (await truth(u1)).length;
    expect((await users.list(ORG, { startIndex: 1, count: 5, cursor: "", filter: u1 })).total).toBe(before);
    db.exec("BEGIN");
    try {
      const all = await truth(u1);
      expect(await users.delete(ORG, all[0]!)).toBe(true);
      expect((await users.list(ORG, { startIndex: 1, count: 5, cursor: "", filter: u1 })).total).toBe(before - 1);
    } finally {
      db.exec("ROLLBACK");
    }
    expect((await users.list(ORG, { startIndex: 1, count: 5, cursor: "", filter: u1 })).total).toBe(before);
  });

  it("is the count now on startIndex pages that do not end the list, across writes between them", async () => {
    for (const start of [1, 11, 21]) {
      const page = await users.list(ORG, { startIndex: start, count: 5, filter: u2 });
      expect(page.total).toBe((await truth(u2)).length);
      const all = await truth(u2);
      expect(await users.delete(ORG, all[all.length - 1]!)).toBe(true);
    }
    expect((await users.list(ORG, { startIndex: 1, count: 5, filter: u2 })).total).toBe((await truth(u2)).length);
  });
});
