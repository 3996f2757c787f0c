/**
 * The MongoDB filter compiler (src/store/mongo/filter-mongo.ts) and the write documents of the
 * MongoDB store, run here with mingo (no mongod can run on this machine): every filter form is
 * compiled and executed against ~30 users stored exactly as the store stores them, and must select
 * exactly the users `matches()` (src/domain/filter-eval.ts) accepts on their SCIM representation.
 * A fast-check property does the same for random filters over random users. Update documents
 * (compare-and-set, membership upserts, revocation) run through mingo's updater.
 */
import fc from "fast-check";
import { Aggregator, find, updateOne } from "mingo";
import { isDomainError } from "../../src/domain/errors";
import type { Filter } from "../../src/domain/filter";
import { matches } from "../../src/domain/filter-eval";
import { parseFilter, parseSortBy } from "../../src/scim/filter/parse";
import { GROUPS, USERS } from "../../src/scim/resource-types";
import { decodeKeys, encodeKey, encodeKeys } from "../../src/store/mongo/codec";
import { cursorPipeline, listPlan, pagePipeline } from "../../src/store/mongo/list";
import { decodeCursor, encodeCursor } from "../../src/store/cursors";
import { toUser } from "../../src/store/mongo/decode";
import { tokenDoc, domainDoc, type Doc } from "../../src/store/mongo/docs";
import { compileFilter } from "../../src/store/mongo/filter-mongo";
import { GROUP_MAP, USER_MAP } from "../../src/store/mongo/resource-maps";
import { casUpdate, domainUpdate, memberUpserts, revokeToken, touchGroup } from "../../src/store/mongo/updates";
import { userDoc } from "../../src/store/mongo/docs";
import { checked } from "../../src/store/mongo/models";
import {
  ENT, GROUP_RECORDS, MEMBERSHIP, membershipDocs, mingoSelect, models, ORG, ORGSCIM, renderGroups, renderUsers,
  storedGroup, storedUser, USER_RECORDS, userRecord,
} from "./filter-mongo.fixtures";

let userDocs: Doc[] = [];
let groupDocs: Doc[] = [];
let collections: { users: Doc[]; groups: Doc[]; group_members: Doc[] };
beforeAll(async () => {
  userDocs = await Promise.all(USER_RECORDS.map(storedUser));
  groupDocs = await Promise.all(GROUP_RECORDS.map(storedGroup));
  collections = { users: userDocs, groups: groupDocs, group_members: await membershipDocs(MEMBERSHIP) };
});
const userResources = renderUsers(USER_RECORDS, GROUP_RECORDS, MEMBERSHIP);
const groupResources = renderGroups(GROUP_RECORDS, USER_RECORDS, MEMBERSHIP);

const expectedIds = (resources: Record<string, unknown>[], f: Filter): string[] =>
  resources.filter((r) => matches(r, f)).map((r) => r.id as string).sort();

const userIds = (text: string): { mongo: string[]; eval: string[] } => {
  const f = parseFilter(text, USERS.resolver);
  return { mongo: mingoSelect(f, USER_MAP, userDocs, collections), eval: expectedIds(userResources, f) };
};
const groupIds = (text: string): { mongo: string[]; eval: string[] } => {
  const f = parseFilter(text, GROUPS.resolver);
  return { mongo: mingoSelect(f, GROUP_MAP, groupDocs, collections), eval: expectedIds(groupResources, f) };
};

