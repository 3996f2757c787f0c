/**
 * The SQLite filter compiler (src/store/sqlite/filter-sql.ts): its SQL answers what filter-eval's
 * `matches()` answers (a property over random users and random filters), values are always bound,
 * LIKE metacharacters are escaped, NULLs never leak through `not`, and sorting follows RFC 7644 §3.4.2.3.
 */
import Database from "better-sqlite3";
import fc from "fast-check";
import SCIMMY from "scimmy";
import { isDomainError } from "../../src/domain/errors";
import type { Filter } from "../../src/domain/filter";
import { matches } from "../../src/domain/filter-eval";
import type { SchemaDoc } from "../../src/scim/schema-doc";
import { ResourceSchema } from "../../src/scim/schema-model";
import { parseFilter, parseSortBy } from "../../src/scim/filter/parse";
import { compileFilter, compileSort } from "../../src/store/sqlite/filter-sql";
import { foldCase } from "../../src/store/sqlite/fold";
import { GROUP_MAP, USER_MAP } from "../../src/store/sqlite/resource-maps";

const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const doc = (d: unknown): SchemaDoc => JSON.parse(JSON.stringify(d)) as SchemaDoc;
const users = new ResourceSchema(doc(SCIMMY.Schemas.User.definition.describe()), [doc(SCIMMY.Schemas.EnterpriseUser.definition.describe())]);
const groups = new ResourceSchema(doc(SCIMMY.Schemas.Group.definition.describe()));

const SCHEMA = `
  CREATE TABLE users (seq INTEGER PRIMARY KEY, id TEXT, org_id TEXT, user_name TEXT COLLATE NOCASE, user_name_fold TEXT, external_id TEXT,
    display_name TEXT, active INTEGER, status TEXT, org_role TEXT, data TEXT, version INTEGER, created TEXT, last_modified TEXT);
  CREATE TABLE user_emails (user_seq INTEGER, org_id TEXT, value TEXT COLLATE NOCASE, value_fold TEXT, type TEXT, is_primary INTEGER);
  CREATE INDEX user_emails_org_value_fold ON user_emails (org_id, value_fold);
  CREATE TABLE groups (seq INTEGER PRIMARY KEY, id TEXT, org_id TEXT, display_name TEXT COLLATE NOCASE, display_name_fold TEXT, external_id TEXT,
    data TEXT, version INTEGER, created TEXT, last_modified TEXT);
  CREATE TABLE group_members (group_seq INTEGER, user_seq INTEGER, org_id TEXT, PRIMARY KEY (group_seq, user_seq));
`;

type Json = Record<string, unknown>;

function openDb(): Database.Database {
  const db = new Database(":memory:");
  db.exec(SCHEMA);
  return db;
}

/** Stores SCIM user resources the way the SQLite store does: columns, data JSON without id/meta, one email row per email. */
function insertUsers(db: Database.Database, resources: Json[], org = "o1"): void {
  const insert = db.prepare(`INSERT INTO users (id, org_id, user_name, user_name_fold, external_id, display_name, active, status, data, version, created, last_modified)
    VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, 1, ?, ?)`);
  const email = db.prepare("INSERT INTO user_emails (user_seq, org_id, value, value_fold, type, is_primary) VALUES (?, ?, ?, ?, ?, ?)");
  db.transaction(() => {
    for (const r of resources) {
      const { id, meta, ...data } = r as { id: string; meta: { created: string; lastModified: string } } & Json;
      const text = (v: unknown) => (typeof v === "string" ? v : null);
      const seq = insert.run(id, org, data.userName, foldCase(data.userName as string), text(data.externalId), text(data.displayName), data.active === true ? 1 : 0,
        JSON.stringify(data), meta.created, meta.lastModified).lastInsertRowid;
      for (const e of (data.emails as Json[] | undefined) ?? []) {
        email.run(seq, org, e.value, foldCase(e.value as string), (e.type as string | undefined) ?? null, e.primary ? 1 : 0);
      }
    }
  })();
}

