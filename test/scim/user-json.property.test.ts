/**
 * A listed user's JSON text written from its stored attributes' text (src/scim/user-json.ts) is
 * byte for byte JSON.stringify(renderUser(...)) of the same user read and parsed, for generated
 * users: attributes named like the members renderUser sets (active, groups, meta, the orgscim
 * extension, schemas, id, externalId), `__proto__`, keys that are array indexes, strings that JSON
 * escapes (quotes, backslashes, control characters, U+2028, lone surrogates) or that look like JSON
 * syntax, text outside ASCII, nested values, the enterprise extension, groups (the built-in ones
 * shown or not), every column. The rows are written by the SQLite store as one by one and as a batch
 * (./users-batch.ts), and read as a page lists them (by startIndex and by cursor). The same holds for
 * a page's body, into which each user's text is put in pieces (UserJsonWriter.writeInto, JsonBody).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { systemClock } from "../../src/domain/clock";
import { createOrganization } from "../../src/domain/orgs";
import type { GroupRef, Store } from "../../src/domain/ports/store";
import { orgRoleGroupId } from "../../src/domain/role-groups";
import type { GroupRecord, MemberStatus, OrgRole, UserRecord } from "../../src/domain/types";
import type { StoredUser } from "../../src/domain/stored-data";
import { JsonBody } from "../../src/http/scim/list-body";
import { renderUserJson, UserJsonWriter } from "../../src/scim/user-json";
import { renderUser } from "../../src/scim/user-resource";
import { openStore } from "../../src/store/open";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const ORGSCIM = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";
const BASE = "https://scim.example.test/scim/v2";
const RUNS = Number(process.env.USER_JSON_RUNS ?? 150);

/** One character of a generated string: JSON's specials, its syntax, lone surrogates, anything. */
const oddChar = fc.oneof(
  fc.constantFrom('"', "\\", "\\\"", "\u2028", "\u2029", "\u0000", "\u001f", "\n", "\t", "{", "}", "[", "]", ",", ":", "\ud800", "\udc00", "😀", "é", "李", "\u007f"),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
);
const oddString = fc.string({ unit: oddChar, maxLength: 10 });
const value = fc.jsonValue({ maxDepth: 3, stringUnit: oddChar });
const key = fc.oneof(
  fc.constantFrom("active", "groups", "meta", ORGSCIM, ENTERPRISE, "externalId", "userName", "displayName", "emails", "name", "title",
    "schemas", "id", "__proto__", "0", "12", "01", "-1", "4294967295", "", "a\"b", "back\\", "ü", "😀",
    // Keys that begin like, or are begun by, a member the copy places (it reads keys in place, by their first character and length).
    "activ", "actives", "metadata", "met", "group", "groupsX", "ids", "i", "externalID", "schema", `${ORGSCIM}s`, ENTERPRISE.slice(0, -1), "_", "__proto"),
  oddString,
  oddString,
  oddString,
);
/** Attributes: entries made own properties (so `__proto__` is a key, as JSON.parse makes it). */
const attributes = fc.array(fc.tuple(key, value), { maxLength: 8 }).map((entries) => {
  const data: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(data, k, { value: v, enumerable: true, writable: true, configurable: true });
  return data;
});
const person = fc.record({
  data: attributes,
  externalId: fc.option(oddString, { nil: null }),
  displayName: fc.option(oddString, { nil: null }),
  active: fc.boolean(),
  status: fc.constantFrom<MemberStatus>("managed", "pending"),
  orgRole: fc.constantFrom<OrgRole | null>("owner", "administrator", "standard", null),
  twoFactorRequired: fc.boolean(),
  passwordResetRequired: fc.boolean(),
  version: fc.integer({ min: 1, max: 2 ** 31 }),
  created: fc.option(oddString, { nil: undefined }),
  lastModified: fc.option(oddString, { nil: undefined }),
  groups: fc.subarray(["standard", "administrator", "owner", 0, 1] as const),
});

type Person = typeof person extends fc.Arbitrary<infer P> ? P : never;