const USER_FILTERS = [
  // userName: lower-cased shadow field, every operator
  'userName eq "alice@acme.test"', 'userName ne "ALICE@acme.test"', 'userName co "ACME"', 'userName sw "ALI"', 'userName ew ".TEST"',
  'userName gt "m"', 'userName ge "mallory@x.test"', 'userName lt "D"', 'userName le "dave@beta.test"', 'userName eq "eve.*@x.test"', 'userName co ".*"',
  // caseExact externalId
  'externalId eq "ext-1"', 'externalId ne "ext-1"', 'externalId sw "EXT"', 'externalId co "xt-1"', 'externalId gt "ext-2"', 'externalId pr', 'externalId eq null', 'externalId ne null',
  // case-insensitive attributes without a shadow: anchored regex, ordering by expression
  'displayName eq "alice smith"', 'displayName co "SMI"', 'displayName pr', 'displayName gt "b"', 'displayName le "FRANK"', 'displayName eq "ärger"',
  'title eq ".*"', 'title co "%_"', 'title co "\\\\"', 'title eq "end"', 'title ew "end"', 'title sw "END"', 'title pr', 'title eq ""', 'title co ""',
  'title lt "F"', 'title ge "sales"', 'title eq "$where"', 'title eq null', 'not (title pr)',
  'name.familyName eq "smith"', 'name.givenName pr', 'name.familyName ne "Smith"', 'name.givenName sw "g1"',
  // multi-valued: any element; ne = no element equals
  'emails eq "ALICE@acme.test"', 'emails.value co "@home"', 'emails.value ew "X.TEST"', 'emails.type eq "work"', 'emails.type ne "work"',
  'emails.primary eq true', 'emails.primary eq false', 'emails pr', 'emails.display pr', 'emails.value gt "m"', 'emails.type gt "h"', 'emails.type le "home"',
  'phoneNumbers.value sw "+1"', 'phoneNumbers.type eq "MOBILE"',
  // value filters
  'emails[type eq "work" and value co "acme"]', 'emails[type eq "home" and primary eq true]', 'emails[not (type eq "work")]', 'emails[value pr]',
  'emails[display pr]', 'emails[type gt "h"]', 'emails[type gt "h" and value co "x"]', 'emails[type eq "work"].value eq "alice@acme.test"',
  'emails[type ne "work" or primary eq false]', 'emails[value eq "nobody@x.test"]', 'not (emails[type eq "work"])',
  'addresses[country eq "de" and primary eq true]', 'addresses[country eq "US" and primary eq true]', 'phoneNumbers[type eq "work" and value co "49"]',
  // booleans, dateTimes, meta
  "active eq true", "active eq false", "active ne true",
  'meta.created gt "2024-03-01T00:00:00Z"', 'meta.created ge "2024-03-01T00:00:00.500Z"', 'meta.created ge "2024-01-01"', 'meta.created eq "2024-01-01T00:00:00Z"',
  'meta.created eq "2024-01-01T01:00:00+01:00"', 'meta.lastModified lt "2024-06-01T02:00:00+02:00"', 'meta.lastModified gt "2024-05-31T23:59:59.999Z"', 'meta.created ne "2024-01-01T00:00:00Z"',
  'meta.resourceType eq "User"', 'meta.resourceType eq "user"', 'meta.resourceType pr', 'meta.version eq "W/\\"3\\""', 'meta.version sw "W/\\"1"', 'meta.version gt "W/\\"2"',
  'meta.version ne "W/\\"1\\""', 'id eq "US03"', 'id eq "us03"', 'id pr', 'id gt "US25"',
  // extensions: enterprise (stored under an encoded URN key) and orgscim (a shadow of the columns)
  `${ENT}:employeeNumber eq "001"`, `${ENT}:manager.value eq "us02"`, `${ENT}:department co "r&d"`, `${ENT}:manager pr`, `${ENT}:department pr`,
  `not (${ENT}:department eq "Sales")`, `${ENT}:employeeNumber gt "110"`,
  `${ORGSCIM}:orgRole eq "STANDARD"`, `${ORGSCIM}:orgRole eq "owner"`, `${ORGSCIM}:orgRole ne "standard"`, `${ORGSCIM}:status eq "pending"`, `${ORGSCIM}:status eq "PENDING"`,
  `${ORGSCIM}:twoFactorRequired eq true`, `${ORGSCIM}:passwordResetRequired eq true`,
  // groups.value and groups.display: pre-queries on group_members
  'groups.value eq "GP1"', 'groups eq "gp2"', 'groups pr', 'not (groups pr)', 'groups[display eq "admins"]', 'groups.display co "SAL"', 'groups.value ne "GP1"',
  'groups[value eq "GP2" or display sw "admins-"]', 'groups.value gt "GP1"',
  // logic
  'userName sw "a" or title pr', 'not (title pr) and active eq true', '(userName sw "u" and not (emails.type eq "home")) or displayName pr',
  'not (not (active eq false))', 'active eq true and (title eq "engineer" or title eq "cto") and not (externalId pr)',
];

