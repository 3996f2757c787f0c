/**
 * The GroupMember resource (draft-zollner-scim-group-members-01, issue 16 item 3) over real HTTP on
 * a real SQLite store: POST (201, 409 on an existing membership, 400 invalidValue on unknown ids),
 * GET by id, the list filtered on group.value and member.value paged by index and by cursor,
 * DELETE (204), PUT and PATCH 405, /Bulk; and the attacks: another organization's ids answer as
 * ids that exist nowhere, a Standard User's token and an identity provider's are held to the
 * group's rules, a group id is no member, a removed user is none, concurrent POSTs of one
 * membership make one, and PATCH /Groups and /GroupMembers show the same memberships.
 */
import { orgRoleGroupId } from "../../src/domain/role-groups";
import { GROUP_MEMBER } from "../../src/domain/resource-names";
import { issueToken } from "../../src/domain/tokens";
import { systemClock } from "../../src/domain/clock";
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
const GM = GROUP_MEMBER.endpoint;

let s: TestServer;
let orgId: string;
let token: string;
let other: { orgId: string; token: string; group: string; user: string; membership: string };
let seq = 0;
const uniq = (p: string) => `${p}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

const newUser = async (t = token) => {
  const r = await call("POST", `${s.scim}/Users`, t, userBody(`${uniq("gm")}@x.test`));
  expect(r.status).toBe(201);
  return r.body.id as string;
};
const newGroup = async (members: string[] = [], t = token) => {
  const r = await call("POST", `${s.scim}/Groups`, t, { schemas: [GROUP], displayName: uniq("team"), members: members.map((value) => ({ value })) });
  expect(r.status).toBe(201);
  return r.body.id as string;
};
const body = (group: string, member: string, over: Record<string, unknown> = {}) => ({ schemas: [GROUP_MEMBER.schema], group: { value: group }, member: { value: member }, ...over });
const post = (group: string, member: string, t = token) => call("POST", `${s.scim}${GM}`, t, body(group, member));
const membersOf = async (group: string) => ((await call("GET", `${s.scim}/Groups/${group}`, token)).body.members ?? []).map((m: { value: string }) => m.value).sort();
const etagOf = async (group: string) => (await call("GET", `${s.scim}/Groups/${group}`, token)).headers.get("etag");
const list = (query: string, t = token) => call("GET", `${s.scim}${GM}?${query}`, t);
const filter = (text: string) => `filter=${encodeURIComponent(text)}`;
const randomId = (prefix: string) => prefix + Array.from({ length: 32 }, () => "0123456789abcdef"[Math.floor(Math.random() * 16)]).join("");

beforeAll(async () => {
  s = await startTestServer();
  const a = await s.newOrg({ domainEnforcement: false });
  orgId = a.org.id;
  token = a.token;
  const b = await s.newOrg({ domainEnforcement: false });
  const bUser = await newUser(b.token);
  const bGroup = await newGroup([bUser], b.token);
  const bm = await list(filter(`group.value eq "${bGroup}"`), b.token);
  other = { orgId: b.org.id, token: b.token, group: bGroup, user: bUser, membership: bm.body.Resources[0].id };
});
afterAll(() => s.close());

describe("POST /GroupMembers", () => {
  it("answers 201 with Location and the membership, and the group lists the member and has a new version", async () => {
    const u = await newUser();
    const g = await newGroup();
    const before = await etagOf(g);
    const r = await post(g, u);
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      schemas: [GROUP_MEMBER.schema],
      id: expect.stringMatching(/^GM[0-9a-f]{32}$/),
      group: { value: g, $ref: `${s.scim}/Groups/${g}`, display: expect.any(String) },
      member: { value: u, $ref: `${s.scim}/Users/${u}`, type: "User", display: expect.any(String) },
      meta: { resourceType: GROUP_MEMBER.name, created: expect.any(String), lastModified: expect.any(String), location: `${s.scim}${GM}/${r.body.id}` },
    });
    expect(r.headers.get("location")).toBe(`${s.scim}${GM}/${r.body.id}`);
    expect(await membersOf(g)).toEqual([u]);
    expect(await etagOf(g)).not.toBe(before);
    const got = await call("GET", `${s.scim}${GM}/${r.body.id}`, token);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(r.body);
  });

  it("answers 409 uniqueness naming the membership when it exists, and changes nothing (not even the group's version)", async () => {
    const u = await newUser();
    const g = await newGroup([u]);
    const before = await etagOf(g);
    const r = await post(g, u);
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ schemas: [ERROR], status: "409", scimType: "uniqueness" });
    const existing = (await list(filter(`group.value eq "${g}" and member.value eq "${u}"`))).body.Resources[0].id as string;
    expect(r.body.detail).toContain(existing);
    expect(await etagOf(g)).toBe(before);
  });

  it("makes one membership of eight concurrent POSTs of it: one 201, seven 409", async () => {
    const u = await newUser();
    const g = await newGroup();
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(g, u)));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    expect((await list(filter(`group.value eq "${g}"`))).body.totalResults).toBe(1);
  });

  it.each([
    ["an unknown group", async () => ({ group: randomId("GP"), member: await newUser() })],
    ["another organization's group", async () => ({ group: other.group, member: await newUser() })],
    ["an unknown user", async () => ({ group: await newGroup(), member: randomId("US") })],
    ["another organization's user", async () => ({ group: await newGroup(), member: other.user })],
    ["a group's id as the member (members are users)", async () => ({ group: await newGroup(), member: await newGroup() })],
    ["the group itself as its member", async () => { const g = await newGroup(); return { group: g, member: g }; }],
  ])("answers 400 invalidValue for %s, and changes nothing", async (_, make) => {
    const { group, member } = await make();
    const before = group.startsWith("GP") && group !== other.group ? await call("GET", `${s.scim}/Groups/${group}`, token) : null;
    const r = await post(group, member);
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe("invalidValue");
    if (before?.status === 200) expect((await call("GET", `${s.scim}/Groups/${group}`, token)).headers.get("etag")).toBe(before.headers.get("etag"));
    expect((await list(filter(`group.value eq "${other.group}"`), other.token)).body.totalResults).toBe(1);
  });

  it("answers another organization's ids exactly as ids that exist nowhere", async () => {
    const g = await newGroup();
    const u = await newUser();
    const pairs = [[post(other.group, u), post(randomId("GP"), u)], [post(g, other.user), post(g, randomId("US"))]] as const;
    for (const [theirs, nowhere] of pairs) {
      const [a, b] = await Promise.all([theirs, nowhere]);
      expect(a.status).toBe(b.status);
      expect(String(a.body.detail).replace(/\b(GP|US)[0-9a-f]{32}\b/g, "<id>")).toBe(String(b.body.detail).replace(/\b(GP|US)[0-9a-f]{32}\b/g, "<id>"));
    }
  });

  it("refuses a user removed from the organization: 400, and their memberships are gone", async () => {
    const u = await newUser();
    const g = await newGroup([u]);
    const m = (await list(filter(`member.value eq "${u}"`))).body.Resources[0].id as string;
    expect((await call("DELETE", `${s.scim}/Users/${u}`, token)).status).toBe(204);
    expect((await call("GET", `${s.scim}${GM}/${m}`, token)).status).toBe(404);
    const r = await post(g, u);
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe("invalidValue");
  });

  it.each([
    ["no schemas", "invalidSyntax", (g: string, u: string) => ({ group: { value: g }, member: { value: u } })],
    ["the Group schema", "invalidSyntax", (g: string, u: string) => ({ ...body(g, u), schemas: [GROUP] })],
    ["an attribute the resource does not have", "invalidSyntax", (g: string, u: string) => body(g, u, { externalId: "x" })],
    ["an unknown sub-attribute", "invalidSyntax", (g: string, u: string) => body(g, u, { member: { value: u, primary: true } })],
    ["member.type Group", "invalidValue", (g: string, u: string) => body(g, u, { member: { value: u, type: "Group" } })],
    ["no member", "invalidValue", (g: string) => ({ schemas: [GROUP_MEMBER.schema], group: { value: g } })],
    ["group as a bare string", "invalidValue", (g: string, u: string) => body(g, u, { group: g })],
    ["an empty member value", "invalidValue", (g: string) => body(g, "")],
  ])("refuses a body with %s (400 %s), and adds nobody", async (_, scimType, make) => {
    const u = await newUser();
    const g = await newGroup();
    const r = await call("POST", `${s.scim}${GM}`, token, make(g, u));
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe(scimType);
    expect(await membersOf(g)).toEqual([]);
  });

  it("reads attribute names without case and ignores the readOnly ones a client echoes", async () => {
    const u = await newUser();
    const g = await newGroup();
    const r = await call("POST", `${s.scim}${GM}`, token, { Schemas: [GROUP_MEMBER.schema], id: "GMmine", meta: { created: "1999" }, Group: { Value: g, display: "x" }, MEMBER: { value: u, type: "User", $ref: "x" } });
    expect(r.status).toBe(201);
    expect(r.body.id).not.toBe("GMmine");
    expect(r.body.meta.created).not.toBe("1999");
  });
});

describe("GET, DELETE, PUT and PATCH /GroupMembers/{id}", () => {
  it("DELETE answers 204, the member leaves the group, and the id answers 404 from then on, even after the user rejoins", async () => {
    const u = await newUser();
    const g = await newGroup([u]);
    const m = (await list(filter(`group.value eq "${g}"`))).body.Resources[0].id as string;
    const before = await etagOf(g);
    expect((await call("DELETE", `${s.scim}${GM}/${m}`, token)).status).toBe(204);
    expect(await membersOf(g)).toEqual([]);
    expect(await etagOf(g)).not.toBe(before);
    expect((await call("GET", `${s.scim}${GM}/${m}`, token)).status).toBe(404);
    expect((await call("DELETE", `${s.scim}${GM}/${m}`, token)).status).toBe(404);
    const again = await post(g, u);
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(m);
    expect((await call("DELETE", `${s.scim}${GM}/${m}`, token)).status).toBe(404);
    expect(await membersOf(g)).toEqual([u]);
  });

  it("answers 405 with Allow to PUT and PATCH of a membership, and to PUT, PATCH and DELETE of the collection", async () => {
    const u = await newUser();
    const g = await newGroup([u]);
    const m = (await list(filter(`group.value eq "${g}"`))).body.Resources[0].id as string;
    for (const method of ["PUT", "PATCH"]) {
      const r = await call(method, `${s.scim}${GM}/${m}`, token, method === "PUT" ? body(g, u) : { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "member.value", value: u }] });
      expect(r.status).toBe(405);
      expect(r.headers.get("allow")).toBe("GET, DELETE");
    }
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      const r = await call(method, `${s.scim}${GM}`, token, method === "DELETE" ? undefined : body(g, u));
      expect(r.status).toBe(405);
      expect(r.headers.get("allow")).toBe("GET, POST");
    }
    expect(await membersOf(g)).toEqual([u]);
  });

  it("answers another organization's membership as one that exists nowhere, on GET and DELETE, and leaves it alone", async () => {
    for (const method of ["GET", "DELETE"]) {
      const theirs = await call(method, `${s.scim}${GM}/${other.membership}`, token);
      const nowhere = await call(method, `${s.scim}${GM}/${randomId("GM")}`, token);
      expect(theirs.status).toBe(404);
      expect(nowhere.status).toBe(404);
      expect(String(theirs.body.detail).replace(/GM[0-9a-f]{32}/, "<id>")).toBe(String(nowhere.body.detail).replace(/GM[0-9a-f]{32}/, "<id>"));
    }
    expect((await call("GET", `${s.scim}${GM}/${other.membership}`, other.token)).status).toBe(200);
  });

  it("projects with attributes and excludedAttributes", async () => {
    const u = await newUser();
    const g = await newGroup([u]);
    const m = (await list(filter(`group.value eq "${g}"`))).body.Resources[0].id as string;
    const only = await call("GET", `${s.scim}${GM}/${m}?attributes=member.value`, token);
    expect(only.body).toEqual({ schemas: [GROUP_MEMBER.schema], id: m, member: { value: u } });
    const without = await call("GET", `${s.scim}${GM}/${m}?excludedAttributes=group`, token);
    expect(without.body.group).toBeUndefined();
    expect(without.body.member.value).toBe(u);
  });
});

describe("GET /GroupMembers", () => {
  let g1: string;
  let g2: string;
  let users: string[];
  beforeAll(async () => {
    users = [];
    for (let i = 0; i < 7; i++) users.push(await newUser());
    g1 = await newGroup(users);
    g2 = await newGroup(users.slice(0, 3));
  });

  it("lists a group's memberships (group.value), a user's (member.value), or the one of both, with integer totals", async () => {
    const of1 = await list(filter(`group.value eq "${g1}"`));
    expect(of1.status).toBe(200);
    expect(of1.body).toMatchObject({ schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], totalResults: 7, startIndex: 1, itemsPerPage: 7 });
    expect(of1.body.Resources.map((m: { member: { value: string } }) => m.member.value).sort()).toEqual([...users].sort());
    const ofUser = await list(filter(`member.value eq "${users[0]}"`));
    // Their built-in Standard User group too: the organization exposes its org-role groups (the default).
    expect(ofUser.body.Resources.map((m: { group: { value: string } }) => m.group.value).sort()).toEqual([g1, g2, orgRoleGroupId(orgId, "standard")].sort());
    const both = await list(filter(`group.value eq "${g2}" and member.value eq "${users[4]}"`));
    expect(both.body.totalResults).toBe(0);
    const one = await list(filter(`member.value eq "${users[1]}" and group.value eq "${g2}"`));
    expect(one.body.totalResults).toBe(1);
    // The draft's own example leaves the value unquoted.
    expect((await list(filter(`group.value eq ${g2}`))).body.totalResults).toBe(3);
  });

  it("pages by index and by cursor through every membership once", async () => {
    const all = (await list(`${filter(`group.value eq "${g1}"`)}&count=100`)).body.Resources.map((m: { id: string }) => m.id);
    const byIndex: string[] = [];
    for (let start = 1; start <= 7; start += 3) {
      const page = await list(`${filter(`group.value eq "${g1}"`)}&startIndex=${start}&count=3`);
      expect(page.body.totalResults).toBe(7);
      byIndex.push(...page.body.Resources.map((m: { id: string }) => m.id));
    }
    expect(byIndex).toEqual(all);
    const byCursor: string[] = [];
    let cursor = "";
    for (let n = 0; n < 10; n++) {
      const page = await list(`${filter(`group.value eq "${g1}"`)}&count=2&cursor=${encodeURIComponent(cursor)}`);
      expect(page.status).toBe(200);
      byCursor.push(...page.body.Resources.map((m: { id: string }) => m.id));
      if (!page.body.nextCursor) break;
      cursor = page.body.nextCursor;
    }
    expect(byCursor).toEqual(all);
  });

  it.each([
    ["group.display eq \"x\""], ["id eq \"x\""], ["member.display eq \"x\""], ["group.value ne \"x\""], ["group.value sw \"GP\""],
    ["group.value pr"], ["group.value eq \"a\" or member.value eq \"b\""], ["not (group.value eq \"a\")"], ["meta.created gt \"2020-01-01\""],
  ])("answers 400 invalidFilter to %s", async (text) => {
    const r = await list(filter(text));
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe("invalidFilter");
  });

  it("answers 400 to sortBy and to a cursor it never issued", async () => {
    expect((await list("sortBy=group.value")).status).toBe(400);
    const forged = await list(`cursor=${Buffer.from("m:GM0").toString("base64url")}`);
    expect(forged.status).toBe(400);
    expect(forged.body.scimType).toBe("invalidCursor");
  });

  it("lists only the organization's own memberships: another organization's group or user lists nothing", async () => {
    expect((await list(filter(`group.value eq "${other.group}"`))).body).toMatchObject({ totalResults: 0, Resources: [] });
    expect((await list(filter(`member.value eq "${other.user}"`))).body).toMatchObject({ totalResults: 0, Resources: [] });
    const mine = await list("count=1000");
    expect(mine.body.Resources.some((m: { id: string }) => m.id === other.membership)).toBe(false);
    // A cursor issued to one organization does not page another's.
    const page = await list("count=1&cursor=");
    expect(page.body.nextCursor).toEqual(expect.any(String));
    expect((await list(`count=1&cursor=${encodeURIComponent(page.body.nextCursor)}`, other.token)).status).toBe(400);
  });
});

describe("the same memberships through PATCH /Groups, /GroupMembers, /Bulk and /v1", () => {
  it("shows a member PATCH added as a membership, ends it when PATCH removes the member, and the group drops a member DELETE ended", async () => {
    const u = await newUser();
    const v = await newUser();
    const g = await newGroup();
    const patch = (op: object) => call("PATCH", `${s.scim}/Groups/${g}`, token, { schemas: [PATCH_SCHEMA], Operations: [op] });
    expect((await patch({ op: "add", path: "members", value: [{ value: u }, { value: v }] })).status).toBe(204);
    const ms = (await list(filter(`group.value eq "${g}"`))).body.Resources as { id: string; member: { value: string } }[];
    expect(ms.map((m) => m.member.value).sort()).toEqual([u, v].sort());
    const mu = ms.find((m) => m.member.value === u)!.id;
    const mv = ms.find((m) => m.member.value === v)!.id;
    expect((await patch({ op: "remove", path: `members[value eq "${u}"]` })).status).toBe(204);
    expect((await call("GET", `${s.scim}${GM}/${mu}`, token)).status).toBe(404);
    expect((await call("DELETE", `${s.scim}${GM}/${mv}`, token)).status).toBe(204);
    expect(await membersOf(g)).toEqual([]);
  });

  it("runs POST and DELETE of memberships in /Bulk, bulkId references included; PUT and PATCH of one answer 405 in their operation", async () => {
    const g = await newGroup();
    const v = await newUser();
    const m = (await post(g, v)).body.id as string;
    const r = await call("POST", `${s.scim}/Bulk`, token, {
      schemas: [BULK],
      Operations: [
        { method: "POST", path: "/Users", bulkId: "u", data: userBody(`${uniq("bulk")}@x.test`) },
        { method: "POST", path: GM, bulkId: "m", data: body(g, "bulkId:u") },
        { method: "DELETE", path: `${GM}/${m}` },
        { method: "PUT", path: `${GM}/${m}`, data: body(g, v) },
        { method: "PATCH", path: `${GM}/${m}`, data: { schemas: [PATCH_SCHEMA], Operations: [{ op: "remove", path: "member" }] } },
        { method: "POST", path: GM, bulkId: "dup", data: body(g, "bulkId:u") },
        { method: "POST", path: GM, bulkId: "theirs", data: body(other.group, v) },
      ],
    });
    expect(r.status).toBe(200);
    const ops = r.body.Operations as { status: string; location?: string; response?: { scimType?: string } }[];
    expect(ops.map((o) => o.status)).toEqual(["201", "201", "204", "405", "405", "409", "400"]);
    const made = ops[1]!.location!;
    expect(made).toMatch(new RegExp(`${GM}/GM[0-9a-f]{32}$`));
    const got = await call("GET", made, token);
    expect(got.body.group.value).toBe(g);
    expect(await membersOf(g)).toEqual([got.body.member.value]);
    expect(ops[6]!.response?.scimType).toBe("invalidValue");
  });

  it("ends a user's memberships when /v1 removes them from the organization", async () => {
    const u = await newUser();
    const g = await newGroup([u]);
    const m = (await list(filter(`group.value eq "${g}"`))).body.Resources[0].id as string;
    const r = await call("POST", `${s.url}/v1/Users/${u}/Remove`, token, { acknowledge: true }, { "content-type": "application/json" });
    expect(r.status).toBeLessThan(300);
    expect((await call("GET", `${s.scim}${GM}/${m}`, token)).status).toBe(404);
  });
});

describe("who may", () => {
  const standardToken = async () => {
    const u = await newUser();
    return (await issueToken(s.running.store, systemClock, { orgId, name: "std", scopes: ["scim", "admin"], userId: u })).plaintext;
  };

  it("refuses a Standard User's token every door (403), and changes nothing", async () => {
    const std = await standardToken();
    const u = await newUser();
    const g = await newGroup([u]);
    const m = (await list(filter(`group.value eq "${g}"`))).body.Resources[0].id as string;
    const v = await newUser();
    for (const r of [await list(filter(`group.value eq "${g}"`), std), await call("GET", `${s.scim}${GM}/${m}`, std), await post(g, v, std), await call("DELETE", `${s.scim}${GM}/${m}`, std)]) {
      expect(r.status).toBe(403);
    }
    const bulk = await call("POST", `${s.scim}/Bulk`, std, { schemas: [BULK], Operations: [{ method: "POST", path: GM, bulkId: "x", data: body(g, v) }, { method: "DELETE", path: `${GM}/${m}` }] });
    expect(bulk.body.Operations.map((o: { status: string }) => o.status)).toEqual(["403", "403"]);
    expect(await membersOf(g)).toEqual([u]);
  });

  it("lets an identity provider's token (scim scope only) manage plain groups, never grant Administrator or Owner by a membership, nor revoke Administrator", async () => {
    const idp = (await issueToken(s.running.store, systemClock, { orgId, name: "idp", scopes: ["scim"] })).plaintext;
    const u = await newUser();
    const g = await newGroup();
    expect((await post(g, u, idp)).status).toBe(201);
    for (const role of ["administrator", "owner"] as const) {
      const r = await post(orgRoleGroupId(orgId, role), u, idp);
      expect(r.status).toBe(403);
      expect((await s.running.store.users.get(orgId, u))?.orgRole).toBe("standard");
    }
    // An Administrator made by the admin token: the IdP may not end that membership.
    const a = await post(orgRoleGroupId(orgId, "administrator"), u);
    expect(a.status).toBe(201);
    expect((await s.running.store.users.get(orgId, u))?.orgRole).toBe("administrator");
    expect((await call("DELETE", `${s.scim}${GM}/${a.body.id}`, idp)).status).toBe(403);
    expect((await s.running.store.users.get(orgId, u))?.orgRole).toBe("administrator");
    // Ending it with the admin token makes them a Standard User again (a managed user holds one org role).
    expect((await call("DELETE", `${s.scim}${GM}/${a.body.id}`, token)).status).toBe(204);
    expect((await s.running.store.users.get(orgId, u))?.orgRole).toBe("standard");
  });

  it("keeps the built-in org-role groups' memberships out of reach while the organization does not expose them", async () => {
    const hidden = await s.newOrg({ domainEnforcement: false, exposeRoleGroups: false });
    const u = await newUser(hidden.token);
    const std = orgRoleGroupId(hidden.org.id, "standard");
    const stored = await s.running.store.groups.findMembership(hidden.org.id, std, u);
    expect(stored).not.toBeNull(); // the row exists: only its exposure is refused
    expect((await call("GET", `${s.scim}${GM}/${stored!.id}`, hidden.token)).status).toBe(404);
    expect((await call("DELETE", `${s.scim}${GM}/${stored!.id}`, hidden.token)).status).toBe(404);
    const r = await post(orgRoleGroupId(hidden.org.id, "administrator"), u, hidden.token);
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe("invalidValue");
    expect((await list(filter(`member.value eq "${u}"`), hidden.token)).body.totalResults).toBe(0);
    expect((await list(filter(`group.value eq "${std}"`), hidden.token)).body.totalResults).toBe(0);
    expect((await s.running.store.users.get(hidden.org.id, u))?.orgRole).toBe("standard");
  });
});

describe("discovery", () => {
  it("serves the GroupMember resource type and its schema, and a Group's membersMetadata.ref pages it", async () => {
    const rt = await call("GET", `${s.scim}/ResourceTypes/${GROUP_MEMBER.name}`, token);
    expect(rt.status).toBe(200);
    expect(rt.body).toMatchObject({ id: GROUP_MEMBER.name, name: GROUP_MEMBER.name, endpoint: GM, schema: GROUP_MEMBER.schema });
    const schema = await call("GET", `${s.scim}/Schemas/${GROUP_MEMBER.schema}`, token);
    expect(schema.status).toBe(200);
    expect(schema.body.attributes.map((a: { name: string }) => a.name)).toEqual(["group", "member"]);
    const u = await newUser();
    const g = await newGroup([u]);
    const ref = (await call("GET", `${s.scim}/Groups/${g}`, token)).body["urn:ietf:params:scim:schemas:extension:groupMembers:2.0:Group"].membersMetadata.ref as string;
    expect(ref).toBe(`${s.scim}${GM}?filter=${encodeURIComponent(`group.value eq "${g}"`)}`);
    const paged = await call("GET", ref, token);
    expect(paged.body.Resources.map((m: { member: { value: string } }) => m.member.value)).toEqual([u]);
  });
});
