/** /scim/v2/Groups over real HTTP: CRUD, every IdP membership form, concurrency, cheap reads. */
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
let s: TestServer;
let token: string;
let other: string;
const userIds: string[] = [];

const patch = (id: string, Operations: unknown[]) => call("PATCH", `${s.scim}/Groups/${id}`, token, { schemas: [PATCH_SCHEMA], Operations });
const members = async (id: string) =>
  ((await call("GET", `${s.scim}/Groups/${id}`, token)).body.members ?? []).map((m: { value: string }) => m.value).sort();
const newGroup = async (name: string, memberIds: string[] = []) =>
  (await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP], displayName: name, members: memberIds.map((value) => ({ value })) })).body;

beforeAll(async () => {
  s = await startTestServer();
  token = (await s.newOrg({ domainEnforcement: false })).token;
  other = (await s.newOrg({ domainEnforcement: false })).token;
  for (let i = 0; i < 6; i++) userIds.push((await call("POST", `${s.scim}/Users`, token, userBody(`member${i}@acme.test`))).body.id);
});
afterAll(() => s.close());

describe("Groups CRUD", () => {
  it("creates a group with members: 201, Location, ETag", async () => {
    const r = await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP], displayName: "Engineering", members: [{ value: userIds[0] }] });
    expect(r.status).toBe(201);
    expect(r.headers.get("location")).toBe(`${s.scim}/Groups/${r.body.id}`);
    expect(r.body.members).toEqual([expect.objectContaining({ value: userIds[0], type: "User" })]);
  });

  it("answers 409 uniqueness for a displayName that differs only in case", async () => {
    await newGroup("Sales");
    const r = await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP], displayName: "SALES" });
    expect(r.status).toBe(409);
    expect(r.body.scimType).toBe("uniqueness");
  });

  it("accepts Entra's extra Microsoft schema URN in schemas", async () => {
    const r = await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"], displayName: "EntraGroup" });
    expect(r.status).toBe(201);
  });

  it("finds a group by displayName eq, as IdPs match", async () => {
    await newGroup("Findable");
    const r = await call("GET", `${s.scim}/Groups?filter=${encodeURIComponent('displayName eq "findable"')}&excludedAttributes=members`, token);
    expect(r.body.totalResults).toBe(1);
    expect(r.body.Resources[0].members).toBeUndefined();
  });

  it("filters groups by members.value", async () => {
    const g = await newGroup("HasMember", [userIds[5]!]);
    const r = await call("GET", `${s.scim}/Groups?filter=${encodeURIComponent(`members.value eq "${userIds[5]}"`)}`, token);
    const found = r.body.Resources.map((x: { id: string; displayName: string }) => x.displayName);
    // The user is also in the built-in Standard User group: that is their org role.
    expect(found.sort()).toEqual(["HasMember", "Standard User"]);
    expect(r.body.Resources.find((x: { id: string }) => x.id === g.id)).toBeDefined();
  });

  it("replaces with PUT, members included", async () => {
    const g = await newGroup("ToReplace", [userIds[0]!]);
    const r = await call("PUT", `${s.scim}/Groups/${g.id}`, token, { schemas: [GROUP], id: g.id, displayName: "Replaced", members: [{ value: userIds[1] }, { value: userIds[2] }] });
    expect(r.status).toBe(200);
    expect(r.body.displayName).toBe("Replaced");
    expect(await members(g.id)).toEqual([userIds[1], userIds[2]].sort());
  });

  it("deletes: 204, then 404", async () => {
    const g = await newGroup("ToDelete", [userIds[0]!]);
    expect((await call("DELETE", `${s.scim}/Groups/${g.id}`, token)).status).toBe(204);
    expect((await call("GET", `${s.scim}/Groups/${g.id}`, token)).status).toBe(404);
    expect((await call("GET", `${s.scim}/Users/${userIds[0]}`, token)).status).toBe(200);
  });

  it("shows a user's memberships in the readOnly groups attribute", async () => {
    const g = await newGroup("ShownOnUser", [userIds[4]!]);
    const u = await call("GET", `${s.scim}/Users/${userIds[4]}`, token);
    expect(u.body.groups).toEqual(expect.arrayContaining([expect.objectContaining({ value: g.id, display: "ShownOnUser" })]));
  });

  it("answers another organization's group id like an unknown one", async () => {
    const g = await newGroup("Private");
    expect((await call("GET", `${s.scim}/Groups/${g.id}`, other)).status).toBe(404);
    expect((await call("PATCH", `${s.scim}/Groups/${g.id}`, other, { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: [{ value: "x" }] }] })).status).toBe(404);
  });
});

