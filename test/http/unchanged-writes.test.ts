/**
 * A write that changes nothing leaves the resource as it was (RFC 7644 §3.14, RFC 9110 §8.8.3: the
 * version changes when the resource does). It is answered as any write is (PATCH 204 with the
 * ETag, PUT 200 with the resource), but with the version and lastModified it had, and it leaves no
 * audit event and no SCIM event: identity providers re-send what they sent before (Entra adds
 * members who are there and removes members who are not, docs/idp-quirks.md), and each such replay
 * would otherwise make every client's cached ETag stale. It is still a write the policy is asked
 * about: a caller that may not make it is refused as before.
 */
import { people } from "../authz/people";
import { makeStream, type Stream } from "../events/helpers";
import { call, ORG_EXT, PATCH_SCHEMA, startTestServer, userBody, type Reply, type TestServer } from "../helpers/server";
import { orgRoleGroupId } from "../../src/domain/role-groups";

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
let s: TestServer;
let orgId: string;
let token: string;
let stream: Stream;
const userIds: string[] = [];
let serial = 0;

beforeAll(async () => {
  s = await startTestServer();
  const made = await s.newOrg({ domainEnforcement: false });
  orgId = made.org.id;
  token = made.token;
  stream = await makeStream(s, token, { delivery: "poll" });
  for (let i = 0; i < 4; i++) userIds.push((await call("POST", `${s.scim}/Users`, token, userBody(`same${i}@acme.test`))).body.id);
}, 60_000);
afterAll(() => s.close());

const patch = (kind: "Users" | "Groups", id: string, Operations: unknown[]) => call("PATCH", `${s.scim}/${kind}/${id}`, token, { schemas: [PATCH_SCHEMA], Operations });
const get = (kind: "Users" | "Groups", id: string) => call("GET", `${s.scim}/${kind}/${id}`, token);

/** What a write could leave behind: the resource's version and lastModified, audit events, SETs. */
async function trace(kind: "Users" | "Groups", id: string) {
  const r = await get(kind, id);
  expect(r.status).toBe(200);
  return {
    etag: r.headers.get("etag"),
    meta: r.body.meta as { version: string; lastModified: string },
    audit: (await s.running.store.audit.list(orgId, { limit: 10_000, targetId: id })).length,
    sets: (await s.running.store.events!.listEvents(orgId, stream.sid, 10_000)).length,
    body: r.body as Record<string, unknown>,
  };
}

/** Runs `write`, expects `status`, the ETag it answers to be the one before, and nothing else to have changed. */
async function changesNothing(kind: "Users" | "Groups", id: string, status: number, write: () => Promise<Reply>): Promise<Reply> {
  const before = await trace(kind, id);
  const r = await write();
  expect({ status: r.status, text: r.status === status ? "" : r.text }).toEqual({ status, text: "" });
  expect(r.headers.get("etag")).toBe(before.etag);
  const after = await trace(kind, id);
  expect(after).toEqual(before);
  return r;
}

const newGroup = async (name: string, members: string[]) => {
  const r = await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP], displayName: name, members: members.map((value) => ({ value })) });
  expect(r.status).toBe(201);
  return r.body as { id: string; meta: { version: string } };
};

describe("PATCH /Groups that changes nothing", () => {
  it.each([
    ["adding a member it has (standard form)", (u: string, _name: string) => [{ op: "add", path: "members", value: [{ value: u }] }]],
    ["adding a member it has (Entra form)", (u: string) => [{ op: "Add", path: "members", value: [{ $ref: null, value: u }] }]],
    ["removing a member it lacks (value filter)", () => [{ op: "remove", path: `members[value eq "${userIds[3]}"]` }]],
    ["removing a member it lacks (Entra's value array)", () => [{ op: "Remove", path: "members", value: [{ value: userIds[3] }] }]],
    ["replacing displayName with itself", (_u: string, name: string) => [{ op: "replace", path: "displayName", value: name }]],
    ["replacing members with the members it has", (u: string) => [{ op: "replace", path: "members", value: [{ value: userIds[1] }, { value: u }] }]],
  ])("answers 204 with the same ETag and leaves the group, the audit log and the event streams as they were: %s", async (_, ops) => {
    const name = `Unchanged ${serial++}`;
    const g = await newGroup(name, [userIds[0]!, userIds[1]!]);
    await changesNothing("Groups", g.id, 204, () => patch("Groups", g.id, ops(userIds[0]!, name)));
  });

  it("answers emptying an empty group the same way", async () => {
    const g = await newGroup("Empty already", []);
    await changesNothing("Groups", g.id, 204, () => patch("Groups", g.id, [{ op: "remove", path: "members" }]));
  });

  it("while a PATCH that changes one member of several still makes a new version, one audit event and one SET", async () => {
    const g = await newGroup("Changed", [userIds[0]!]);
    const before = await trace("Groups", g.id);
    const r = await patch("Groups", g.id, [{ op: "add", path: "members", value: [{ value: userIds[0] }, { value: userIds[2] }] }]);
    expect(r.status).toBe(204);
    const after = await trace("Groups", g.id);
    expect(r.headers.get("etag")).toBe(after.etag);
    expect(after.etag).not.toBe(before.etag);
    expect({ audit: after.audit, sets: after.sets }).toEqual({ audit: before.audit + 1, sets: before.sets + 1 });
  });
});

