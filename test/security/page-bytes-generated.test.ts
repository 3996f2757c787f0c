/**
 * Case 51 for generated users, byte for byte: a page of users copies each row's stored JSON text
 * into its answer (users.listStored, src/scim/user-json.ts, one Buffer per page:
 * src/http/scim/list-body.ts) where GET /Users/{id} renders the parsed user. For users made over
 * HTTP with generated text in every free-text attribute the server takes (JSON's specials, quotes
 * and backslashes, text that looks like JSON, U+2028/U+2029, NUL and other controls, lone
 * surrogates, astral characters, text outside ASCII; names with what names may hold), in the core
 * schema and the enterprise extension, some of them changed after by PUT or PATCH and put in
 * groups with generated names: the exact bytes GET /Users/{id} answers for each user are found in
 * every page that lists them (index and cursor pages of GET /Users, POST /Users/.search and the
 * root POST /.search), and each page is one JSON text listing each user once.
 * Real HTTP, real SQLite store (docs/security.md case 55).
 */
import fc from "fast-check";
import { call, PATCH_SCHEMA, startTestServer, USER_SCHEMA, type TestServer } from "../helpers/server";

jest.setTimeout(300_000);

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
const RUNS = Number(process.env.PAGE_BYTES_RUNS ?? 6);

/** A character of a free-text value: JSON's specials and syntax, separators, controls, lone surrogates, astral, non-ASCII. */
const oddChar = fc.oneof(
  fc.constantFrom('"', "\\", "\\u0041", "\u2028", "\u2029", "\u0000", "\u001f", "\u007f", "\n", "\t", "{", "}", "[", "]", ",", ":",
    "\ud800", "\udfff", "😀", "é", "e\u0301", "李", "\u00a0", "</script>", "\\\"", "null", "true", "1e999"),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
);
const oddText = fc.string({ unit: oddChar, minLength: 1, maxLength: 12 });
/** What a name may hold (names refuse controls and invisible characters): letters, marks, emoji, quotes, backslashes, JSON syntax. */
const nameText = fc.string({ unit: fc.constantFrom("A", "z", "é", "e\u0301", "李", "😀", "'", '"', "\\", "{", "}", "[", ",", ":", " ", "Ö", "ß", "ñ"), minLength: 1, maxLength: 12 })
  .filter((s) => s.trim().length > 0);

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const person = fc.record({
  displayName: maybe(nameText),
  givenName: maybe(nameText),
  nickName: maybe(oddText),
  title: maybe(oddText),
  userType: maybe(oddText),
  street: maybe(oddText),
  phone: maybe(oddText),
  department: maybe(oddText),
  employeeNumber: maybe(oddText),
  then: fc.constantFrom("none", "put", "patch"),
  inGroup: fc.boolean(),
});
type Person = typeof person extends fc.Arbitrary<infer P> ? P : never;

/** The body of a user with what `p` generated; attributes the generator left out are absent. */
function bodyOf(userName: string, p: Person, changed = false): Record<string, unknown> {
  const body: Record<string, unknown> = { schemas: [USER_SCHEMA], userName, emails: [{ value: userName, type: "work", primary: true }], active: true };
  if (p.displayName !== undefined) body.displayName = changed ? `${p.displayName} 2` : p.displayName;
  if (p.givenName !== undefined) body.name = { givenName: p.givenName, familyName: "Family" };
  if (p.nickName !== undefined) body.nickName = p.nickName;
  if (p.title !== undefined && !changed) body.title = p.title;
  if (p.userType !== undefined) body.userType = p.userType;
  if (p.street !== undefined) body.addresses = [{ type: "work", streetAddress: p.street, locality: p.street }];
  if (p.phone !== undefined) body.phoneNumbers = [{ type: "work", value: p.phone }];
  if (p.department !== undefined || p.employeeNumber !== undefined) {
    body.schemas = [USER_SCHEMA, ENTERPRISE];
    body[ENTERPRISE] = { ...(p.department !== undefined ? { department: p.department } : {}), ...(p.employeeNumber !== undefined ? { employeeNumber: p.employeeNumber } : {}) };
  }
  return body;
}

