/** /scim/v2/Bulk over real HTTP (RFC 7644 §3.7): the RFC's own examples, bulkId references, limits, per-operation errors. */
import { loadConfig } from "../../src/config/config";
import { call, ORG_EXT, PATCH_SCHEMA, startTestServer, USER_SCHEMA, userBody, type Reply, type TestServer } from "../helpers/server";

const BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const BULK_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const bulk = (token: string, Operations: unknown[], extra: Record<string, unknown> = {}) =>
  call("POST", `${s.scim}/Bulk`, token, { schemas: [BULK_REQUEST], ...extra, Operations });
const newOrg = () => s.newOrg({ domainEnforcement: false });
const createUser = async (token: string, userName: string) => (await call("POST", `${s.scim}/Users`, token, userBody(userName))).body;
const idOf = (location: string) => location.slice(location.lastIndexOf("/") + 1);
/** Each operation's status and error detail (an Error body holds no numeric code: RFC 7644 §3.12). */
const outcomes = (r: Reply) => r.body.Operations.map((o: { status: string; response?: { detail: string } }) => [o.status, o.response?.detail]);

describe("discovery", () => {
  it("advertises bulk as supported, with maxOperations and maxPayloadSize in bytes", async () => {
    const { token } = await newOrg();
    const r = await call("GET", `${s.scim}/ServiceProviderConfig`, token);
    expect(r.body.bulk).toEqual({ supported: true, maxOperations: 1000, maxPayloadSize: 10 * 1024 * 1024 });
  });
});

describe("configuration", () => {
  it("reads SCIM_BULK_MAX_PAYLOAD as a size in bytes and SCIM_BULK_MAX_OPERATIONS as a count, refusing other values", () => {
    expect(loadConfig({})).toMatchObject({ SCIM_BULK_MAX_OPERATIONS: 1000, SCIM_BULK_MAX_PAYLOAD: 10 * 1024 * 1024 });
    expect(loadConfig({ SCIM_BULK_MAX_PAYLOAD: "512kb", SCIM_BULK_MAX_OPERATIONS: "50" })).toMatchObject({ SCIM_BULK_MAX_OPERATIONS: 50, SCIM_BULK_MAX_PAYLOAD: 512 * 1024 });
    expect(loadConfig({ SCIM_BULK_MAX_PAYLOAD: "2048" }).SCIM_BULK_MAX_PAYLOAD).toBe(2048);
    expect(() => loadConfig({ SCIM_BULK_MAX_PAYLOAD: "ten megs" })).toThrow(/SCIM_BULK_MAX_PAYLOAD/);
    expect(() => loadConfig({ SCIM_BULK_MAX_OPERATIONS: "0" })).toThrow(/SCIM_BULK_MAX_OPERATIONS/);
  });
});

describe("RFC 7644 §3.7.2 and §3.7.3: the request example and its response", () => {
  it("runs POST, PUT, PATCH and DELETE in one request and answers each with location, version and status", async () => {
    const { token } = await newOrg();
    const bob = await createUser(token, "bob@example.com");
    const dave = await createUser(token, "dave-to-be@example.com");
    const gone = await createUser(token, "gone@example.com");
    const r = await bulk(token, [
      { method: "POST", path: "/Users", bulkId: "qwerty", data: { schemas: [USER_SCHEMA], userName: "Alice" } },
      { method: "PUT", path: `/Users/${bob.id}`, version: bob.meta.version, data: { schemas: [USER_SCHEMA], id: bob.id, userName: "Bob" } },
      { method: "PATCH", path: `/Users/${dave.id}`, version: dave.meta.version, data: { schemas: [PATCH_SCHEMA], Operations: [{ op: "remove", path: "nickName" }, { op: "replace", path: "userName", value: "Dave" }] } },
      { method: "DELETE", path: `/Users/${gone.id}`, version: gone.meta.version },
    ], { failOnErrors: 1 });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("application/scim+json");
    expect(r.body.schemas).toEqual([BULK_RESPONSE]);
    const [post, put, patch, del] = r.body.Operations;
    expect(post).toEqual({ location: expect.stringMatching(new RegExp(`^${s.scim}/Users/US[0-9a-f]{32}$`)), method: "POST", bulkId: "qwerty", version: 'W/"1"', status: "201" });
    expect(put).toEqual({ location: `${s.scim}/Users/${bob.id}`, method: "PUT", version: 'W/"2"', status: "200" });
    // A PATCH answers 204 in bulk as it does alone (RFC 7644 §3.5.2), with the new version.
    expect(patch).toEqual({ location: `${s.scim}/Users/${dave.id}`, method: "PATCH", version: 'W/"2"', status: "204" });
    expect(del).toEqual({ location: `${s.scim}/Users/${gone.id}`, method: "DELETE", status: "204" });
    expect((await call("GET", post.location, token)).body.userName).toBe("Alice");
    expect((await call("GET", `${s.scim}/Users/${bob.id}`, token)).body.userName).toBe("Bob");
    expect((await call("GET", `${s.scim}/Users/${dave.id}`, token)).body.userName).toBe("Dave");
    expect((await call("GET", `${s.scim}/Users/${gone.id}`, token)).status).toBe(404);
  });
});