describe("compileFilter answers what matches() answers, on users stored as the store stores them", () => {
  it.each(USER_FILTERS)("%s", (text) => {
    const r = userIds(text);
    expect(r.mongo).toEqual(r.eval);
  });

  it("is not vacuous: the filters above select very different sets", () => {
    const sizes = new Set(USER_FILTERS.map((t) => userIds(t).eval.length));
    expect(sizes.size).toBeGreaterThan(15);
    expect(sizes.has(0)).toBe(true);
    expect(sizes.has(USER_RECORDS.length)).toBe(true);
  });

  it("agrees with hand-written expectations on the case rules", () => {
    expect(userIds('userName eq "alice@acme.test"').mongo).toEqual(["US01"]);
    expect(userIds('externalId eq "ext-1"').mongo).toEqual(["US01"]);
    expect(userIds('title eq "end"').mongo).toEqual(["US11"]); // not "end\n": the regex end is (?![\s\S]), not $
    expect(userIds('title eq ".*"').mongo).toEqual(["US05"]); // escaped, not a wildcard
    expect(userIds('emails[type eq "work" and value co "acme"]').mongo).toEqual(["US01", "US21", "US27"]);
    expect(userIds('emails[type eq "home" and value co "alice"]').mongo).toEqual(["US01"]);
    expect(userIds('emails.type eq "work"').mongo).toContain("US05"); // "Work"
    expect(userIds(`${ORGSCIM}:orgRole eq "standard"`).mongo).toContain("US02"); // null orgRole renders as standard
    expect(userIds('groups.value eq "GP1"').mongo).toEqual(["US01", "US02", "US04"]);
  });
});

const GROUP_FILTERS = [
  'displayName eq "admins"', 'displayName co "ADMIN"', 'displayName gt "b"', 'displayName sw "admins-"', 'externalId eq "g-ext-1"', 'externalId pr',
  'members.value eq "US01"', 'members eq "us02"', 'members pr', 'not (members pr)', 'members[value eq "US03"]', 'members[display eq "alice smith"]',
  'members.display eq "bob@acme.test"', 'members.value ne "US02"', 'members[display co "ä"]', 'members.value lt "US02"',
  'meta.version eq "W/\\"4\\""', 'meta.lastModified gt "2024-04-15T00:00:00Z"', 'members[value eq "US02" and display sw "bob"]', 'members[value eq "US01" and display sw "bob"]',
];

describe("compileFilter on groups: membership by pre-query on group_members", () => {
  it.each(GROUP_FILTERS)("%s", (text) => {
    const r = groupIds(text);
    expect(r.mongo).toEqual(r.eval);
  });

  it("refuses member sub-attributes it cannot answer, as the SQLite store does", () => {
    expect(() => groupIds('members[type eq "User"]')).toThrow(expect.objectContaining({ code: 2001 }));
  });
});

