/**
 * The bytes of every answer that renders users in a list (GET /Users by cursor and by startIndex,
 * with attributes and excludedAttributes, POST /Users/.search, POST /.search at the root) and of a
 * single user (GET /Users/:id), compared byte for byte with test/fixtures/scim-user-pages.json,
 * recorded before the list path was made cheaper (issue 18, the cursor page): rows to records, the
 * page's groups, rendering and serialisation may change how the answer is made, never what it says.
 *
 * The data is fixed (ids, times, the organization) and written through the stores' own repositories,
 * the users' attributes coerced by the SCIM layer as a POST would: managed users with and without
 * the enterprise extension, emails, phone numbers, addresses, several groups (one bound to an account
 * role, one named with quotes and non-ASCII text), an Administrator by group, an Owner, a suspended
 * user whose stored attributes hold `active`, a pending and an independent user (not listed), text
 * that JSON escapes (quotes, backslash, control characters, U+2028) and text outside ASCII (accents,
 * CJK, an emoji). Two organizations: one showing the built-in role groups, one not.
 *
 * Both stores answer from the same recording: SQLite and the MongoDB store over the mingo double.
 * Only a sealed cursor differs between runs (its key is the store's own): it is replaced by a
 * marker in the recorded text, and followed for the next page.
 *
 * To re-record after a deliberate change of what a user looks like: `SCIM_USER_PAGES_RECORD=1 npx
 * jest test/http/users.page-bytes.test.ts`, and say in the commit what changed and why.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Clock } from "../../src/domain/clock";
import { insertOrganization } from "../../src/domain/orgs";
import type { Store } from "../../src/domain/ports/store";
import { orgRoleGroupId } from "../../src/domain/role-groups";
import { issueToken } from "../../src/domain/tokens";
import type { GroupRecord, MemberStatus, OrgRole, UserRecord } from "../../src/domain/types";
import { coerceBody } from "../../src/scim/coerce";
import { USERS } from "../../src/scim/resource-types";
import { toUserInput } from "../../src/scim/user-resource";
import { call, startTestServer, type TestServer } from "../helpers/server";
import { mingoStore } from "../store/mingo-store";

const GOLDEN = join(__dirname, "..", "fixtures", "scim-user-pages.json");
const RECORD = process.env.SCIM_USER_PAGES_RECORD === "1";
const PUBLIC_URL = "https://scim.example.test";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
const CURSOR_MARK = "<sealed cursor>";

const hex = (prefix: string, org: number, n: number): string => `${prefix}${String(org).repeat(8)}${n.toString(16).padStart(24, "0")}`;
const at = (minute: number): string => new Date(Date.UTC(2026, 0, 2, 3, minute, 5, 123)).toISOString();
const fixedClock: Clock = { now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 0)) };

interface Person {
  body: Record<string, unknown>;
  status?: MemberStatus;
  orgRole?: OrgRole | null;
  active?: boolean;
  twoFactorRequired?: boolean;
  passwordResetRequired?: boolean;
  /** Indexes into the groups made below; "admin"/"owner" name the built-in role groups. */
  groups: (number | "admin" | "owner" | "standard")[];
}

