/**
 * Issue 16, silent loss: a group with more members than SCIM_GROUP_MEMBERS_RETURNED is never
 * returned with part of its members as if they were all. Its `members` is omitted and
 * membersMetadata (draft-zollner-scim-group-members-01) says `external`, how many there are and
 * where to page them; a group within the limit says `inline` and lists them all.
 */
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";

const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
const GM = "urn:ietf:params:scim:schemas:extension:groupMembers:2.0:Group";
const LIMIT = 3;

let s: TestServer;
let token: string;
const users: string[] = [];

beforeAll(async () => {
  s = await startTestServer({ SCIM_GROUP_MEMBERS_RETURNED: String(LIMIT) });
  token = (await s.newOrg({ domainEnforcement: false })).token;
  for (let i = 0; i < 5; i++) users.push((await call("POST", `${s.scim}/Users`, token, userBody(`mm${i}-${Math.random().toString(36).slice(2)}@x.test`))).body.id);
});
afterAll(() => s.close());

const newGroup = async (members: string[]) => {
  const r = await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP_SCHEMA], displayName: `mm-${Math.random().toString(36).slice(2)}`, members: members.map((value) => ({ value })) });
  expect(r.status).toBe(201);
  return r.body as { id: string };
};

// The GroupMember resource's list, filtered on the group (draft-zollner-scim-group-members-01 §5.1).
const refOf = (id: string) => `${s.scim}/GroupMembers?filter=${encodeURIComponent(`group.value eq "${id}"`)}`;

describe("a group above SCIM_GROUP_MEMBERS_RETURNED", () => {
  it.each([
    ["GET with the default projection", ""],
    ["GET with attributes=members", "?attributes=members"],
    ["GET with attributes=displayName,members", "?attributes=displayName,members"],
  ])("%s: no members, membersMetadata external with the count and the ref", async (_, query) => {
    const g = await newGroup(users);
    const r = await call("GET", `${s.scim}/Groups/${g.id}${query}`, token);
    expect(r.status).toBe(200);
    expect(r.body.members).toBeUndefined();
    expect(r.body.schemas).toContain(GM);
    expect(r.body[GM]).toEqual({ membersMetadata: { policy: "external", ref: refOf(g.id), memberCount: 5 } });
  });

  it("in a list of groups and in a PUT's answer too", async () => {
    const g = await newGroup(users);
    const list = await call("GET", `${s.scim}/Groups?filter=${encodeURIComponent(`id eq "${g.id}"`)}`, token);
    expect(list.body.Resources[0].members).toBeUndefined();
    expect(list.body.Resources[0][GM].membersMetadata.policy).toBe("external");
    const current = (await call("GET", `${s.scim}/Groups/${g.id}`, token)).body;
    // A client that echoes the resource it read, membersMetadata included (readOnly: ignored).
    const put = await call("PUT", `${s.scim}/Groups/${g.id}`, token, { ...current, members: users.map((value) => ({ value })) });
    expect(put.status).toBe(200);
    expect(put.body[GM].membersMetadata).toMatchObject({ policy: "external", memberCount: 5 });
  });

  it("pages every member through the ref, none twice", async () => {
    const g = await newGroup(users);
    const ref = (await call("GET", `${s.scim}/Groups/${g.id}`, token)).body[GM].membersMetadata.ref as string;
    const seen: string[] = [];
    for (let start = 1; start <= 5; start += 2) {
      const page = await call("GET", `${ref}&startIndex=${start}&count=2`, token);
      expect(page.status).toBe(200);
      expect(page.body.totalResults).toBe(5);
      seen.push(...page.body.Resources.map((m: { member: { value: string } }) => m.member.value));
    }
    expect(seen.sort()).toEqual([...users].sort());
  });

  it("answers no membersMetadata (and reads no member) when members are excluded", async () => {
    const g = await newGroup(users);
    const r = await call("GET", `${s.scim}/Groups/${g.id}?excludedAttributes=members`, token);
    expect(r.body.members).toBeUndefined();
    expect(r.body[GM]).toBeUndefined();
  });
});

describe("a group within the limit", () => {
  it.each([[0], [1], [LIMIT]])("with %i members: every member, membersMetadata inline with the count", async (n) => {
    const g = await newGroup(users.slice(0, n));
    for (const query of ["", "?attributes=members"]) {
      const r = await call("GET", `${s.scim}/Groups/${g.id}${query}`, token);
      expect((r.body.members ?? []).map((m: { value: string }) => m.value).sort()).toEqual(users.slice(0, n).sort());
      expect(r.body[GM]).toEqual({ membersMetadata: { policy: "inline", ref: refOf(g.id), memberCount: n } });
    }
  });

  it("turns external when an add passes the limit, and inline again when a remove comes back under it", async () => {
    const g = await newGroup(users.slice(0, LIMIT));
    const patch = (op: string, value: string) => call("PATCH", `${s.scim}/Groups/${g.id}`, token, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [op === "add" ? { op, path: "members", value: [{ value }] } : { op, path: `members[value eq "${value}"]` }],
    });
    expect((await patch("add", users[4]!)).status).toBe(204);
    expect((await call("GET", `${s.scim}/Groups/${g.id}`, token)).body[GM].membersMetadata).toMatchObject({ policy: "external", memberCount: 4 });
    expect((await patch("remove", users[0]!)).status).toBe(204);
    const back = (await call("GET", `${s.scim}/Groups/${g.id}`, token)).body;
    expect(back[GM].membersMetadata).toMatchObject({ policy: "inline", memberCount: 3 });
    expect(back.members).toHaveLength(3);
  });
});

describe("discovery declares the extension", () => {
  it("lists it on the Group resource type and in /Schemas, readOnly", async () => {
    const rt = await call("GET", `${s.scim}/ResourceTypes/Group`, token);
    expect(rt.body.schemaExtensions).toContainEqual({ schema: GM, required: false });
    const schema = await call("GET", `${s.scim}/Schemas/${GM}`, token);
    expect(schema.status).toBe(200);
    expect(schema.body.attributes[0]).toMatchObject({ name: "membersMetadata", mutability: "readOnly" });
  });

  it("refuses a client's attempt to filter on it with 400, never a wrong answer", async () => {
    const r = await call("GET", `${s.scim}/Groups?filter=${encodeURIComponent(`${GM}:membersMetadata.policy eq "inline"`)}`, token);
    expect(r.status).toBe(400);
  });
});
