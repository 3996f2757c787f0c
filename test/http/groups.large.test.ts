/**
 * A large group read in full (GET /Groups/{id} with the default projection) is read from the
 * store and written in pages of 2,000 members: the body must be exactly what the one-piece
 * rendering gives.
 */
import { call, startTestServer, USER_SCHEMA, type TestServer } from "../helpers/server";

const BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
const MEMBERS = 4_500;

let s: TestServer;
let token: string;
let groupId: string;
let ids: string[];
beforeAll(async () => {
  s = await startTestServer({ SCIM_GROUP_MEMBERS_RETURNED: "10000" });
  ({ token } = await s.newOrg({ domainEnforcement: false }));
  ids = [];
  for (let from = 0; from < MEMBERS; from += 1000) {
    const Operations = Array.from({ length: Math.min(1000, MEMBERS - from) }, (_, k) => {
      const i = from + k;
      return { method: "POST", path: "/Users", bulkId: `u${i}`, data: { schemas: [USER_SCHEMA], userName: `big${i}@example.com`, displayName: `Big "${i}" \\ Member`, emails: [{ value: `big${i}@example.com`, primary: true }] } };
    });
    const r = await call("POST", `${s.scim}/Bulk`, token, { schemas: [BULK_REQUEST], Operations });
    expect(r.status).toBe(200);
    for (const op of r.body.Operations) ids.push(String(op.location).split("/").pop()!);
  }
  const g = await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP_SCHEMA], displayName: "Everyone", externalId: "ext-everyone" });
  groupId = g.body.id;
  for (let from = 0; from < ids.length; from += 1000) {
    const r = await call("PATCH", `${s.scim}/Groups/${groupId}`, token, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "add", path: "members", value: ids.slice(from, from + 1000).map((value) => ({ value })) }],
    });
    expect(r.status).toBe(204);
  }
}, 180_000); // 10,000 users and memberships: ~10 s quiet, over 60 s in a fresh-clone CI on a loaded machine
afterAll(() => s.close());

describe("reading a large group in full", () => {
  it("answers every member once, with value, display, $ref and type, and the group's other attributes", async () => {
    const r = await call("GET", `${s.scim}/Groups/${groupId}`, token);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^application\/scim\+json/);
    expect(r.headers.get("etag")).toBe(r.body.meta.version);
    expect(r.body.members).toHaveLength(MEMBERS);
    expect(new Set(r.body.members.map((m: { value: string }) => m.value))).toEqual(new Set(ids));
    const one = r.body.members.find((m: { value: string }) => m.value === ids[7]);
    expect(one).toEqual({ value: ids[7], display: 'Big "7" \\ Member', $ref: `${s.scim}/Users/${ids[7]}`, type: "User" });

    // Everything but the members (and membersMetadata, which comes with them) is what the
    // unstreamed rendering answers.
    const GM = "urn:ietf:params:scim:schemas:extension:groupMembers:2.0:Group";
    expect(r.body[GM].membersMetadata).toMatchObject({ policy: "inline", memberCount: MEMBERS });
    const without = await call("GET", `${s.scim}/Groups/${groupId}?excludedAttributes=members`, token);
    const { members: _members, [GM]: _metadata, ...rest } = r.body;
    expect({ ...rest, schemas: rest.schemas.filter((u: string) => u !== GM) }).toEqual(without.body);
  });

  it("shows a member's new displayName once the user is renamed", async () => {
    const r = await call("PATCH", `${s.scim}/Users/${ids[4_321]}`, token, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "replace", path: "displayName", value: "Renamed Member" }],
    });
    expect(r.status).toBe(204);
    const full = await call("GET", `${s.scim}/Groups/${groupId}`, token);
    expect(full.body.members.find((m: { value: string }) => m.value === ids[4_321]).display).toBe("Renamed Member");
  });

  it("answers the same members whether streamed or projected", async () => {
    const full = await call("GET", `${s.scim}/Groups/${groupId}`, token);
    const projected = await call("GET", `${s.scim}/Groups/${groupId}?attributes=members`, token);
    expect(projected.body.members).toEqual(full.body.members);
  });
});