describe("RFC 7644 §3.7.2: bulkId temporary identifiers", () => {
  it("resolves bulkId:qwerty in a group's members to the user the same request created", async () => {
    const { token } = await newOrg();
    const r = await bulk(token, [
      { method: "POST", path: "/Users", bulkId: "qwerty", data: { schemas: [USER_SCHEMA], userName: "Alice" } },
      { method: "POST", path: "/Groups", bulkId: "ytrewq", data: { schemas: [GROUP], displayName: "Tour Guides", members: [{ type: "User", value: "bulkId:qwerty" }] } },
    ]);
    expect(r.body.Operations.map((o: { status: string }) => o.status)).toEqual(["201", "201"]);
    const group = await call("GET", r.body.Operations[1].location, token);
    expect(group.body.members).toEqual([expect.objectContaining({ value: idOf(r.body.Operations[0].location), display: "Alice" })]);
  });

  it("resolves a forward reference: the group comes first and waits for the user it names", async () => {
    const { token } = await newOrg();
    const r = await bulk(token, [
      { method: "POST", path: "/Groups", bulkId: "ytrewq", data: { schemas: [GROUP], displayName: "Tour Guides", members: [{ type: "User", value: "bulkId:qwerty" }] } },
      { method: "POST", path: "/Users", bulkId: "qwerty", data: { schemas: [USER_SCHEMA], userName: "Alice" } },
    ]);
    // The response lists the operations in request order.
    expect(r.body.Operations.map((o: { bulkId: string; status: string }) => [o.bulkId, o.status])).toEqual([["ytrewq", "201"], ["qwerty", "201"]]);
    const members = (await call("GET", r.body.Operations[0].location, token)).body.members;
    expect(members.map((m: { value: string }) => m.value)).toEqual([idOf(r.body.Operations[1].location)]);
  });

  it("resolves bulkId in an extension's reference: the enterprise manager", async () => {
    const { token } = await newOrg();
    const r = await bulk(token, [
      { method: "POST", path: "/Users", bulkId: "qwerty", data: { schemas: [USER_SCHEMA], userName: "Alice" } },
      {
        method: "POST", path: "/Users", bulkId: "ytrewq",
        data: { schemas: [USER_SCHEMA, ENTERPRISE], userName: "Bob", [ENTERPRISE]: { employeeNumber: "11250", manager: { value: "bulkId:qwerty" } } },
      },
    ]);
    const bob = await call("GET", r.body.Operations[1].location, token);
    expect(bob.body[ENTERPRISE].manager.value).toBe(idOf(r.body.Operations[0].location));
  });

  it("resolves bulkId in a path and in a PATCH member value", async () => {
    const { token } = await newOrg();
    const r = await bulk(token, [
      { method: "POST", path: "/Groups", bulkId: "g", data: { schemas: [GROUP], displayName: "Patched Later" } },
      { method: "POST", path: "/Users", bulkId: "u", data: { schemas: [USER_SCHEMA], userName: "carol" } },
      { method: "PATCH", path: "/Groups/bulkId:g", data: { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: [{ value: "bulkId:u" }] }] } },
      { method: "PATCH", path: "/Users/bulkId:u", data: { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "displayName", value: "Carol C" }] } },
    ]);
    expect(r.body.Operations.map((o: { status: string }) => o.status)).toEqual(["201", "201", "204", "204"]);
    expect(r.body.Operations[2].location).toBe(r.body.Operations[0].location);
    const group = await call("GET", r.body.Operations[0].location, token);
    expect(group.body.members.map((m: { display: string }) => m.display)).toEqual(["Carol C"]);
  });

  it("resolves a bulkId quoted in a PATCH path filter", async () => {
    const { token } = await newOrg();
    const g = (await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP], displayName: "Filtered" })).body;
    const r = await bulk(token, [
      { method: "POST", path: "/Users", bulkId: "u", data: { schemas: [USER_SCHEMA], userName: "dora" } },
      { method: "PATCH", path: `/Groups/${g.id}`, data: { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "members", value: [{ value: "bulkId:u" }] }] } },
      { method: "PATCH", path: `/Groups/${g.id}`, data: { schemas: [PATCH_SCHEMA], Operations: [{ op: "remove", path: 'members[value eq "bulkId:u"]' }] } },
    ]);
    expect(r.body.Operations.map((o: { status: string }) => o.status)).toEqual(["201", "204", "204"]);
    expect((await call("GET", `${s.scim}/Groups/${g.id}`, token)).body.members).toEqual([]);
  });
});