describe("PUT /Groups that changes nothing", () => {
  it("answers 200 with the group exactly as GET answers it", async () => {
    const g = await newGroup("Put unchanged", [userIds[0]!, userIds[1]!]);
    const read = await get("Groups", g.id);
    const r = await changesNothing("Groups", g.id, 200, () => call("PUT", `${s.scim}/Groups/${g.id}`, token, read.body));
    expect(r.body).toEqual(read.body);
  });
});

describe("PATCH and PUT /Users that change nothing", () => {
  it("answers a PATCH replacing displayName with its value 204 with the same ETag, and leaves the user as it was", async () => {
    const id = userIds[0]!;
    expect((await patch("Users", id, [{ op: "replace", path: "displayName", value: "Same Name" }])).status).toBe(204);
    await changesNothing("Users", id, 204, () => patch("Users", id, [{ op: "replace", path: "displayName", value: "Same Name" }]));
  });

  it("answers a second deactivation the same way (Entra's PATCH active false, sent again)", async () => {
    const id = userIds[2]!;
    const deactivate = [{ op: "Replace", path: "active", value: "False" }];
    expect((await patch("Users", id, deactivate)).status).toBe(204);
    await changesNothing("Users", id, 204, () => patch("Users", id, deactivate));
  });

  it("answers a PUT of what GET answered 200 with the user exactly as GET answers it", async () => {
    const id = userIds[1]!;
    const read = await get("Users", id);
    const r = await changesNothing("Users", id, 200, () => call("PUT", `${s.scim}/Users/${id}`, token, read.body));
    expect(r.body).toEqual(read.body);
  });

  it("answers a /Bulk PATCH that changes nothing with the version the user has", async () => {
    const id = userIds[0]!;
    const before = await trace("Users", id);
    const r = await call("POST", `${s.scim}/Bulk`, token, {
      schemas: [BULK],
      Operations: [{ method: "PATCH", path: `/Users/${id}`, data: { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "displayName", value: "Same Name" }] } }],
    });
    expect(r.status).toBe(200);
    expect(r.body.Operations[0]).toMatchObject({ status: "204", version: before.etag });
    expect(await trace("Users", id)).toEqual(before);
  });

  it("still makes a new version when something changes", async () => {
    const id = userIds[3]!;
    const before = await trace("Users", id);
    const r = await patch("Users", id, [{ op: "replace", path: "title", value: "Changed" }]);
    expect(r.status).toBe(204);
    const after = await trace("Users", id);
    expect(r.headers.get("etag")).toBe(after.etag);
    expect(after.etag).not.toBe(before.etag);
    expect(after.audit).toBe(before.audit + 1);
  });
});

describe("a write that would change nothing is still asked of the policy", () => {
  it("refuses a Standard User's token adding to the Administrator group a member it has, with its audit event", async () => {
    const p = await people(s);
    const std = await p.tokenFor(p.std, ["scim"]);
    const admins = orgRoleGroupId(p.orgId, "administrator");
    const before = (await p.refusals()).length;
    const r = await call("PATCH", `${s.scim}/Groups/${admins}`, std, { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: [{ value: p.admin }] }] });
    expect(r.status).toBe(403);
    expect((await p.refusals()).length).toBe(before + 1);
    expect((await call("GET", `${s.scim}/Users/${p.admin}`, p.operator)).body[ORG_EXT].orgRole).toBe("administrator");
  });
});
