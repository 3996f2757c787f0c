/**
 * An update of a user on SQLite writes what changed: the columns whose value changes (SQLite
 * rewrites the entry of every index over a column an UPDATE sets, changed or not, and fires the
 * triggers `AFTER UPDATE OF` it), and the email rows only when the emails change. What is read
 * back is the same either way.
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

const COLUMNS = ["user_name", "user_name_fold", "external_id", "display_name", "active", "status", "org_role",
  "two_factor_required", "password_reset_required", "primary_email", "data", "version"];

let dir: string;
let file: string;
let store: Store;
let spy: Database.Database;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "orgscim-user-update-"));
  file = join(dir, "u.db");
  store = openSqliteStore({ path: file });
  // A trigger per column, as the store's own are declared (AFTER UPDATE OF): it fires when an UPDATE sets that column.
  spy = new Database(file);
  spy.exec("CREATE TABLE IF NOT EXISTS spy_set (user_id TEXT, col TEXT)");
  for (const c of COLUMNS) spy.exec(`CREATE TRIGGER spy_${c} AFTER UPDATE OF ${c} ON users BEGIN INSERT INTO spy_set VALUES (NEW.id, '${c}'); END`);
});
afterAll(async () => {
  await store.close();
  spy.close();
  rmSync(dir, { recursive: true, force: true });
});

const setColumns = (userId: string): string[] =>
  (spy.prepare("SELECT col FROM spy_set WHERE user_id = ? ORDER BY rowid").pluck().all(userId) as string[]).sort();
const emailValues = (userId: string): string[] =>
  spy.prepare("SELECT e.value FROM user_emails e JOIN users u ON u.seq = e.user_seq WHERE u.id = ? ORDER BY e.rowid").pluck().all(userId) as string[];
const emailRowids = (userId: string): number[] =>
  spy.prepare("SELECT e.rowid FROM user_emails e JOIN users u ON u.seq = e.user_seq WHERE u.id = ? ORDER BY e.rowid").pluck().all(userId) as number[];

describe("an update of a user (SQLite)", () => {
  it("sets only the columns whose value changes: a deactivation sets active, data and version", async () => {
    const org = anOrg();
    await store.orgs.insert(org);
    const u = aUser(org.id, { displayName: "Ada", externalId: "ext-1" });
    await store.users.insert(u);
    const emails = emailRowids(u.id);

    const next = { ...u, active: false, data: { ...u.data, active: false }, version: 2 };
    expect(await store.users.update(next, 1)).toBe(true);
    expect(setColumns(u.id)).toEqual(["active", "data", "version"]);
    expect(emailRowids(u.id)).toEqual(emails); // the same emails: their rows stay
    expect(await store.users.get(org.id, u.id)).toEqual(next);
  });

  it("sets the indexed columns that change, and replaces the email rows when the emails change", async () => {
    const org = anOrg();
    await store.orgs.insert(org);
    const u = aUser(org.id, { displayName: "Ada" });
    await store.users.insert(u);

    const emails = [{ value: "grace@acme.test", type: "work", primary: true }];
    const next = { ...u, userName: "grace@acme.test", emails, data: { ...u.data, userName: "grace@acme.test", emails }, orgRole: "administrator" as const, version: 2 };
    expect(await store.users.update(next, 1)).toBe(true);
    expect(setColumns(u.id)).toEqual(["data", "org_role", "primary_email", "user_name", "user_name_fold", "version"]);
    expect(emailValues(u.id)).toEqual(["grace@acme.test"]);
    expect(await store.users.get(org.id, u.id)).toEqual(next);
    expect((await store.users.findByUserName(org.id, "GRACE@acme.test"))?.id).toBe(u.id);
    expect(await store.users.findByUserName(org.id, u.userName)).toBeNull();
  });

  it("is a compare-and-set: a stale version writes nothing", async () => {
    const org = anOrg();
    await store.orgs.insert(org);
    const u = aUser(org.id);
    await store.users.insert(u);
    expect(await store.users.update({ ...u, displayName: "Late", version: 3 }, 2)).toBe(false);
    expect(setColumns(u.id)).toEqual([]);
    expect(await store.users.get(org.id, u.id)).toEqual(u);
  });
});

describe("a user's email rows (SQLite)", () => {
  const mails = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ value: `${tag}.${i}@acme.test`, type: i % 2 ? "home" : "work", primary: i === 0 }));
  const typesOf = (userId: string): Array<[string, string | null, number]> =>
    spy.prepare("SELECT e.value, e.type, e.is_primary FROM user_emails e JOIN users u ON u.seq = e.user_seq WHERE u.id = ? ORDER BY e.rowid").raw().all(userId) as Array<[string, string | null, number]>;

  // Up to 8 rows go in one INSERT; more take one statement a part: every count writes every email, in order.
  it.each([0, 1, 2, 8, 9, 17, 40])("writes all %i of a new user's emails, in their order, each with its type and primary", async (n) => {
    const org = anOrg();
    await store.orgs.insert(org);
    const emails = mails(n, `n${n}`);
    const u = aUser(org.id, { emails, data: { emails } });
    await store.users.insert(u);
    expect(typesOf(u.id)).toEqual(emails.map((e) => [e.value, e.type, e.primary ? 1 : 0]));
    if (n > 0) {
      const last = emails[n - 1]!.value;
      const page = await store.users.list(org.id, { startIndex: 1, count: 10, filter: parseFilter(`emails.value eq "${last.toUpperCase()}"`, USERS.resolver) });
      expect(page.items.map((x) => x.id)).toEqual([u.id]);
    }
  });

  it("replaces them in their new order when an update changes them, whatever their count", async () => {
    const org = anOrg();
    await store.orgs.insert(org);
    const u = aUser(org.id);
    await store.users.insert(u);
    let version = 1;
    for (const n of [11, 3, 9, 1]) {
      const emails = mails(n, `r${n}`);
      expect(await store.users.update({ ...u, emails, data: { ...u.data, emails }, version: version + 1 }, version)).toBe(true);
      version++;
      expect(emailValues(u.id)).toEqual(emails.map((e) => e.value));
    }
  });
});