function select(db: Database.Database, filter: Filter, org = "o1", withOrg = false): string[] {
  const c = compileFilter(filter, USER_MAP, withOrg ? { orgId: org } : {});
  const rows = db.prepare(`SELECT u.id FROM users u WHERE u.org_id = ? AND (${c.sql}) ORDER BY u.id`).pluck().all(org, ...c.params);
  return rows as string[];
}

const user = (id: string, attrs: Json, created = "2020-01-01T00:00:00.000Z"): Json => ({
  id,
  active: true,
  emails: [],
  ...attrs,
  meta: { resourceType: "User", created, lastModified: created, version: 'W/"1"' },
});

// ---- generators for the agreement property -------------------------------------------------

const STRINGS = ["a", "A", "ab", "Ab", "aB", "b", "a%", "a_b", "a\\b", "%", "_", "", "x@x.com", "X@X.COM", "y@x.com", "work", "Work", "u1", "U1"];
const str = fc.constantFrom(...STRINGS);
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const CREATED = ["2020-01-01T00:00:00.000Z", "2020-06-15T12:30:00.000Z", "2021-03-01T08:00:00.500Z"];
const DATE_VALUES = [...CREATED, "2020-06-15T14:30:00+02:00", "2020-06-15", "2020-06-15T12:30:00.4996Z", "2021-03-01T08:00:00.5Z"];

const userArb = fc
  .record(
    {
      userName: str,
      externalId: opt(str),
      displayName: opt(str),
      title: fc.option(str, { nil: null }),
      active: fc.boolean(),
      name: opt(fc.record({ familyName: str, givenName: fc.option(str, { nil: null }) }, { requiredKeys: [] })),
      emails: fc.array(
        fc.record({ value: str, type: fc.constantFrom("work", "home", "Work"), primary: fc.boolean(), display: str }, { requiredKeys: ["value"] }),
        { maxLength: 3 },
      ),
      phoneNumbers: opt(fc.array(fc.record({ value: str, type: fc.constantFrom("work", "mobile") }, { requiredKeys: [] }), { maxLength: 2 })),
      addresses: opt(fc.array(fc.record({ country: str, type: fc.constantFrom("work", "home"), primary: fc.boolean() }, { requiredKeys: [] }), { maxLength: 2 })),
      [ENT]: opt(fc.record({ employeeNumber: str, manager: fc.record({ value: str }, { requiredKeys: [] }) }, { requiredKeys: [] })),
    },
    { requiredKeys: ["userName", "active", "emails"] },
  )
  .map((attrs) => JSON.parse(JSON.stringify(attrs)) as Json);

const usersArb = fc
  .array(fc.tuple(userArb, fc.constantFrom(...CREATED)), { minLength: 1, maxLength: 6 })
  .map((list) => list.map(([attrs, created], i) => user(`u${i + 1}`, attrs, created)));

const STRING_PATHS = ["userName", "externalId", "displayName", "title", "name.familyName", "name.givenName", "emails.value", "emails.type",
  "emails.display", "emails", "phoneNumbers.value", "phoneNumbers.type", "id", `${ENT}:employeeNumber`, `${ENT}:manager.value`, "USERNAME", "Name.FamilyName"];
const STRING_OPS = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "EQ", "Co"];
const quoted = str.map((s) => JSON.stringify(s));

const stringLeaf = fc.tuple(fc.constantFrom(...STRING_PATHS), fc.constantFrom(...STRING_OPS), quoted).map(([p, o, v]) => `${p} ${o} ${v}`);
const boolLeaf = fc.tuple(fc.constantFrom("active", "emails.primary", "addresses.primary"), fc.constantFrom("eq", "ne"), fc.constantFrom("true", "false", '"True"'))
  .map(([p, o, v]) => `${p} ${o} ${v}`);