let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.close());

/** The raw bytes of an answer. */
async function bytes(method: string, url: string, token: string, body?: unknown): Promise<{ status: number; raw: Buffer }> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/scim+json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, raw: Buffer.from(await res.arrayBuffer()) };
}

/** Every page that lists the organization's users: index pages, cursor pages, both searches. Each page's raw bytes. */
async function pages(token: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  const get = async (url: string) => {
    const r = await bytes("GET", url, token);
    expect([url, r.status]).toEqual([url, 200]);
    out.push(r.raw);
    return JSON.parse(r.raw.toString("utf8")) as { nextCursor?: string };
  };
  for (let start = 1; start <= 13; start += 4) await get(`${s.scim}/Users?startIndex=${start}&count=4`);
  let cursor: string | undefined = "";
  for (let i = 0; cursor !== undefined && i < 20; i++) cursor = (await get(`${s.scim}/Users?cursor=${encodeURIComponent(cursor)}&count=5`)).nextCursor;
  for (const url of [`${s.scim}/Users/.search`, `${s.scim}/.search`]) {
    const r = await bytes("POST", url, token, { schemas: [SEARCH], filter: 'userName sw "gen-"', count: 100 });
    expect([url, r.status]).toEqual([url, 200]);
    out.push(r.raw);
  }
  return out;
}

describe("each user of a page, byte for byte as GET /Users/{id}, for generated users", () => {
  it("holds", async () => {
    let accepted = 0;
    let refused = 0;
    await fc.assert(fc.asyncProperty(fc.array(person, { minLength: 1, maxLength: 12 }), nameText, async (people, groupName) => {
      const { token } = await s.newOrg({ domainEnforcement: false });
      const ids: string[] = [];
      for (const [i, p] of people.entries()) {
        const userName = `gen-${i}@bytes.test`;
        const r = await call("POST", `${s.scim}/Users`, token, bodyOf(userName, p));
        if (r.status !== 201) {
          // Refused for its text (a control or lone surrogate in a name): what a client cannot store, no page shows.
          expect([r.status, r.text]).toEqual([400, expect.any(String)]);
          refused++;
          continue;
        }
        accepted++;
        const id = r.body.id as string;
        ids.push(id);
        if (p.then === "put") expect((await call("PUT", `${s.scim}/Users/${id}`, token, bodyOf(userName, p, true))).status).toBe(200);
        if (p.then === "patch") {
          const ops = [{ op: "replace", path: "nickName", value: p.title ?? "patched \u2028 \"" }, { op: "remove", path: "title" }];
          expect((await call("PATCH", `${s.scim}/Users/${id}`, token, { schemas: [PATCH_SCHEMA], Operations: ops })).status).toBe(204);
        }
      }
      const members = ids.filter((_, i) => people[i]?.inGroup).map((value) => ({ value }));
      if (members.length > 0) expect((await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP], displayName: groupName, members })).status).toBe(201);

      const listed = await pages(token);
      for (const page of listed) {
        const parsed = JSON.parse(page.toString("utf8")) as { Resources?: { id: string }[] };
        const pageIds = (parsed.Resources ?? []).map((u) => u.id);
        expect(new Set(pageIds).size).toBe(pageIds.length);
      }
      for (const id of ids) {
        const one = await bytes("GET", `${s.scim}/Users/${id}`, token);
        expect(one.status).toBe(200);
        // Found verbatim in every page that lists the user (each user is on at least 4: an index page, a cursor page, both searches).
        const listing = listed.filter((page) => page.includes(`"id":"${id}"`));
        expect(listing.length).toBeGreaterThanOrEqual(4);
        for (const page of listing) expect([id, page.indexOf(one.raw) >= 0]).toEqual([id, true]);
      }
    }), { numRuns: RUNS });
    // The generator reached the copy: most users were stored, with their odd text.
    expect(accepted).toBeGreaterThan(refused);
  });
});