describe("compileFilter safety", () => {
  const keysOf = (v: unknown, out: string[] = []): string[] => {
    if (Array.isArray(v)) v.forEach((x) => keysOf(x, out));
    else if (v && typeof v === "object" && !(v instanceof RegExp)) for (const [k, x] of Object.entries(v)) { out.push(k); keysOf(x, out); }
    return out;
  };

  it("puts request values only in value positions", () => {
    const OPERATORS = new Set(["$and", "$or", "$nor", "$eq", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$regex", "$options", "$elemMatch", "$expr",
      "$anyElementTrue", "$map", "$cond", "$isArray", "$toLower", "$type", "$literal", "$not", "$ifNull", "$regexMatch", "$concat", "$toString"]);
    const hostile = ['userName eq "$where"', 'title eq "{\\"$ne\\":1}"', 'displayName co "__proto__"', 'title sw "^(a+)+$"', `${ENT}:department gt "$gt"`,
      'emails[type gt "$where" and value eq "__proto__"]', 'title lt "constructor"'];
    for (const text of hostile) {
      for (const k of keysOf(compileFilter(parseFilter(text, USERS.resolver), USER_MAP, ORG))) {
        if (k.startsWith("$")) expect(OPERATORS.has(k)).toBe(true);
        else expect(k).toMatch(/^(?!__proto__$|constructor$|prototype$)[A-Za-z_][A-Za-z0-9_.:%-]*$/);
      }
    }
    expect(userIds('title sw "^(a+)+$"').mongo).toEqual([]);
    expect(userIds('title eq "$where"').mongo).toEqual(["US09"]);
  });

  it("refuses attribute names that are operators, paths or prototype keys, from a hand-built AST", () => {
    for (const attr of ["$where", "a.b", "__proto__", "constructor", "prototype", "x\0y"]) {
      const f: Filter = { kind: "cmp", attr: { attr, type: "string", caseExact: false, multiValued: false }, op: "eq", value: "x" };
      expect(() => compileFilter(f, USER_MAP, ORG)).toThrow(expect.objectContaining({ code: 2001 }));
      expect(() => compileFilter({ kind: "pr", attr: { attr: "name", sub: attr, type: "string", caseExact: false, multiValued: false } }, USER_MAP, ORG))
        .toThrow(expect.objectContaining({ code: 2001 }));
    }
    const bad: Filter = { kind: "pr", attr: { schema: "$where", attr: "x", type: "string", caseExact: false, multiValued: false } };
    expect(() => compileFilter(bad, USER_MAP, ORG)).toThrow(expect.objectContaining({ code: 2001 }));
  });

  it("refuses comparisons matches() could only answer false, as the SQLite store does", () => {
    const ref = USERS.resolver.resolve("meta.created");
    expect(() => compileFilter({ kind: "cmp", attr: ref, op: "gt", value: "yesterday" }, USER_MAP, ORG)).toThrow(/dateTime/);
    expect(() => compileFilter({ kind: "cmp", attr: USERS.resolver.resolve("active"), op: "gt", value: true }, USER_MAP, ORG)).toThrow(expect.objectContaining({ code: 2001 }));
  });

  it("encodes extension URNs into safe field names", () => {
    const q = JSON.stringify(compileFilter(parseFilter(`${ENT}:employeeNumber eq "1"`, USERS.resolver), USER_MAP, ORG));
    expect(q).toContain(`data.${encodeKey(ENT)}.employeeNumber`);
    expect(encodeKey(ENT)).not.toContain(".");
  });
});

describe("sorting and paging documents", () => {
  const run = (pipeline: Doc[]) => new Aggregator(pipeline).run(userDocs).map((d) => String((d as Doc)._id));
  const sorted = (path: string, descending = false) =>
    run(pagePipeline(listPlan({}, null), { startIndex: 1, count: 100, sort: { attr: parseSortBy(path, USERS.resolver), descending } }, USER_MAP));

  it("pages by index in insertion order", () => {
    expect(run(pagePipeline(listPlan({}, null), { startIndex: 3, count: 2 }, USER_MAP))).toEqual(["US03", "US04"]);
  });

  it("sorts caseExact=false strings without case, missing last ascending and first descending, ties by seq", () => {
    const byTitle = sorted("title");
    const titled = USER_RECORDS.filter((u) => typeof u.data.title === "string");
    expect(byTitle.slice(0, titled.length).map((id) => (USER_RECORDS.find((u) => u.id === id)?.data.title as string).toLowerCase()))
      .toEqual(titled.map((u) => (u.data.title as string).toLowerCase()).sort());
    expect(byTitle.slice(titled.length)).toEqual(USER_RECORDS.filter((u) => u.data.title === undefined).map((u) => u.id));
    const desc = sorted("title", true);
    expect(desc.slice(0, USER_RECORDS.length - titled.length)).toEqual(USER_RECORDS.filter((u) => u.data.title === undefined).map((u) => u.id));
    expect(sorted("userName")[0]).toEqual("US01");
  });

  it("sorts a multi-valued attribute by its primary value, else its first", () => {
    const key = (u: (typeof USER_RECORDS)[number]) => (u.emails.find((e) => e.primary) ?? u.emails[0])?.value.toLowerCase();
    const withKey = USER_RECORDS.filter((u) => key(u) !== undefined);
    const expected = [...withKey].sort((a, b) => (key(a)! < key(b)! ? -1 : key(a)! > key(b)! ? 1 : 0)).map((u) => u.id);
    const order = sorted("emails");
    expect(order.slice(0, withKey.length)).toEqual(expected);
    expect(order.indexOf("US08")).toBeLessThan(order.indexOf("US07") === -1 ? Infinity : order.indexOf("US09")); // h2@ (primary) before ivan@
    expect(order.slice(withKey.length)).toEqual(USER_RECORDS.filter((u) => key(u) === undefined).map((u) => u.id));
  });

  it("pages through every user once by cursor", () => {
    const seen: string[] = [];
    let after = decodeCursor("");
    for (;;) {
      const page = (new Aggregator(cursorPipeline(listPlan({ status: { $ne: "independent" } }, null), after, 7)).run(userDocs) as Doc[]).slice(0, 7);
      if (page.length === 0) break;
      seen.push(...page.map((d) => String(d._id)));
      after = decodeCursor(encodeCursor(page[page.length - 1]!.seq as number));
    }
    expect(seen).toEqual(USER_RECORDS.map((u) => u.id));
    expect(() => decodeCursor("bm9wZQ")).toThrow(expect.objectContaining({ code: 2004 }));
  });
});