describe("RFC 7644 §3.7.1: circular references", () => {
  it("answers 409 for each operation of a cycle and creates neither group", async () => {
    const { token } = await newOrg();
    const r = await bulk(token, [
      { method: "POST", path: "/Groups", bulkId: "qwerty", data: { schemas: [GROUP], displayName: "Group A", members: [{ type: "Group", value: "bulkId:ytrewq" }] } },
      { method: "POST", path: "/Groups", bulkId: "ytrewq", data: { schemas: [GROUP], displayName: "Group B", members: [{ type: "Group", value: "bulkId:qwerty" }] } },
    ]);
    expect(r.status).toBe(200);
    for (const [i, op] of r.body.Operations.entries()) {
      expect(op).toEqual({
        method: "POST", bulkId: ["qwerty", "ytrewq"][i], status: "409",
        response: { schemas: [ERROR], status: "409", detail: expect.stringContaining("cycle") },
      });
    }
    const list = await call("GET", `${s.scim}/Groups?filter=${encodeURIComponent('displayName sw "Group"')}`, token);
    expect(list.body.totalResults).toBe(0);
  });

  it("answers 409 for an operation that references its own bulkId, and 409 for one that depends on a cycle", async () => {
    const { token } = await newOrg();
    const r = await bulk(token, [
      { method: "POST", path: "/Users", bulkId: "self", data: { schemas: [USER_SCHEMA, ENTERPRISE], userName: "selfish", [ENTERPRISE]: { manager: { value: "bulkId:self" } } } },
      { method: "POST", path: "/Groups", bulkId: "after", data: { schemas: [GROUP], displayName: "After", members: [{ value: "bulkId:self" }] } },
      { method: "POST", path: "/Users", bulkId: "free", data: { schemas: [USER_SCHEMA], userName: "unrelated" } },
    ]);
    expect(outcomes(r)).toEqual([["409", expect.stringContaining("in a cycle")], ["409", expect.stringContaining("refers to an operation that failed")], ["201", undefined]]);
  });
});