/** The text a page's body holds after `stored` is put into it after a comma, as GET /Users writes a page of users. */
function written(stored: StoredUser, groups: readonly GroupRef[], showBuiltin: boolean): string {
  const body = new JsonBody(0);
  new UserJsonWriter(BASE, showBuiltin).writeInto(body, ",", stored, groups);
  return body.bytes().toString();
}

describe("a listed user's JSON text written from its stored attributes", () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "orgscim-user-json-"));
    store = await openStore(`sqlite:${join(dir, "u.db")}`);
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let n = 0;
  /** A new organization holding `people` (as one by one or as a batch) and two groups. */
  async function seed(people: Person[], batch: boolean, displays = ["Engineering", "Ünïcode \"quoted\" \\ grüppe 😀"]): Promise<{ orgId: string; ids: string[] }> {
    const org = await createOrganization(store, systemClock, { name: `json ${++n}`, settings: { domainEnforcement: false } });
    const now = new Date().toISOString();
    const groups: GroupRecord[] = displays.map((displayName, i) => ({
      id: `GP${String(n).padStart(28, "0")}${i}0`, orgId: org.id, displayName, externalId: null, builtin: false, binding: null, data: {}, version: 1, created: now, lastModified: now,
    }));
    const users: UserRecord[] = people.map((p, i) => ({
      id: `US${String(n).padStart(20, "0")}${String(i).padStart(10, "0")}`, orgId: org.id, userName: `u${n}.${i}@json.test`, externalId: p.externalId,
      displayName: p.displayName, active: p.active, status: p.status, orgRole: p.orgRole, twoFactorRequired: p.twoFactorRequired,
      passwordResetRequired: p.passwordResetRequired, emails: [], data: p.data, version: p.version, created: p.created ?? now, lastModified: p.lastModified ?? now,
    }));
    await store.transaction(async (tx) => {
      for (const g of groups) await tx.groups.insert(g);
      if (batch) await tx.users.insertMany!(org.id, users);
      else for (const u of users) await tx.users.insert(u);
      for (const [i, p] of people.entries()) {
        for (const g of p.groups) {
          const gid = typeof g === "number" ? groups[g]!.id : orgRoleGroupId(org.id, g);
          await tx.groups.addMembers(org.id, gid, [users[i]!.id]);
        }
      }
    });
    return { orgId: org.id, ids: users.map((u) => u.id) };
  }

  let copied = 0;
  let parsed = 0;
  afterAll(() => {
    // The copy must have been tried: a property every user of which went through renderUser proves nothing.
    expect(copied).toBeGreaterThan(RUNS / 2);
    if (RUNS >= 50) expect(parsed).toBeGreaterThan(0);
  });

  it("is JSON.stringify(renderUser(...)) of the user read and parsed, byte for byte", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(person, { minLength: 1, maxLength: 6 }), fc.tuple(oddString, oddString), fc.oneof(fc.constant(BASE), oddString), fc.boolean(), fc.boolean(), fc.boolean(),
        async (people, displays, base, batch, byCursor, showBuiltin) => {
          const { orgId, ids } = await seed(people, batch, [`${displays[0]} 1`, `${displays[1]} 2`]);
          const q = byCursor ? { startIndex: 1, count: 100, cursor: "" } : { startIndex: 1, count: 100 };
          const page = await store.users.listStored!(orgId, q);
          expect(page.items.map((u) => u.id)).toEqual(ids);
          const groups = await store.groups.groupsOfUsers(orgId, ids);
          // One writer for the page, as GET /Users has: what it keeps from one user must not leak into the next.
          const writer = new UserJsonWriter(base, showBuiltin);
          // The page's body as GET /Users writes a page of users: each user put into it in pieces, by a writer of its own.
          const body = new JsonBody(0);
          const pageWriter = new UserJsonWriter(base, showBuiltin);
          const texts: string[] = [];
          for (const [at, stored] of page.items.entries()) {
            const of: GroupRef[] = groups.get(stored.id) ?? [];
            const read = (await store.users.get(orgId, stored.id))!;
            const expected = JSON.stringify(renderUser(read, base, of, showBuiltin));
            texts.push(expected);
            expect(renderUserJson(stored, base, of, showBuiltin)).toBe(expected);
            pageWriter.writeInto(body, at === 0 ? "" : ",", stored, of);
            const copy = writer.copied(stored, of);
            if (copy === undefined) parsed++;
            else {
              expect(copy).toBe(expected);
              copied++;
            }
          }
          expect(body.bytes().toString()).toBe(texts.join(","));
        },
      ),
      { numRuns: RUNS },
    );
  }, 120_000);

  it.each<[string, Record<string, unknown>]>([
    ["strings ending in backslashes", { userName: "a\\", title: "b\\\\", nickName: "\\\"", displayName: "\\" }],
    ["strings holding JSON syntax", { title: '","id":"x"}', nickName: "{[,:]}", displayName: '\\","active":false' }],
    ["nested members named like renderUser's", { name: { id: "n", schemas: [], active: 1, meta: {}, externalId: "x", "0": 1 }, emails: [{ value: "e", groups: [] }] }],
    ["keys outside ASCII, with quotes or backslashes", { "ü": 1, "😀": [true, null], 'a"b': "q", "back\\": { "x\\": "\\" }, "": 0 }],
    ["the stored active, meta, groups and orgscim extension", { active: "stored", meta: 1, groups: [{ value: "stored" }], [ORGSCIM]: { orgRole: "x" }, [ENTERPRISE]: null }],
    ["numbers and literals", { n: -0.5, e: 1e300, t: true, f: false, z: null, a: [1, [2, [3]]] }],
  ])("copies %s (it does not parse them) and writes what renderUser writes", async (_, data) => {
    const { orgId, ids } = await seed([{ data, externalId: "ext", displayName: null, active: false, status: "managed", orgRole: "administrator", twoFactorRequired: true, passwordResetRequired: false, version: 3, created: undefined, lastModified: undefined, groups: [0, "standard"] }], false);
    const stored = (await store.users.listStored!(orgId, { startIndex: 1, count: 100 })).items[0]!;
    expect(stored.id).toBe(ids[0]);
    const of = (await store.groups.groupsOfUsers(orgId, ids)).get(stored.id) ?? [];
    const read = (await store.users.get(orgId, stored.id))!;
    for (const showBuiltin of [false, true]) {
      const expected = JSON.stringify(renderUser(read, BASE, of, showBuiltin));
      expect(new UserJsonWriter(BASE, showBuiltin).copied(stored, of)).toBe(expected);
      expect(renderUserJson(stored, BASE, of, showBuiltin)).toBe(expected);
      expect(written(stored, of, showBuiltin)).toBe(`,${expected}`);
    }
  });

  it.each<[string, Record<string, unknown>]>([
    ["schemas", { schemas: ["x"], userName: "s" }],
    ["id", { userName: "i", id: "stored" }],
    ["__proto__", JSON.parse('{"userName":"p","__proto__":{"polluted":1}}') as Record<string, unknown>],
    ["an array index", { userName: "n", "7": "seven" }],
  ])("renders a user whose attributes hold %s from the parsed user (the copy cannot place it)", async (_, data) => {
    const { orgId, ids } = await seed([{ data, externalId: null, displayName: null, active: true, status: "managed", orgRole: "standard", twoFactorRequired: false, passwordResetRequired: false, version: 1, created: undefined, lastModified: undefined, groups: [] }], false);
    const stored = (await store.users.listStored!(orgId, { startIndex: 1, count: 100 })).items[0]!;
    expect(new UserJsonWriter(BASE, false).copied(stored, [])).toBeUndefined();
    const expected = JSON.stringify(renderUser((await store.users.get(orgId, ids[0]!))!, BASE, [], false));
    expect(renderUserJson(stored, BASE, [], false)).toBe(expected);
    expect(written(stored, [], false)).toBe(`,${expected}`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