describe("write documents, run with mingo's updater", () => {
  const fresh = () => userDocs.map((d) => structuredClone(d));

  it("updates by compare-and-set on version, keeping identity, org and insertion order", async () => {
    const docs = fresh();
    const u = USER_RECORDS[2]!;
    const next = { ...u, displayName: "Carol C", data: { ...u.data, displayName: "Carol C" }, version: 2 };
    const op = casUpdate(await checked(models.users, userDoc(next, 0)), 1);
    expect(updateOne(docs, op.filter, op.update as never).matchedCount).toBe(1);
    expect(updateOne(docs, op.filter, op.update as never).matchedCount).toBe(0);
    const stored = docs.find((d) => d._id === u.id)!;
    expect(toUser(stored)).toEqual(next);
    expect(stored.seq).toBe(3);
    const other = casUpdate(await checked(models.users, userDoc({ ...next, orgId: "ORother" }, 0)), 2);
    expect(updateOne(docs, other.filter, other.update as never).matchedCount).toBe(0);
  });

  it("adds members with idempotent upserts that never touch other memberships", async () => {
    const docs = await membershipDocs({ GP3: ["US01"] });
    const upsert = (ops: ReturnType<typeof memberUpserts>): number => {
      let added = 0;
      for (const { updateOne: op } of ops) {
        if (find(docs, op.filter).all().length > 0) continue;
        const id = (op.filter._id as { $eq: string }).$eq;
        docs.push({ _id: id, ...(op.update.$setOnInsert as Doc) });
        added++;
      }
      return added;
    };
    let n = 0;
    const newMembershipId = () => `GM${String(++n).padStart(32, "0")}`;
    const at = "2026-12-06T10:00:00.000Z";
    const ops = memberUpserts(ORG, "GP3", [{ id: "US01", seq: 1 }, { id: "US02", seq: 2 }, { id: "US05", seq: 5 }], at, newMembershipId);
    expect(Object.keys(ops[0]!.updateOne.update)).toEqual(["$setOnInsert"]);
    expect(upsert(ops)).toBe(2);
    const again = memberUpserts(ORG, "GP3", [{ id: "US01", seq: 1 }, { id: "US02", seq: 2 }, { id: "US05", seq: 5 }], "2026-12-07T00:00:00.000Z", newMembershipId);
    expect(upsert(again)).toBe(0);
    // An existing membership keeps the id and the time it was made; each new one has its own id.
    const made = docs.filter((d) => d.groupId === "GP3");
    expect(made.every((d) => (d.created === at) === (d.id !== undefined))).toBe(true);
    expect(new Set(made.map((d) => d.id)).size).toBe(made.length);
    expect(docs.map((d) => d._id).sort()).toEqual(["GP3:US01", "GP3:US02", "GP3:US05"]);
    for (const d of docs) await expect(checked(models.group_members, d)).resolves.toEqual(d);
  });

  it("revokes a token once, and only in its organization", async () => {
    const t = { id: "TK1", orgId: ORG, name: "t", scopes: ["scim" as const], secretHash: "00", userId: null, created: "2024-01-01T00:00:00.000Z", revoked: null };
    const docs = [await checked(models.tokens, tokenDoc(t))];
    expect(updateOne(docs, revokeToken("ORother", "TK1", "x").filter, revokeToken("ORother", "TK1", "x").update as never).matchedCount).toBe(0);
    const op = revokeToken(ORG, "TK1", "2024-02-01T00:00:00.000Z");
    expect(updateOne(docs, op.filter, op.update as never).matchedCount).toBe(1);
    expect(updateOne(docs, op.filter, op.update as never).matchedCount).toBe(0);
    expect(docs[0]!.revoked).toBe("2024-02-01T00:00:00.000Z");
  });

  it("touches a group (version + 1) and releases a removed domain's name", async () => {
    const docs = groupDocs.map((d) => structuredClone(d));
    const op = touchGroup(ORG, "GP2", "2024-07-01T00:00:00.000Z");
    updateOne(docs, op.filter, op.update as never);
    expect(docs.find((d) => d._id === "GP2")).toMatchObject({ version: 5, lastModified: "2024-07-01T00:00:00.000Z" });
    const d = { id: "DM1", orgId: ORG, name: "Acme.test", state: "verified" as const, challenge: "c", created: "x", verifiedAt: null };
    const domains = [await checked(models.domains, domainDoc(d))];
    expect(domains[0]!.claimedName).toBe("acme.test");
    const rm = domainUpdate({ ...d, state: "removed" });
    updateOne(domains, rm.filter, rm.update as never);
    expect(domains[0]!.claimedName).toBeUndefined();
  });
});