describe("RFC 7644 §3.7.3: errors and failOnErrors", () => {
  it("stops at the first error with failOnErrors 1 and answers the error with the results so far", async () => {
    const { token } = await newOrg();
    const r = await bulk(token, [
      { method: "POST", path: "/Users", bulkId: "qwerty", data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Nothing"], userName: "Alice" } },
      { method: "POST", path: "/Users", bulkId: "never", data: { schemas: [USER_SCHEMA], userName: "never-created" } },
    ], { failOnErrors: 1 });
    expect(r.status).toBe(200);
    expect(r.body.Operations).toEqual([{
      method: "POST", bulkId: "qwerty", status: "400",
      response: { schemas: [ERROR], scimType: "invalidSyntax", detail: expect.stringContaining("must include urn:ietf:params:scim:schemas:core:2.0:User"), status: "400" },
    }]);
    const list = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent('userName eq "never-created"')}`, token);
    expect(list.body.totalResults).toBe(0);
  });

  it("goes on past every error without failOnErrors: 400, 412, 412 and 404, with locations except for the POST", async () => {
    const { token } = await newOrg();
    const bob = await createUser(token, "bob@example.com");
    const dave = await createUser(token, "dave@example.com");
    await call("PATCH", `${s.scim}/Users/${bob.id}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "displayName", value: "B" }] });
    await call("PATCH", `${s.scim}/Users/${dave.id}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "displayName", value: "D" }] });
    const missing = "US0123456789abcdef0123456789abcdef";
    const r = await bulk(token, [
      { method: "POST", path: "/Users", bulkId: "qwerty", data: { schemas: ["urn:wrong"], userName: "Alice" } },
      { method: "PUT", path: `/Users/${bob.id}`, version: 'W/"1"', data: { schemas: [USER_SCHEMA], userName: "Bob" } },
      { method: "PATCH", path: `/Users/${dave.id}`, version: 'W/"1"', data: { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "userName", value: "Dave" }] } },
      { method: "DELETE", path: `/Users/${missing}`, version: 'W/"1"' },
    ]);
    expect(r.body.Operations.map((o: Record<string, unknown>) => [o.method, o.status, o.location, (o.response as { scimType?: string }).scimType])).toEqual([
      ["POST", "400", undefined, "invalidSyntax"],
      ["PUT", "412", `${s.scim}/Users/${bob.id}`, "invalidVers"],
      ["PATCH", "412", `${s.scim}/Users/${dave.id}`, "invalidVers"],
      ["DELETE", "404", `${s.scim}/Users/${missing}`, undefined],
    ]);
    expect((await call("GET", `${s.scim}/Users/${bob.id}`, token)).body.userName).toBe("bob@example.com");
  });

  it("stops after failOnErrors errors, leaving the operations before it applied and the ones after it unrun", async () => {
    const { token } = await newOrg();
    const r = await bulk(token, [
      { method: "POST", path: "/Users", bulkId: "a", data: { schemas: [USER_SCHEMA], userName: "first" } },
      { method: "POST", path: "/Users", bulkId: "b", data: { schemas: [USER_SCHEMA], userName: "FIRST" } },
      { method: "POST", path: "/Users", bulkId: "c", data: { schemas: [USER_SCHEMA], userName: "second" } },
      { method: "POST", path: "/Users", bulkId: "d", data: { schemas: [USER_SCHEMA] } },
      { method: "POST", path: "/Users", bulkId: "e", data: { schemas: [USER_SCHEMA], userName: "never" } },
    ], { failOnErrors: 2 });
    expect(r.body.Operations.map((o: { bulkId: string; status: string }) => `${o.bulkId}:${o.status}`)).toEqual(["a:201", "b:409", "c:201", "d:400"]);
    expect((await call("GET", `${s.scim}/Users?filter=${encodeURIComponent('userName eq "never"')}`, token)).body.totalResults).toBe(0);
  });
});

describe("RFC 7644 §3.7.4: maxOperations and maxPayloadSize", () => {
  it("answers 413 tooMany for more operations than maxOperations, and runs none of them", async () => {
    const { token } = await newOrg();
    const ops = Array.from({ length: 1001 }, (_, i) => ({ method: "POST", path: "/Users", bulkId: `b${i}`, data: { schemas: [USER_SCHEMA], userName: `many${i}` } }));
    const r = await bulk(token, ops);
    expect(r.status).toBe(413);
    expect(r.body).toEqual({ schemas: [ERROR], status: "413", scimType: "tooMany", detail: expect.stringContaining("at most 1000") });
    expect(r.headers.get("x-orgscim-error-code")).toBe("8001");
    expect((await call("GET", `${s.scim}/Users?filter=${encodeURIComponent('userName sw "many"')}`, token)).body.totalResults).toBe(0);
  });

  it("answers 413 naming maxPayloadSize for a body over it, and runs nothing", async () => {
    const { token } = await newOrg();
    const big = "x".repeat(10 * 1024 * 1024);
    const r = await bulk(token, [{ method: "POST", path: "/Users", bulkId: "big", data: { schemas: [USER_SCHEMA], userName: "big", nickName: big } }]);
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ schemas: [ERROR], status: "413" });
    expect(r.headers.get("x-orgscim-error-code")).toBe("8002");
    expect(r.body.detail).toContain("maxPayloadSize (10485760 bytes");
  });

  it("accepts a bulk body larger than BODY_LIMIT, which still applies to the other endpoints", async () => {
    const { token } = await newOrg();
    const pad = "p".repeat(1024);
    const ops = Array.from({ length: 1200 }, (_, i) => ({ method: "POST", path: "/Users", bulkId: `p${i}`, data: { schemas: [USER_SCHEMA], userName: `padded${i}`, nickName: pad } }));
    const r = await bulk(token, ops);
    expect(r.status).toBe(413); // 1200 > maxOperations: trim to the limit
    const within = await bulk(token, ops.slice(0, 1000));
    expect(JSON.stringify(ops.slice(0, 1000)).length).toBeGreaterThan(1024 * 1024);
    expect(within.status).toBe(200);
    expect(within.body.Operations.every((o: { status: string }) => o.status === "201")).toBe(true);
    const single = await call("POST", `${s.scim}/Users`, token, userBody("too-big@example.com", { nickName: "q".repeat(1100 * 1024) }));
    expect(single.status).toBe(413);
  });
});

describe("each operation is its single request", () => {
  it("applies the same rules: userName uniqueness (409) and domain enforcement (400) per operation", async () => {
    const { org, token } = await s.newOrg();
    await s.verifyDomain(org.id, "bulk-verified.test");
    const r = await bulk(token, [
      { method: "POST", path: "/Users", bulkId: "ok", data: userBody("ann@bulk-verified.test") },
      { method: "POST", path: "/Users", bulkId: "dup", data: userBody("ANN@bulk-verified.test") },
      { method: "POST", path: "/Users", bulkId: "dom", data: userBody("ann@unverified.test") },
    ]);
    expect(outcomes(r)).toEqual([["201", undefined], ["409", expect.stringContaining("already in use")], ["400", expect.stringContaining("not verified")]]);
  });

  it("applies the same authorization: a scim-scope token cannot grant Administrator (403), and the refusal is audited", async () => {
    const o = await s.newOrg({ domainEnforcement: false }, ["scim"]);
    const r = await bulk(o.token, [
      { method: "POST", path: "/Users", bulkId: "adm", data: userBody("boss@example.com", { [ORG_EXT]: { orgRole: "administrator" } }) },
    ]);
    expect(r.body.Operations[0]).toMatchObject({ status: "403", response: { status: "403", detail: expect.stringContaining("may not grant the Administrator org role") } });
    expect((await s.running.store.audit.list(o.org.id, { limit: 1 }))[0]).toMatchObject({ outcome: "refused", action: "user.create" });
  });

  it("leaves one audit event per operation, with the token as actor", async () => {
    const o = await newOrg();
    await bulk(o.token, [
      { method: "POST", path: "/Users", bulkId: "u1", data: { schemas: [USER_SCHEMA], userName: "audited1" } },
      { method: "POST", path: "/Users", bulkId: "u2", data: { schemas: [USER_SCHEMA], userName: "audited2" } },
      { method: "POST", path: "/Groups", bulkId: "g", data: { schemas: [GROUP], displayName: "Audited", members: [{ value: "bulkId:u1" }, { value: "bulkId:u2" }] } },
    ]);
    const events = await s.running.store.audit.list(o.org.id, { limit: 3 });
    expect(events.map((e) => e.action).sort()).toEqual(["group.create", "user.create", "user.create"]);
    expect(new Set(events.map((e) => e.actor)).size).toBe(1);
  });

  it("replaces a group's members with PUT and deletes a group with DELETE", async () => {
    const { token } = await newOrg();
    const a = await createUser(token, "a@example.com");
    const b = await createUser(token, "b@example.com");
    const g = (await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP], displayName: "Swap", members: [{ value: a.id }] })).body;
    const d = (await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP], displayName: "Drop" })).body;
    const r = await bulk(token, [
      { method: "PUT", path: `/Groups/${g.id}`, version: g.meta.version, data: { schemas: [GROUP], displayName: "Swapped", members: [{ value: b.id }] } },
      { method: "DELETE", path: `/Groups/${d.id}` },
    ]);
    expect(r.body.Operations).toEqual([
      { location: `${s.scim}/Groups/${g.id}`, method: "PUT", version: expect.stringMatching(/^W\/"\d+"$/), status: "200" },
      { location: `${s.scim}/Groups/${d.id}`, method: "DELETE", status: "204" },
    ]);
    const after = (await call("GET", `${s.scim}/Groups/${g.id}`, token)).body;
    expect([after.displayName, after.members.map((m: { value: string }) => m.value)]).toEqual(["Swapped", [b.id]]);
    expect((await call("GET", `${s.scim}/Groups/${d.id}`, token)).status).toBe(404);
  });

  it("fails an operation whose member is unknown, and the operations that reference a failed one", async () => {
    const { token } = await newOrg();
    const r = await bulk(token, [
      { method: "POST", path: "/Groups", bulkId: "bad", data: { schemas: [GROUP], displayName: "Bad", members: [{ value: "US00000000000000000000000000000000" }] } },
      { method: "PATCH", path: "/Groups/bulkId:bad", data: { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "displayName", value: "Never" }] } },
      { method: "POST", path: "/Groups", bulkId: "ghost", data: { schemas: [GROUP], displayName: "Ghost", members: [{ value: "bulkId:nobody" }] } },
    ]);
    expect(outcomes(r)).toEqual([
      ["400", expect.stringContaining("No user with id")],
      ["409", expect.stringContaining("refers to an operation that failed")],
      ["400", expect.stringContaining("names no operation of this bulk request")],
    ]);
  });

  it("answers 404 for a path that names no bulk endpoint, and 400 for a malformed operation, each alone", async () => {
    const { token } = await newOrg();
    const r = await bulk(token, [
      { method: "POST", path: "/Schemas", bulkId: "s", data: { schemas: [USER_SCHEMA] } },
      { method: "PUT", path: "/Users", data: { schemas: [USER_SCHEMA], userName: "x" } },
      { method: "GET", path: "/Users/abc" },
      { method: "POST", path: "/Users", data: { schemas: [USER_SCHEMA], userName: "no-bulk-id" } },
      { method: "PATCH", path: "/Users/abc", version: 3, data: { schemas: [PATCH_SCHEMA], Operations: [] } },
      { method: "post", path: "/users", bulkId: "lower", data: { schemas: [USER_SCHEMA], userName: "lowercase-method" } },
    ]);
    const route = expect.stringContaining("does not exist");
    const malformed = expect.stringContaining("Invalid bulk operation");
    expect(outcomes(r)).toEqual([["404", route], ["404", route], ["400", malformed], ["400", malformed], ["400", malformed], ["201", undefined]]);
  });

  it("refuses the whole request for a bad envelope or a repeated bulkId", async () => {
    const { token } = await newOrg();
    const noSchema = await call("POST", `${s.scim}/Bulk`, token, { Operations: [{ method: "DELETE", path: "/Users/x" }] });
    expect([noSchema.status, noSchema.body.scimType, noSchema.headers.get("x-orgscim-error-code")]).toEqual([400, "invalidSyntax", "8006"]);
    const twice = await bulk(token, [
      { method: "POST", path: "/Users", bulkId: "same", data: { schemas: [USER_SCHEMA], userName: "one" } },
      { method: "POST", path: "/Users", bulkId: "same", data: { schemas: [USER_SCHEMA], userName: "two" } },
    ]);
    expect([twice.status, twice.headers.get("x-orgscim-error-code")]).toEqual([400, "8006"]);
    expect((await call("POST", `${s.scim}/Bulk`, null, { schemas: [BULK_REQUEST], Operations: [] })).status).toBe(401);
  });

  it("keeps organizations apart: an operation cannot reach another organization's user", async () => {
    const a = await newOrg();
    const b = await newOrg();
    const theirs = await createUser(b.token, "theirs@example.com");
    const r = await bulk(a.token, [{ method: "DELETE", path: `/Users/${theirs.id}` }]);
    expect(r.body.Operations[0].status).toBe("404");
    expect((await call("GET", `${s.scim}/Users/${theirs.id}`, b.token)).status).toBe(200);
  });
});
