/**
 * Properties over HTTP, reads: generated filters (valid and hostile) on every list and search
 * endpoint, and generated list parameters (sortBy, sortOrder, attributes, excludedAttributes,
 * startIndex, count, cursor). The invariants are checked by `send` (./harness.ts): no 5xx,
 * nothing of org B, prototypes untouched, each answer within 100 ms.
 */
import fc from "fast-check";
import { attrPath, ENTERPRISE, idPick, oddString, report, resolveId, runs, send, snapshotB, startWorld, timeoutFor, type World } from "./harness";

let w: World;
let before: unknown;
beforeAll(async () => {
  w = await startWorld();
  before = await snapshotB(w);
}, 60_000);
afterAll(async () => {
  report(w, "property/filters");
  await w.server.close();
});

const jsonString = (s: fc.Arbitrary<string>) => s.map((x) => JSON.stringify(x));

/** The right-hand side of a comparison. */
const compValue = fc.oneof(
  { weight: 4, arbitrary: jsonString(oddString) },
  { weight: 1, arbitrary: fc.constantFrom("true", "false", "null", "True", "FALSE", "Null") },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.integer().map(String),
      fc.double().map(String),
      fc.constantFrom("1e308", "1e999", "-1e999", "-0", "0.0000000001", "123456789012345678901234567890", "9007199254740993", "0x10", "1_000", "NaN", "Infinity"),
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom("jyoung", "alice@acme.test", "2015-10-10T14:38:21.8617979-07:00", "2099-01-01T00:00:00Z", "\"unterminated", "\"\\u0000\"", "\"\\ud800\"", "\"a\\\"b\"", "'single'", "{}", "[]", "{\"$ne\":1}") },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 8 }) },
);

const compOp = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "EQ", "Co", "sW") },
  { weight: 1, arbitrary: fc.constantFrom("$ne", "$regex", "===", "=", "like", "regex", "in", "eq eq", "", "pr", "not", "and") },
  { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
);

const { filter } = fc.letrec<{ filter: string; comparison: string; logical: string; negation: string; group: string; valuePath: string }>((tie) => ({
  filter: fc.oneof({ depthSize: "small", maxDepth: 6 }, tie("comparison"), tie("logical"), tie("negation"), tie("group"), tie("valuePath")),
  comparison: fc.oneof(
    { weight: 5, arbitrary: fc.tuple(attrPath, compOp, compValue).map(([a, o, v]) => `${a} ${o} ${v}`) },
    { weight: 1, arbitrary: attrPath.map((a) => `${a} pr`) },
  ),
  logical: fc.tuple(tie("filter"), fc.constantFrom("and", "or", "AND", "Or", "&&", "||", "and and", ""), tie("filter")).map(([l, k, r]) => `${l} ${k} ${r}`),
  negation: fc.tuple(fc.constantFrom("not ", "NOT ", "not", "!"), tie("filter")).map(([n, f]) => `${n}(${f})`),
  group: fc.tuple(tie("filter"), fc.constantFrom(["(", ")"], ["((", "))"], ["(", ""], ["", ")"], ["[", "]"])).map(([f, [o, c]]) => `${o}${f}${c}`),
  valuePath: fc.tuple(
    fc.constantFrom("emails", "phoneNumbers", "addresses", "members", "groups", "name", "__proto__", "$where", "emails.value"),
    tie("filter"),
    fc.option(fc.tuple(fc.constantFrom(".value", ".type", ".__proto__", ".$ne", "."), compOp, compValue), { nil: undefined }),
  ).map(([a, f, tail]) => `${a}[${f}]${tail ? `${tail[0]} ${tail[1]} ${tail[2]}` : ""}`),
}));

/** Filters shaped to hurt: deep, wide, long, backslash runs, and raw noise. */
const hostileFilter = fc.oneof(
  fc.integer({ min: 1, max: 1200 }).map((n) => `${"(".repeat(n)}userName eq "alice@acme.test"${")".repeat(n)}`),
  fc.integer({ min: 1, max: 200 }).map((n) => `${"not (".repeat(n)}active eq true${")".repeat(n)}`),
  fc.integer({ min: 2, max: 40 }).map((n) => Array(n).fill('(userName eq "a" or userName eq "b")').join(" and ")),
  fc.integer({ min: 2, max: 150 }).map((n) => Array.from({ length: n }, (_, i) => `emails.value co "${i}"`).join(" or ")),
  fc.integer({ min: 1, max: 5000 }).map((n) => `userName eq "${"\\".repeat(n)}`),
  fc.integer({ min: 1, max: 3000 }).map((n) => `userName eq "${"a".repeat(n)}"`),
  fc.integer({ min: 1, max: 100 }).map((n) => `${"emails[".repeat(n)}value eq "x"${"]".repeat(n)}`),
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.string({ unit: "grapheme", maxLength: 60 }),
  fc.constantFrom(
    '__proto__.polluted eq "1"', 'constructor.prototype.polluted eq "x"', '$where eq "1"', 'emails[$regex eq "x"]', 'userName eq "x" or $where eq "1"',
    "userName eq", "userName", "()", "eq", 'userName eq "alice@acme.test" and', '"alice"', "userName eq \"\\\"", 'userName eq "\\u0000"',
    'userName sw ""', 'userName co "%"', 'userName co "_"', 'userName ew "*"', "meta.created gt 1e999", "active eq 1e308",
    'userName eq "alice@acme.test"', 'emails[type eq "work"].value eq "bob@acme.test"', "userName pr", 'displayName co "Shared"',
  ),
);