const dateLeaf = fc.tuple(fc.constantFrom("meta.created", "meta.lastModified"), fc.constantFrom("eq", "ne", "gt", "ge", "lt", "le"), fc.constantFrom(...DATE_VALUES))
  .map(([p, o, v]) => `${p} ${o} ${JSON.stringify(v)}`);
const prLeaf = fc.constantFrom("title", "name", "name.givenName", "emails", "phoneNumbers", "addresses", "externalId", `${ENT}:manager`, ENT + ":employeeNumber", "displayName", "emails.display")
  .map((p) => `${p} pr`);

const sub = (subs: string[], bools: string[]) =>
  fc.oneof(
    fc.tuple(fc.constantFrom(...subs), fc.constantFrom(...STRING_OPS), quoted).map(([p, o, v]) => `${p} ${o} ${v}`),
    fc.tuple(fc.constantFrom(...bools, ...subs.slice(0, 1)), fc.constantFrom("eq", "ne"), fc.constantFrom("true", "false")).map(([p, o, v]) => `${p} ${o} ${v}`),
    fc.constantFrom(...subs).map((p) => `${p} pr`),
  );
const valFilter = (subs: string[], bools: string[]) =>
  fc.oneof(
    sub(subs, bools),
    fc.tuple(sub(subs, bools), fc.constantFrom("and", "or"), sub(subs, bools)).map(([a, k, b]) => `${a} ${k} ${b}`),
    sub(subs, bools).map((a) => `not (${a})`),
  );
const valuePath = fc.oneof(
  valFilter(["value", "type", "display"], ["primary"]).map((w) => `emails[${w}]`),
  valFilter(["value", "type"], []).map((w) => `phoneNumbers[${w}]`),
  valFilter(["country", "type"], ["primary"]).map((w) => `addresses[${w}]`),
  fc.tuple(sub(["type", "value"], ["primary"]), quoted).map(([w, v]) => `emails[${w}].value eq ${v}`),
);

const leaf = fc.oneof(stringLeaf, boolLeaf, dateLeaf, prLeaf, valuePath);
const { node: filterText } = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 4, depthIdentifier: "f" },
    leaf,
    fc.tuple(tie("node"), fc.constantFrom("and", "or", "AND", "Or"), tie("node")).map(([a, k, b]) => `${a} ${k} ${b}`),
    tie("node").map((a) => `not (${a})`),
    tie("node").map((a) => `(${a})`),
  ),
}));

describe("compileFilter agrees with matches()", () => {
  const db = openDb();

  it("keeps `not` two-valued over an attribute a user lacks, and never evaluates a JSON function on a value that is not JSON (counterexamples the property found)", () => {
    const meta = { resourceType: "User", created: "2020-01-01T00:00:00.000Z", lastModified: "2020-01-01T00:00:00.000Z", version: 'W/"1"' };
    const ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    const resources = [
      { id: "u1", active: false, emails: [], userName: "a", displayName: "", [ent]: { employeeNumber: "a" }, meta },
      { id: "u2", active: false, emails: [], userName: "a", title: "a", meta },
    ];
    db.exec("DELETE FROM users; DELETE FROM user_emails;");
    insertUsers(db, resources);
    for (const text of [
      'not (displayName sw "a") or emails[type eq "a"].value eq "a" and active eq true',
      "not (displayName pr)",
      `not (${ent}:employeeNumber pr)`,
      `((not (not (${ent}:employeeNumber pr))))`,
      "not ((active eq true and title pr and title pr))",
      'displayName sw ""',
      'displayName ew ""',
      'not (displayName sw "")',
      'title ew "" or displayName co ""',
    ]) {
      const filter = parseFilter(text, users);
      const expected = resources.filter((r) => matches(r, filter)).map((r) => r.id).sort();
      for (const withOrg of [true, false]) expect({ text, ids: select(db, filter, "o1", withOrg) }).toEqual({ text, ids: expected });
    }
  });

  it("selects exactly the users matches() accepts, for ~300 random filters over random users", () => {
    fc.assert(
      fc.property(usersArb, filterText, fc.boolean(), (resources, text, withOrg) => {
        let filter: Filter;
        try {
          filter = parseFilter(text, users);
        } catch (e) {
          if (isDomainError(e)) return; // e.g. gt on a boolean sub-attribute: refused, nothing to compare
          throw e;
        }
        db.exec("DELETE FROM users; DELETE FROM user_emails;");
        insertUsers(db, resources);
        const expected = resources.filter((r) => matches(r, filter)).map((r) => r.id as string).sort();
        expect({ text, ids: select(db, filter, "o1", withOrg) }).toEqual({ text, ids: expected });
      }),
      { numRuns: 300 },
    );
  });
});