describe("codec", () => {
  it("round-trips keys with dots, dollars, percent signs and __proto__, leaving the prototype alone", () => {
    const raw = JSON.parse(`{"${ENT}": {"a.b": 1, "$x": [{"%2E": "v"}]}, "__proto__": {"polluted": true}}`) as Record<string, unknown>;
    const enc = encodeKeys(raw) as Record<string, unknown>;
    expect(JSON.stringify(Object.keys(enc))).not.toMatch(/\.|\$/);
    expect(decodeKeys(enc)).toEqual(raw);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// The property: random small filters over random users, mingo(compiled) == matches().

const STRINGS = ["a", "A", "ab", "Ab", "b", ".", ".*", "a%", "\\", "", "x@x.test", "X@X.TEST", "y@x.test", "work", "Work", "home", "ä", "Ä", "end\n", "$ne"];
const str = fc.constantFrom(...STRINGS);
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const CREATED = ["2024-01-01T00:00:00.000Z", "2024-06-15T12:30:00.000Z", "2025-03-01T08:00:00.500Z"];

const userArb = fc.record({
  data: fc.record({
    userName: str, displayName: opt(str), title: fc.option(str, { nil: null }),
    name: opt(fc.record({ familyName: str, givenName: fc.option(str, { nil: null }) }, { requiredKeys: [] })),
    emails: fc.array(fc.record({ value: str, type: fc.constantFrom("work", "home", "Work"), primary: fc.boolean(), display: str }, { requiredKeys: ["value"] }), { maxLength: 3 }),
    phoneNumbers: opt(fc.array(fc.record({ value: str, type: fc.constantFrom("work", "mobile") }, { requiredKeys: [] }), { maxLength: 2 })),
    [ENT]: opt(fc.record({ employeeNumber: str, manager: fc.record({ value: str }, { requiredKeys: [] }) }, { requiredKeys: [] })),
  }, { requiredKeys: ["userName", "emails"] }),
  externalId: fc.option(str, { nil: null }),
  active: fc.boolean(),
  orgRole: fc.constantFrom("owner", "administrator", "standard", null),
  status: fc.constantFrom("managed", "pending"),
  twoFactorRequired: fc.boolean(),
  created: fc.constantFrom(...CREATED),
  version: fc.integer({ min: 1, max: 12 }),
  groups: fc.subarray(["GP1", "GP2"]),
});

const STRING_PATHS = ["userName", "externalId", "displayName", "title", "name.familyName", "name.givenName", "emails.value", "emails.type", "emails.display",
  "emails", "phoneNumbers.value", "id", `${ENT}:employeeNumber`, `${ENT}:manager.value`, `${ORGSCIM}:orgRole`, `${ORGSCIM}:status`, "groups.value", "groups.display"];
const OPS = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"];
const quoted = str.map((s) => JSON.stringify(s));
const leaf = fc.oneof(
  fc.tuple(fc.constantFrom(...STRING_PATHS), fc.constantFrom(...OPS), quoted).map(([p, o, v]) => `${p} ${o} ${v}`),
  fc.tuple(fc.constantFrom("active", "emails.primary", `${ORGSCIM}:twoFactorRequired`), fc.constantFrom("eq", "ne"), fc.constantFrom("true", "false")).map(([p, o, v]) => `${p} ${o} ${v}`),
  fc.tuple(fc.constantFrom("meta.created", "meta.lastModified"), fc.constantFrom("eq", "ne", "gt", "ge", "lt", "le"), fc.constantFrom(...CREATED, "2024-06-15T14:30:00+02:00", "2024-06-15")).map(([p, o, v]) => `${p} ${o} ${JSON.stringify(v)}`),
  fc.constantFrom("title", "name.givenName", "emails", "phoneNumbers", "externalId", `${ENT}:employeeNumber`, "displayName", "emails.display", "groups").map((p) => `${p} pr`),
  fc.tuple(fc.constantFrom("type", "value", "display"), fc.constantFrom(...OPS), quoted, fc.constantFrom("and", "or"), fc.constantFrom("primary eq true", "value pr", 'type ne "work"'))
    .map(([s, o, v, k, b]) => `emails[${s} ${o} ${v} ${k} ${b}]`),
);
const { node: filterText } = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 3, depthIdentifier: "f" },
    leaf,
    fc.tuple(tie("node"), fc.constantFrom("and", "or"), tie("node")).map(([a, k, b]) => `(${a}) ${k} (${b})`),
    tie("node").map((a) => `not (${a})`),
  ),
}));