/** Well-formed User filters, so that many cases reach the store and return rows of both orgs' lookalike data. */
const validUserComparison = fc.oneof(
  fc.tuple(fc.constantFrom("userName", "displayName", "externalId", "title", "emails.value", "emails.type", "name.givenName", "name.familyName", "phoneNumbers.value", `${ENTERPRISE}:department`, `${ENTERPRISE}:employeeNumber`),
    fc.constantFrom("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"), jsonString(oddString)).map(([a, o, v]) => `${a} ${o} ${v}`),
  fc.tuple(fc.constantFrom("active", "emails.primary"), fc.constantFrom("eq", "ne"), fc.constantFrom("true", "false")).map(([a, o, v]) => `${a} ${o} ${v}`),
  fc.tuple(fc.constantFrom("meta.created", "meta.lastModified"), fc.constantFrom("gt", "ge", "lt", "le", "eq"), fc.constantFrom('"2000-01-01T00:00:00Z"', '"2099-01-01T00:00:00Z"', "2020-05-05T10:00:00.5+02:00")).map(([a, o, v]) => `${a} ${o} ${v}`),
  fc.constantFrom("userName", "title", "emails", "externalId", "phoneNumbers", "name.givenName", "groups").map((a) => `${a} pr`),
  fc.tuple(fc.constantFrom("emails", "phoneNumbers"), fc.constantFrom("type", "value"), fc.constantFrom("eq", "co", "sw"), jsonString(oddString)).map(([a, s, o, v]) => `${a}[${s} ${o} ${v}]`),
);
const { validFilter } = fc.letrec<{ validFilter: string }>((tie) => ({
  validFilter: fc.oneof(
    { depthSize: "small", maxDepth: 4 },
    { weight: 3, arbitrary: validUserComparison },
    { weight: 1, arbitrary: fc.tuple(tie("validFilter"), fc.constantFrom("and", "or"), tie("validFilter")).map(([l, k, r]) => `(${l}) ${k} (${r})`) },
    { weight: 1, arbitrary: tie("validFilter").map((f) => `not (${f})`) },
  ),
}));

type Where = "users" | "groups" | "usersSearch" | "rootSearch";
const anyFilter = fc.oneof({ weight: 3, arbitrary: filter }, { weight: 2, arbitrary: hostileFilter });

function filterRequest(where: Where, f: string, count: number | undefined): { method: string; path: string; body?: unknown } {
  const q = `filter=${encodeURIComponent(f)}${count === undefined ? "" : `&count=${count}`}`;
  switch (where) {
    case "users": return { method: "GET", path: `/Users?${q}` };
    case "groups": return { method: "GET", path: `/Groups?${q}` };
    case "usersSearch": return { method: "POST", path: "/Users/.search", body: { schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], filter: f, ...(count === undefined ? {} : { count }) } };
    case "rootSearch": return { method: "POST", path: "/.search", body: { filter: f, ...(count === undefined ? {} : { count }) } };
  }
}

describe("generated filters over HTTP", () => {
  const n = runs(0.55);
  it(`answer ${n} filters on Users, Groups and .search without 5xx, leaks, pollution or slowness`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Where>("users", "users", "groups", "usersSearch", "rootSearch"),
        fc.oneof({ weight: 3, arbitrary: anyFilter }, { weight: 2, arbitrary: validFilter }),
        fc.option(fc.constantFrom(0, 1, 5, 1000, 1e9), { nil: undefined }),
        async (where, f, count) => {
          await send(w, filterRequest(where, f, count));
        },
      ),
      { numRuns: n },
    );
  }, timeoutFor(n));
});

const attrList = fc.array(attrPath, { minLength: 1, maxLength: 5 }).map((xs) => xs.join(","));
const intish = fc.oneof(
  fc.integer({ min: -10, max: 2000 }).map(String),
  fc.constantFrom("1e9", "1e999", "-5", "0", "abc", "", "1.5", " 3", "99999999999999999999", "0x10", "NaN", "[]", "%00"),
);

describe("generated list parameters over HTTP", () => {
  const n = runs(0.2);
  it(`answer ${n} combinations of sortBy, attributes, paging and cursors without 5xx, leaks, pollution or slowness`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          type: fc.constantFrom("Users", "Groups"),
          sortBy: fc.option(attrPath, { nil: undefined }),
          sortOrder: fc.option(fc.constantFrom("ascending", "descending", "DESCENDING", "up", "", "__proto__"), { nil: undefined }),
          attributes: fc.option(attrList, { nil: undefined }),
          excludedAttributes: fc.option(attrList, { nil: undefined }),
          startIndex: fc.option(intish, { nil: undefined }),
          count: fc.option(intish, { nil: undefined }),
          cursor: fc.option(fc.oneof(fc.constant(""), fc.base64String({ maxLength: 40 }), oddString), { nil: undefined }),
          one: fc.option(idPick, { nil: undefined }),
        }),
        async (p) => {
          const params = new URLSearchParams();
          for (const k of ["sortBy", "sortOrder", "attributes", "excludedAttributes", "startIndex", "count", "cursor"] as const) {
            const v = p[k];
            if (v !== undefined) params.set(k, v);
          }
          // Sometimes one resource by id (org A's, org B's or made up) with the same projection.
          const path = p.one === undefined
            ? `/${p.type}?${params.toString()}`
            : `/${p.type}/${encodeURIComponent(resolveId(w, p.one))}?${params.toString()}`;
          await send(w, { method: "GET", path });
        },
      ),
      { numRuns: n },
    );
  }, timeoutFor(n));
});

describe("org B after all of it", () => {
  it("is exactly as it was", async () => {
    expect(await snapshotB(w)).toEqual(before);
  });
});