describe("compileFilter", () => {
  const db = openDb();
  insertUsers(db, [
    user("u1", { userName: "Alice", externalId: "E1", title: "100%_sure", emails: [{ value: "alice@x.com", type: "work", primary: true }] }),
    user("u2", { userName: "bob", externalId: "e1", title: "100 sure", emails: [{ value: "bob@y.com", type: "home" }], active: false }),
    user("u3", { userName: "carol", title: "a\\b", name: { familyName: "Jensen" }, [ENT]: { employeeNumber: "7", manager: { value: "u1" } } }, "2021-01-01T00:00:00.000Z"),
  ]);
  const ids = (text: string) => select(db, parseFilter(text, users));

  it("binds every value as a parameter, never as SQL text", () => {
    const c = compileFilter(parseFilter(`userName eq "x' OR 1=1 --" or title co "%'; DROP TABLE users; --"`, users), USER_MAP);
    expect(c.sql).not.toContain("DROP");
    expect(c.sql).not.toContain("1=1");
    // userName: folded (caseExact=false); title: ASCII-lowered for lower(), no LIKE pattern
    expect(c.params).toEqual(["x' or 1=1 --", "%'; drop table users; --"]);
  });

  it("compares userName without case through its folded column", () => {
    expect(ids('userName eq "ALICE"')).toEqual(["u1"]);
  });

  it("compares externalId with case (caseExact)", () => {
    expect(ids('externalId eq "E1"')).toEqual(["u1"]);
    expect(ids('externalId sw "e"')).toEqual(["u2"]);
  });

  it("escapes % and _ and backslash in co/sw/ew", () => {
    expect(ids('title co "%_"')).toEqual(["u1"]);
    expect(ids('title co "0 s"')).toEqual(["u2"]);
    expect(ids('title co "\\\\"')).toEqual(["u3"]);
    expect(ids('title ew "%"')).toEqual([]);
  });

  it("answers emails.value through user_emails and emails[...] with the value filter", () => {
    expect(ids('emails.value eq "ALICE@x.com"')).toEqual(["u1"]);
    expect(ids('emails[type eq "work" and value co "@x.com"]')).toEqual(["u1"]);
    expect(ids('emails[type eq "home" and value co "@x.com"]')).toEqual([]);
    expect(ids('emails[type eq "work"].value eq "alice@x.com"')).toEqual(["u1"]);
    expect(ids("emails[primary eq true]")).toEqual(["u1"]);
  });

  it("makes not (x eq v) true when x is missing", () => {
    expect(ids('not (name.familyName eq "Jensen")')).toEqual(["u1", "u2"]);
    expect(ids('name.familyName ne "Jensen"')).toEqual(["u1", "u2"]);
    expect(ids('not (emails.value eq "bob@y.com")')).toEqual(["u1", "u3"]);
  });

  it("compares booleans from the column and dateTimes as instants", () => {
    expect(ids("active eq false")).toEqual(["u2"]);
    expect(ids("meta.created gt 2020-06-01T00:00:00+02:00")).toEqual(["u3"]);
    expect(ids('meta.lastModified le "2020-01-01T01:00:00+01:00"')).toEqual(["u1", "u2"]);
  });

  it("reads extension attributes under their URN", () => {
    expect(ids(`${ENT}:employeeNumber eq "7"`)).toEqual(["u3"]);
    expect(ids(`${ENT}:manager.value eq "u1"`)).toEqual(["u3"]);
    expect(ids(`${ENT}:manager pr`)).toEqual(["u3"]);
  });

  it("refuses an unparseable dateTime in a hand-built AST with invalidFilter", () => {
    const ref = users.resolve("meta.created");
    expect(() => compileFilter({ kind: "cmp", attr: ref, op: "gt", value: "yesterday" }, USER_MAP)).toThrow(/dateTime/);
  });

  it("refuses attribute names that are not safe in a JSON path, from a hand-built AST", () => {
    const bad = { attr: `x"')); DROP TABLE users; --`, type: "string", caseExact: false, multiValued: false } as const;
    expect(() => compileFilter({ kind: "pr", attr: bad }, USER_MAP)).toThrow(expect.objectContaining({ code: 2001 }));
  });

  it("keeps the other organization's users out", () => {
    insertUsers(db, [user("other", { userName: "Alice", emails: [{ value: "alice@x.com" }] })], "o2");
    expect(ids('userName eq "alice"')).toEqual(["u1"]);
    expect(select(db, parseFilter('emails.value eq "alice@x.com"', users), "o1", true)).toEqual(["u1"]);
  });

  it("lets emails.value use the (org_id, value_fold) index when given the org, with the value folded", () => {
    const c = compileFilter(parseFilter('emails.value eq "A@X.com"', users), USER_MAP, { orgId: "o1" });
    expect(c.sql).toBe("u.seq IN (SELECT ue.user_seq FROM user_emails ue WHERE ue.org_id = ? AND (ue.value_fold IS NOT NULL AND ue.value_fold = ? COLLATE BINARY))");
    expect(c.params).toEqual(["o1", "a@x.com"]);
  });

  describe("userName and emails.value fold case beyond ASCII, as matches() does", () => {
    const uni = openDb();
    const people = [
      user("z1", { userName: "zoë@acme.test", emails: [{ value: "Zoë.Ödegaard@acme.test", type: "work", primary: true }] }),
      user("z2", { userName: "ÉMILE@acme.test", emails: [{ value: "émile@acme.test" }] }),
      user("z3", { userName: "zoe@acme.test", emails: [{ value: "zoe.odegaard@acme.test" }] }),
    ];
    insertUsers(uni, people);
    it.each([
      'userName eq "ZOË@ACME.TEST"', 'userName eq "émile@acme.test"', 'userName sw "ZOË"', 'userName sw "É"', 'userName co "Ë@"',
      'userName ew "Ë@ACME.TEST"', 'userName ne "ZOË@ACME.TEST"', 'userName gt "zoe@"', 'emails.value eq "ZOË.ÖDEGAARD@ACME.TEST"',
      'emails[type eq "work"].value sw "zoË."', 'emails.value co "ÖDEGAARD"', 'emails.value ew "É@ACME.TEST"', 'emails.value sw "É"',
      'emails.value sw "zo"', 'userName sw ""',
    ])("%s", (text) => {
      const filter = parseFilter(text, users);
      const expected = people.filter((r) => matches(r, filter)).map((r) => r.id as string).sort();
      expect(select(uni, filter, "o1", true)).toEqual(expected);
      expect(select(uni, filter, "o1", false)).toEqual(expected);
    });
    it("finds a non-ASCII userName through the folded column's index", () => {
      const c = compileFilter(parseFilter('userName eq "ZOË@ACME.TEST"', users), USER_MAP, { orgId: "o1" });
      expect(c.sql).toBe("(u.user_name_fold IS NOT NULL AND u.user_name_fold = ? COLLATE BINARY)");
      expect(c.params).toEqual(["zoë@acme.test"]);
    });
  });
});