const PEOPLE: Person[] = [
  {
    body: {
      schemas: [USER_SCHEMA, ENTERPRISE], userName: "ada@acme.test", externalId: "ext-ada",
      name: { givenName: "Ada", familyName: "Lovelace", formatted: "Ada Lovelace" }, displayName: "Ada Lovelace",
      title: "Senior Engineer", preferredLanguage: "en-US", locale: "en-US", timezone: "Europe/Paris", active: true,
      emails: [{ value: "ada.work@mail.acme.test", type: "work", primary: true }, { value: "ada@home.example.org", type: "home" }],
      phoneNumbers: [{ value: "+1 555 0100", type: "work" }],
      addresses: [{ type: "work", streetAddress: "1 Main Street", locality: "Springfield", region: "IL", postalCode: "62701", country: "US", primary: true }],
      [ENTERPRISE]: { employeeNumber: "100001", costCenter: "CC-1", organization: "Acme", division: "Product", department: "Engineering", manager: { value: "boss-1" } },
    },
    groups: ["standard", 0, 1],
  },
  { body: { schemas: [USER_SCHEMA], userName: "bare@acme.test" }, groups: [] },
  {
    body: { userName: "admin.by.group@acme.test", emails: [{ value: "abg@acme.test", primary: true }], displayName: "Admin By Group" },
    groups: ["standard", "admin", 2],
  },
  {
    body: { active: false, userName: "suspended@acme.test", name: { familyName: "Suspended" }, emails: [{ value: "suspended@acme.test", type: "work" }] },
    active: false, groups: ["standard", 0],
  },
  {
    body: {
      schemas: [USER_SCHEMA, ENTERPRISE], userName: "josé.müller@acme.test", externalId: "ext-jm",
      name: { givenName: "José", familyName: "Müller", formatted: "José Müller 山田 😀" }, displayName: "Jo \"Quote\" \\ back\tslash\u0001\u2028 end",
      emails: [{ value: "josé@acme.test", type: "work", primary: true }],
      [ENTERPRISE]: { department: "Résearch & Dévelopment" },
    },
    twoFactorRequired: true, passwordResetRequired: true, groups: ["standard", 1, 2, 0],
  },
  { body: { userName: "owner@acme.test", displayName: "The Owner" }, orgRole: "owner", groups: ["owner"] },
  { body: { userName: "pending@acme.test", emails: [{ value: "pending@acme.test" }] }, status: "pending", orgRole: null, groups: [] },
  { body: { userName: "independent@elsewhere.test" }, status: "independent", orgRole: null, groups: [0] },
  {
    body: { emails: [{ value: "order@acme.test", type: "work", primary: true }], active: true, userName: "order@acme.test", nickName: "ordered", title: "" },
    orgRole: "administrator", groups: ["admin", "standard"],
  },
  { body: { userName: "pending.member@acme.test" }, status: "pending", orgRole: "standard", groups: [1] },
  { body: { userName: "long@acme.test", displayName: "x".repeat(300), title: "Ω".repeat(40) }, groups: ["standard"] },
];

const GROUPS = [
  { displayName: "Engineering", externalId: "grp-eng" },
  { displayName: "Ünïcode \"quoted\" grüppe", externalId: null },
  { displayName: "Account 7 Developers", externalId: null, binding: { kind: "accountRole" as const, accountId: "AC00000000000000000000000000000007", role: "developer" as const } },
];

async function seed(store: Store, org: number, exposeRoleGroups: boolean): Promise<string> {
  const orgId = hex("OR", org, 0);
  await store.transaction((tx) => insertOrganization(tx, fixedClock, { id: orgId, name: `Pages ${org}`, settings: { domainEnforcement: false, exposeRoleGroups } }));
  const { plaintext } = await issueToken(store, fixedClock, { orgId, name: "pages", scopes: ["scim", "admin"] });
  const groups: GroupRecord[] = GROUPS.map((g, i) => ({
    id: `GP${"a".repeat(28)}${String(org).padStart(2, "0")}${String(i + 1).padStart(2, "0")}`, orgId, displayName: g.displayName, externalId: g.externalId, builtin: false,
    binding: g.binding ?? null, data: g.externalId ? { externalId: g.externalId } : {}, version: 1, created: at(1), lastModified: at(2),
  }));
  const users: UserRecord[] = PEOPLE.map((p, i) => {
    const data = toUserInput(coerceBody(p.body, USERS.schema, "compatible")).data;
    return {
      id: hex("US", org, i + 1), orgId, userName: data.userName as string, externalId: (data.externalId as string | undefined) ?? null,
      displayName: (data.displayName as string | undefined) ?? null, active: p.active ?? true, status: p.status ?? "managed",
      orgRole: p.orgRole === undefined ? "standard" : p.orgRole, twoFactorRequired: p.twoFactorRequired ?? false,
      passwordResetRequired: p.passwordResetRequired ?? false, emails: (data.emails as UserRecord["emails"] | undefined) ?? [],
      data, version: i + 1, created: at(10 + i), lastModified: at(30 + i),
    };
  });
  await store.transaction(async (tx) => {
    for (const g of groups) await tx.groups.insert(g);
    for (const u of users) await tx.users.insert(u);
    const members = new Map<string, string[]>();
    PEOPLE.forEach((p, i) => {
      for (const g of p.groups) {
        const gid = typeof g === "number" ? (groups[g] as GroupRecord).id : orgRoleGroupId(orgId, g === "admin" ? "administrator" : g);
        members.set(gid, [...(members.get(gid) ?? []), (users[i] as UserRecord).id]);
      }
    });
    for (const [gid, ids] of members) await tx.groups.addMembers(orgId, gid, ids, at(50));
  });
  return plaintext;
}