describe("membership PATCH in every IdP form", () => {
  it("adds with the standard form and removes with a value filter", async () => {
    const g = await newGroup("Std");
    expect((await patch(g.id, [{ op: "add", path: "members", value: [{ value: userIds[0] }, { value: userIds[1] }] }])).status).toBe(204);
    await patch(g.id, [{ op: "remove", path: `members[value eq "${userIds[0]}"]` }]);
    expect(await members(g.id)).toEqual([userIds[1]]);
  });

  it("removes with Entra's value array and adds {\"$ref\":null,\"value\":...}", async () => {
    const g = await newGroup("Entra", [userIds[0]!, userIds[1]!]);
    await patch(g.id, [{ op: "Remove", path: "members", value: [{ value: userIds[0] }] }]);
    await patch(g.id, [{ op: "Add", path: "members", value: [{ $ref: null, value: userIds[2] }] }]);
    expect(await members(g.id)).toEqual([userIds[1], userIds[2]].sort());
  });

  it("takes Okta's remove plus add in one request, with the rename Okta sends", async () => {
    const g = await newGroup("Okta", [userIds[0]!]);
    const r = await patch(g.id, [
      { op: "replace", value: { id: g.id, displayName: "Okta Renamed" } },
      { op: "remove", path: `members[value eq "${userIds[0]}"]` },
      { op: "add", path: "members", value: [{ value: userIds[3], display: "x" }] },
    ]);
    expect(r.status).toBe(204);
    expect(await members(g.id)).toEqual([userIds[3]]);
    expect((await call("GET", `${s.scim}/Groups/${g.id}`, token)).body.displayName).toBe("Okta Renamed");
  });

  it("replaces members with the list given (the documented policy: replace means the whole list)", async () => {
    const g = await newGroup("ReplaceAll", [userIds[0]!, userIds[1]!]);
    await patch(g.id, [{ op: "replace", path: "members", value: [{ value: userIds[2] }] }]);
    expect(await members(g.id)).toEqual([userIds[2]]);
  });

  it("removes every member with remove members", async () => {
    const g = await newGroup("Emptied", [userIds[0]!, userIds[1]!]);
    await patch(g.id, [{ op: "remove", path: "members" }]);
    expect(await members(g.id)).toEqual([]);
  });

  it("is idempotent: the same add three times leaves one membership", async () => {
    const g = await newGroup("Replay");
    for (let i = 0; i < 3; i++) await patch(g.id, [{ op: "add", path: "members", value: [{ value: userIds[0] }] }]);
    expect(await members(g.id)).toEqual([userIds[0]]);
  });

  it("refuses a member of another organization with 400 invalidValue and changes nothing", async () => {
    const g = await newGroup("Foreign", [userIds[0]!]);
    const foreignUser = (await call("POST", `${s.scim}/Users`, other, userBody("foreign@b.test"))).body.id;
    const r = await patch(g.id, [{ op: "add", path: "members", value: [{ value: userIds[1] }, { value: foreignUser }] }]);
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe("invalidValue");
    expect(await members(g.id)).toEqual([userIds[0]]);
  });

  it("keeps all 200 members when 200 adds race on one group", async () => {
    const many: string[] = [];
    for (let i = 0; i < 200; i++) many.push((await call("POST", `${s.scim}/Users`, token, userBody(`racer${i}@acme.test`))).body.id);
    const g = await newGroup("Raced");
    const replies = await Promise.all(many.map((id, i) => patch(g.id, i % 2 === 0
      ? [{ op: "add", path: "members", value: [{ value: id }] }]
      : [{ op: "Add", path: "members", value: [{ $ref: null, value: id }] }])));
    expect(replies.every((r) => r.status === 204)).toBe(true);
    const r = await call("GET", `${s.scim}/Groups/${g.id}`, token);
    expect(r.body.members).toHaveLength(200);
    expect(r.body.meta.version).toBe('W/"201"');
  });
});