describe("compileFilter on groups", () => {
  const db = openDb();
  db.exec(`INSERT INTO users (seq, id, org_id, user_name, display_name, active, data, version, created, last_modified) VALUES
    (1, 'user-a', 'o1', 'a', 'Ann', 1, '{}', 1, '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z'),
    (2, 'user-b', 'o1', 'b', 'Ben', 1, '{}', 1, '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z');
    INSERT INTO groups (seq, id, org_id, display_name, display_name_fold, data, version, created, last_modified) VALUES
    (1, 'g1', 'o1', 'Admins', 'admins', '{"displayName":"Admins"}', 1, '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z'),
    (2, 'g2', 'o1', 'Sales', 'sales', '{"displayName":"Sales"}', 1, '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z');
    INSERT INTO group_members VALUES (1, 1, 'o1'), (1, 2, 'o1'), (2, 2, 'o1');`);
  const ids = (text: string) => {
    const c = compileFilter(parseFilter(text, groups), GROUP_MAP);
    return db.prepare(`SELECT g.id FROM groups g WHERE g.org_id = ? AND (${c.sql}) ORDER BY g.id`).pluck().all("o1", ...c.params);
  };

  it("answers members.value through group_members joined to users", () => {
    expect(ids('members.value eq "user-a"')).toEqual(["g1"]);
    expect(ids('members[value eq "user-b"]')).toEqual(["g1", "g2"]);
    expect(ids('members[display eq "ann"]')).toEqual(["g1"]);
    expect(ids('displayName eq "admins"')).toEqual(["g1"]);
    expect(ids('not (members.value eq "user-a")')).toEqual(["g2"]);
  });

  it("refuses a members sub-attribute it cannot answer, instead of guessing", () => {
    expect(() => ids('members[type eq "User"]')).toThrow(expect.objectContaining({ code: 2001 }));
  });
});

