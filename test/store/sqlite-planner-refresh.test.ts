/**
 * A store opened empty has no planner statistics, and an organization's first sync grows it fast.
 * The store asks SQLite every PLANNER_REFRESH_MS whether its statistics are stale (PRAGMA optimize),
 * so within a minute of growing, the lists that depend on statistics are planned on their index
 * again. Before, the refresh was hourly: an initial sync's email lookups each walked the
 * organization for up to an hour.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseFilter } from "../../src/scim/filter/parse";
import { USERS } from "../../src/scim/resource-types";
import { migrate } from "../../src/store/sqlite/migrations";
import { keepPlannerStatisticsFresh, PLANNER_REFRESH_MS, refreshPlannerStatistics } from "../../src/store/sqlite/planner";
import { sqliteUsers } from "../../src/store/sqlite/users";
import type { UserRecord } from "../../src/domain/types";

const ORG = "ORfresh";
const now = "2026-12-06T00:00:00.000Z";
const user = (i: number): UserRecord => ({
  id: `US${String(i).padStart(30, "0")}`, orgId: ORG, userName: `u${i}@acme.test`, externalId: `ext-${i}`, displayName: `U ${i}`,
  active: true, status: "managed", orgRole: "standard", twoFactorRequired: false, passwordResetRequired: false,
  emails: [{ value: `u${i}@acme.test`, type: "work", primary: true }],
  data: { emails: [{ value: `u${i}@acme.test`, type: "work", primary: true }] }, version: 1, created: now, lastModified: now,
});

describe("planner statistics of a store that grows from empty", () => {
  let dir: string;
  let db: Database.Database;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "orgscim-planner-"));
    db = new Database(join(dir, "s.db"));
    migrate(db);
    db.prepare("INSERT INTO organizations (id, name, settings, created, last_modified) VALUES (?, ?, '{}', ?, ?)").run(ORG, ORG, now, now);
    refreshPlannerStatistics(db); // as the store does at open: nothing to learn from an empty store
  });
  afterEach(() => {
    jest.useRealTimers();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The plan of the count an emails filter runs: does it walk the organization's users? */
  async function emailCountWalks(): Promise<boolean> {
    const seen: string[] = [];
    const spy = new Proxy(db, {
      get(target, key) {
        if (key === "prepare") return (sql: string) => { seen.push(sql); return target.prepare(sql); };
        const v = Reflect.get(target, key, target) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    // startIndex 2: the one match is skipped, so the empty page cannot give the total and the count runs
    // (a page that ends the results gives it: src/domain/ports/page-total.ts).
    await sqliteUsers(spy).list(ORG, { startIndex: 2, count: 10, filter: parseFilter('emails[type eq "work"].value eq "u9@acme.test"', USERS.resolver) });
    const count = seen.find((sql) => /^SELECT count\(\*\) FROM users u/.test(sql) && /user_emails/.test(sql));
    if (!count) throw new Error(`the emails filter ran no count: ${seen.join(" | ")}`);
    const args = [ORG, ORG, "work", "u9@acme.test"];
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${count}`).all(...args) as { detail: string }[]).map((r) => r.detail);
    return plan.some((step) => /^(SCAN u\b|SEARCH u USING (COVERING )?INDEX \S+ \(org_id=\?\)$)/.test(step));
  }

  it("plans an emails filter on its index within PLANNER_REFRESH_MS of a first sync", async () => {
    jest.useFakeTimers({ doNotFake: ["nextTick", "setImmediate", "queueMicrotask"] });
    const stop = keepPlannerStatisticsFresh(db, PLANNER_REFRESH_MS, (e) => { throw e; });
    try {
      const users = sqliteUsers(db);
      db.exec("BEGIN");
      for (let i = 0; i < 3000; i++) await users.insert(user(i));
      db.exec("COMMIT");
      expect(await emailCountWalks()).toBe(true); // no statistics yet: the organization is walked
      jest.advanceTimersByTime(PLANNER_REFRESH_MS);
      expect(await emailCountWalks()).toBe(false);
    } finally {
      stop();
    }
  });

  it("refreshes at least every minute", () => {
    expect(PLANNER_REFRESH_MS).toBeLessThanOrEqual(60_000);
  });
});