type Ask = [method: "GET" | "POST", path: string, body?: Record<string, unknown>];
const SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
const ASKS: Ask[] = [
  ["GET", "/Users"],
  ["GET", "/Users?startIndex=3&count=4"],
  ["GET", "/Users?count=100&attributes=userName,emails,groups"],
  ["GET", `/Users?excludedAttributes=groups,${ENTERPRISE}`],
  ["GET", `/Users?attributes=${ENTERPRISE}:department,name.givenName,emails.value,active,externalId,groups.display`],
  ["GET", "/Users?excludedAttributes=meta,name.formatted,emails.type,urn:ietf:params:scim:schemas:extension:orgscim:2.0:User:orgRole"],
  ["GET", `/Users?filter=${encodeURIComponent('userName sw "a" or emails.value co "acme"')}&sortBy=userName&sortOrder=descending`],
  ["GET", "/Users?count=0"],
  ["POST", "/Users/.search", { schemas: [SEARCH], count: 3, startIndex: 2, attributes: ["displayName", "groups"] }],
  ["POST", "/.search", { schemas: [SEARCH], count: 20, excludedAttributes: ["members"] }],
];

/** Cursor pages of `size` from the first to the last, each recorded with its cursor marked. */
async function cursorWalk(s: TestServer, token: string, size: number, query = ""): Promise<string[]> {
  const texts: string[] = [];
  let cursor = "";
  for (let n = 0; n < 20; n++) {
    const r = await call("GET", `${s.scim}/Users?count=${size}&cursor=${encodeURIComponent(cursor)}${query}`, token);
    expect(r.status).toBe(200);
    const next = r.body.nextCursor as string | undefined;
    texts.push(next === undefined ? r.text : r.text.split(JSON.stringify(next)).join(JSON.stringify(CURSOR_MARK)));
    if (next === undefined) return texts;
    cursor = next;
  }
  throw new Error("the cursor walk did not end");
}

async function answers(s: TestServer, token: string, org: number): Promise<Record<string, string | string[]>> {
  const out: Record<string, string | string[]> = {};
  out["cursor walk, pages of 4"] = await cursorWalk(s, token, 4);
  out["cursor walk, pages of 3, attributes=userName,groups"] = await cursorWalk(s, token, 3, "&attributes=userName,groups");
  for (const [method, path, body] of ASKS) {
    const r = await call(method, `${s.scim}${path}`, token, body);
    expect([method, path, r.status, r.status === 200 ? "" : r.text]).toEqual([method, path, 200, ""]);
    expect(r.headers.get("content-type")).toBe("application/scim+json; charset=utf-8");
    out[`${method} ${path}${body ? ` ${JSON.stringify(body)}` : ""}`] = r.text;
  }
  for (let i = 1; i <= PEOPLE.length; i++) {
    const id = hex("US", org, i);
    const r = await call("GET", `${s.scim}/Users/${id}`, token);
    out[`GET /Users/{user ${i}}`] = `${r.status} ${r.text}`;
  }
  return out;
}

const STORES: [string, () => Store | undefined][] = [["SQLite", () => undefined], ["MongoDB (mingo double)", () => mingoStore()]];
/** What each organization answered on the first store of this run (SQLite): what is recorded. */
const first: Record<string, Record<string, string | string[]>> = {};

describe.each(STORES)("the bytes of user pages on %s", (name, makeStore) => {
  let s: TestServer;

  beforeAll(async () => {
    const store = makeStore();
    s = await startTestServer({ PUBLIC_URL, SCIM_MAX_RESULTS: "100" }, store ? { store } : {});
  });
  afterAll(async () => {
    await s.close();
    if (RECORD && name === "SQLite") writeFileSync(GOLDEN, `${JSON.stringify(first, null, 1)}\n`);
  });

  it.each([[1, true], [2, false]])("answers organization %i (role groups shown: %s) byte for byte as recorded", async (org, expose) => {
    const token = await seed(s.running.store, org, expose);
    const got = await answers(s, token, org);
    const key = `organization ${org}`;
    if (name === "SQLite") first[key] = got;
    if (RECORD && name === "SQLite") return;
    // Recording: the other store answers as SQLite did in this run; otherwise, as recorded.
    const want = RECORD ? first[key] : (JSON.parse(readFileSync(GOLDEN, "utf8")) as typeof first)[key];
    expect(want).toBeDefined();
    expect(Object.keys(got)).toEqual(Object.keys(want as object));
    for (const k of Object.keys(want as object)) expect([k, got[k]]).toEqual([k, (want as Record<string, unknown>)[k]]);
  });
});