describe("compileSort", () => {
  const db = openDb();
  insertUsers(db, [
    user("u1", { userName: "bob", title: "b" }),
    user("u2", { userName: "Alice" }),
    user("u3", { userName: "carol", title: "A", emails: [{ value: "z@x.com" }, { value: "a@x.com", primary: true }] }),
    user("u4", { userName: "dave", title: "c", emails: [{ value: "m@x.com" }] }),
  ]);
  const order = (path: string, descending = false) =>
    db.prepare(`SELECT u.id FROM users u WHERE u.org_id = ? ${compileSort({ attr: parseSortBy(path, users), descending }, USER_MAP)}`).pluck().all("o1");

  it("sorts caseExact=false strings without case, ties by insertion order", () => {
    expect(order("userName")).toEqual(["u2", "u1", "u3", "u4"]);
    expect(order("userName", true)).toEqual(["u4", "u3", "u1", "u2"]);
  });

  it("puts missing values last ascending and first descending (RFC 7644 §3.4.2.3)", () => {
    expect(order("title")).toEqual(["u3", "u1", "u4", "u2"]);
    expect(order("title", true)).toEqual(["u2", "u4", "u1", "u3"]);
  });

  it("sorts a multi-valued attribute by its primary value, else its first", () => {
    expect(order("emails")).toEqual(["u3", "u4", "u1", "u2"]);
    expect(order("emails.value")).toEqual(["u3", "u4", "u1", "u2"]);
  });

  it("sorts by meta.resourceType (the same for every row) in insertion order, either way", () => {
    expect(order("meta.resourceType")).toEqual(["u1", "u2", "u3", "u4"]);
    expect(order("meta.resourceType", true)).toEqual(["u1", "u2", "u3", "u4"]);
  });

  it("takes no parameters and puts no request text in the SQL", () => {
    const sql = compileSort({ attr: parseSortBy(`${ENT}:manager.value`, users), descending: false }, USER_MAP);
    expect(sql).toMatch(/^ORDER BY /);
    expect(sql).toContain("u.seq");
  });
});