describe("property: mingo(compileFilter(f)) selects what matches(f) selects", () => {
  it("holds for random filters over random users (400 runs; FC_RUNS=n for more)", async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(userArb, { minLength: 1, maxLength: 6 }), filterText, async (specs, text) => {
        let filter: Filter;
        try {
          filter = parseFilter(text, USERS.resolver);
        } catch (e) {
          if (isDomainError(e)) return;
          throw e;
        }
        const records = specs.map((s, i) => userRecord(`US${i + 1}`, { ...s, data: s.data as Record<string, unknown> }));
        const membership: Record<string, string[]> = { GP1: [], GP2: [] };
        specs.forEach((s, i) => s.groups.forEach((g) => membership[g]!.push(`US${i + 1}`)));
        const docs = await Promise.all(records.map(storedUser));
        const cols = { users: docs, groups: await Promise.all(GROUP_RECORDS.slice(0, 2).map(storedGroup)), group_members: await membershipDocs(membership) };
        const resources = renderUsers(records, GROUP_RECORDS.slice(0, 2), membership);
        compared++;
        expect({ text, ids: mingoSelect(filter, USER_MAP, docs, cols) }).toEqual({ text, ids: expectedIds(resources, filter) });
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 400) },
    );
    expect(compared).toBeGreaterThan(200);
  });
});

it("keeps another organization's users out when the store's scope is applied", async () => {
  const other = await storedUser(userRecord("US99", { data: { userName: "Alice@Acme.test", emails: [] } }, "ORother"));
  const q = { $and: [{ orgId: { $eq: ORG } }, compileFilter(parseFilter('userName eq "alice@acme.test"', USERS.resolver), USER_MAP, ORG).match] };
  expect(find([...userDocs, other], q).all().map((d) => (d as Doc)._id)).toEqual(["US01"]);
});
