/**
 * PUT /Users/{id} (and a PATCH that asks for the user back with attributes or excludedAttributes)
 * answers the user's groups as its own transaction left them, read there once (the policy's target
 * needs them too: the effective orgRole comes from them), not read again after the commit
 * (src/domain/users.ts modifyUserWithGroups). A write that changes the user's org role changes
 * their org-role groups: those are read again after that change, in the same transaction. Each
 * answer equals a read of the user right after it. Reads counted by the store calls the server
 * made (its /metrics).
 */
import { sample, scrapeMetrics } from "../helpers/metrics";
import { call, ORG_EXT, startTestServer, USER_SCHEMA, userBody, type TestServer } from "../helpers/server";

const TOKEN = "metrics-token-for-put-groups-0123456789";
const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const ADMIN = { schemas: [USER_SCHEMA, ORG_EXT], [ORG_EXT]: { orgRole: "administrator" } };

describe("PUT /Users/{id} and the user's groups", () => {
  let s: TestServer;
  let token: string;
  beforeAll(async () => {
    s = await startTestServer({ METRICS_TOKEN: TOKEN });
    ({ token } = await s.newOrg({ domainEnforcement: false, exposeRoleGroups: true }));
  }, 60_000);
  afterAll(() => s.close());

  const reads = async (): Promise<number> => sample((await scrapeMetrics(s.url, TOKEN)).text, "orgscim_store_call_duration_seconds_count", { op: "groups.groupsOfUser", outcome: "ok" }) ?? 0;

  /** A user in a group of their own besides their org-role group. */
  const userInAGroup = async (userName: string, extra: Record<string, unknown> = {}): Promise<string> => {
    const created = await call("POST", `${s.scim}/Users`, token, userBody(userName, extra));
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    const group = await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP_SCHEMA], displayName: `PG ${userName}`, members: [{ value: id }] });
    expect(group.status).toBe(201);
    return id;
  };

  /** The answer of `write`, the groupsOfUser reads it made, and a read of the user right after it. */
  const answered = async (write: () => ReturnType<typeof call>, id: string) => {
    const before = await reads();
    const r = await write();
    const groupsRead = (await reads()) - before;
    const read = await call("GET", `${s.scim}/Users/${id}`, token);
    expect(read.status).toBe(200);
    return { r, groupsRead, read };
  };

  it.each([["a standard user", {}, "Standard User"], ["an administrator", ADMIN, "Administrator"]] as const)(
    "%s changed by PUT: one read of their groups, the answer a read of them gives",
    async (_who, extra, roleGroup) => {
      const userName = `pg.put.${roleGroup.replace(" ", "")}@acme.test`;
      const id = await userInAGroup(userName, extra);
      const { r, groupsRead, read } = await answered(() => call("PUT", `${s.scim}/Users/${id}`, token, userBody(userName, { ...extra, title: "Changed" })), id);
      expect({ status: r.status, body: r.body, etag: r.headers.get("etag"), groupsRead }).toEqual({ status: 200, body: read.body, etag: read.headers.get("etag"), groupsRead: 1 });
      expect((r.body.groups as { display: string }[]).map((g) => g.display).sort()).toEqual([`PG ${userName}`, roleGroup].sort());
    },
  );

  it("a PUT that changes nothing: one read, the user as they are", async () => {
    const userName = "pg.same@acme.test";
    const id = await userInAGroup(userName);
    const { r, groupsRead, read } = await answered(() => call("PUT", `${s.scim}/Users/${id}`, token, userBody(userName)), id);
    expect({ status: r.status, body: r.body, groupsRead }).toEqual({ status: 200, body: read.body, groupsRead: 1 });
  });

  it("a PUT that makes a standard user an administrator answers the org-role group the write moved them to (read again after it)", async () => {
    const userName = "pg.promoted@acme.test";
    const id = await userInAGroup(userName);
    const { r, groupsRead, read } = await answered(() => call("PUT", `${s.scim}/Users/${id}`, token, userBody(userName, ADMIN)), id);
    expect({ status: r.status, body: r.body, groupsRead }).toEqual({ status: 200, body: read.body, groupsRead: 2 });
    expect((r.body.groups as { display: string }[]).map((g) => g.display).sort()).toEqual(["Administrator", `PG ${userName}`]);
    expect((r.body[ORG_EXT] as { orgRole: string }).orgRole).toBe("administrator");
  });

  it("a PATCH asking for the user back (attributes): one read, the answer a read gives projected; a PATCH answered 204 reads them once too", async () => {
    const userName = "pg.patched@acme.test";
    const id = await userInAGroup(userName);
    const patch = (value: string) => ({ schemas: [PATCH_OP], Operations: [{ op: "replace", path: "title", value }] });
    const back = await answered(() => call("PATCH", `${s.scim}/Users/${id}?attributes=groups,title`, token, patch("One")), id);
    expect({ status: back.r.status, title: back.r.body.title, groups: back.r.body.groups, groupsRead: back.groupsRead })
      .toEqual({ status: 200, title: "One", groups: back.read.body.groups, groupsRead: 1 });
    const silent = await answered(() => call("PATCH", `${s.scim}/Users/${id}`, token, patch("Two")), id);
    expect({ status: silent.r.status, groupsRead: silent.groupsRead }).toEqual({ status: 204, groupsRead: 1 });
  });
});