describe("reading the members of a large group", () => {
  it("pages a group's members through GET /Users?filter=groups.value eq \"<id>\"", async () => {
    const g = await newGroup("Paged", userIds.slice(0, 5));
    const page1 = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent(`groups.value eq "${g.id}"`)}&startIndex=1&count=2`, token);
    expect(page1.body.totalResults).toBe(5);
    expect(page1.body.Resources).toHaveLength(2);
    const page3 = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent(`groups.value eq "${g.id}"`)}&startIndex=5&count=2`, token);
    expect(page3.body.Resources).toHaveLength(1);
  });
});

describe("POST /.search at the root", () => {
  it("searches Users and Groups together, totals added up", async () => {
    const r = await call("POST", `${s.scim}/.search`, token, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], filter: 'displayName sw "Eng"', count: 10,
    });
    expect(r.status).toBe(200);
    const types = r.body.Resources.map((x: { meta: { resourceType: string } }) => x.meta.resourceType);
    expect(types).toContain("Group");
    expect(r.body.totalResults).toBe(r.body.Resources.length);
  });

  it("lets a filter on a User-only attribute match Users only", async () => {
    const r = await call("POST", `${s.scim}/.search`, token, { filter: 'userName eq "member1@acme.test"' });
    expect(r.body.totalResults).toBe(1);
    expect(r.body.Resources[0].meta.resourceType).toBe("User");
  });

  it("answers 400 when no resource type knows the attribute", async () => {
    const r = await call("POST", `${s.scim}/.search`, token, { filter: 'nosuch eq "x"' });
    expect(r.status).toBe(400);
  });

  it("takes excludedAttributes and attributes that exist on one of the searched types (RFC 7644 §3.4.3)", async () => {
    const excluded = await call("POST", `${s.scim}/.search`, token, { filter: 'userName eq "member1@acme.test"', excludedAttributes: ["name"] });
    expect(excluded.status).toBe(200);
    expect(excluded.body.Resources[0].userName).toBe("member1@acme.test");
    expect(excluded.body.Resources[0].name).toBeUndefined();
    await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP], displayName: "Root search", members: [{ value: userIds[0] }] });
    const only = await call("POST", `${s.scim}/.search`, token, { filter: 'displayName eq "Root search"', attributes: ["members", "userName"] });
    expect(only.status).toBe(200);
    expect(only.body.Resources).toHaveLength(1);
    // membersMetadata comes with members whenever they are asked for (it says whether they are all there).
    expect(Object.keys(only.body.Resources[0]).sort()).toEqual(["id", "members", "schemas", "urn:ietf:params:scim:schemas:extension:groupMembers:2.0:Group"]);
    const unknown = await call("POST", `${s.scim}/.search`, token, { filter: 'displayName eq "Root search"', attributes: ["nosuch"] });
    expect([unknown.status, unknown.body.scimType]).toEqual([400, "invalidValue"]);
  });
});

describe("attributes naming a whole extension by its URN", () => {
  const ORG_GROUP = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group";
  const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

  it("returns the extension alone with id and schemas, on a user and on a list", async () => {
    const u = await call("POST", `${s.scim}/Users`, token, userBody("urn-attrs@acme.test", { [ENT]: { department: "R&D" } }));
    const one = await call("GET", `${s.scim}/Users/${u.body.id}?attributes=${ENT}`, token);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ id: u.body.id, schemas: u.body.schemas, [ENT]: { department: "R&D" } });
    const list = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent('userName eq "urn-attrs@acme.test"')}&excludedAttributes=${ENT}`, token);
    expect(list.body.Resources[0][ENT]).toBeUndefined();
    expect(list.body.Resources[0].userName).toBe("urn-attrs@acme.test");
  });

  it("returns a group's extension without reading its members", async () => {
    const g = await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP], displayName: "Urn attrs" });
    const r = await call("GET", `${s.scim}/Groups/${g.body.id}?attributes=${ORG_GROUP}`, token);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual([ORG_GROUP, "id", "schemas"].sort());
  });
});
