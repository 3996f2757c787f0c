/**
 * POST /Users answers the created user's groups (and the effective orgRole they give) without
 * reading them back: a new user is in the one org-role group the create put them in
 * (src/domain/user-checks.ts syncOrgRoleGroups answers it), and in no other, since nothing could
 * have added them to a group before the create's answer named their id. The answer equals a read
 * of the user right after it, with the org-role groups shown or not, for each direct role; a revive
 * (a deactivated user with the same externalId) reads them, as it keeps the groups it had. Reads
 * counted by the store calls the server made (its /metrics).
 */
import { sample, scrapeMetrics } from "../helpers/metrics";
import { call, ORG_EXT, startTestServer, USER_SCHEMA, userBody, type TestServer } from "../helpers/server";

const TOKEN = "metrics-token-for-create-groups-0123456789";
const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

describe("POST /Users and the created user's groups", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ METRICS_TOKEN: TOKEN });
  }, 60_000);
  afterAll(() => s.close());

  const reads = async (): Promise<number> => sample((await scrapeMetrics(s.url, TOKEN)).text, "orgscim_store_call_duration_seconds_count", { op: "groups.groupsOfUser", outcome: "ok" }) ?? 0;

  const roles = [["standard", {}], ["administrator", { schemas: [USER_SCHEMA, ORG_EXT], [ORG_EXT]: { orgRole: "administrator" } }]] as const;
  describe.each([["shown", true], ["hidden", false]])("org-role groups %s", (_shown, exposeRoleGroups) => {
    it.each(roles)("a created %s user: the answer a read of it gives, groups unread", async (role, extra) => {
      const { token } = await s.newOrg({ domainEnforcement: false, exposeRoleGroups });
      const before = await reads();
      const created = await call("POST", `${s.scim}/Users`, token, userBody(`cg.${role}.${String(exposeRoleGroups)}@acme.test`, { ...extra }));
      const unread = (await reads()) - before;
      expect(created.status).toBe(201);
      const read = await call("GET", `${s.scim}/Users/${String(created.body.id)}`, token);
      expect(read.status).toBe(200);
      expect({ body: created.body, etag: created.headers.get("etag"), groupsRead: unread }).toEqual({ body: read.body, etag: read.headers.get("etag"), groupsRead: 0 });
      expect((created.body[ORG_EXT] as { orgRole?: unknown } | undefined)?.orgRole).toBe(role);
      const shown = (created.body.groups as { display: string }[] | undefined) ?? [];
      expect(shown.map((g) => g.display)).toEqual(exposeRoleGroups ? [role === "standard" ? "Standard User" : "Administrator"] : []);
    });
  });

  it("a revive answers the groups the user kept, as a read of it does", async () => {
    const { token } = await s.newOrg({ domainEnforcement: false, exposeRoleGroups: true });
    const body = userBody("cg.revived@acme.test", { externalId: "cg-revived" });
    const first = await call("POST", `${s.scim}/Users`, token, body);
    const id = String(first.body.id);
    const group = await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP_SCHEMA], displayName: "CG kept", members: [{ value: id }] });
    expect(group.status).toBe(201);
    expect((await call("PATCH", `${s.scim}/Users/${id}`, token, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "active", value: false }] })).status).toBe(204);
    const revived = await call("POST", `${s.scim}/Users`, token, body);
    expect({ status: revived.status, outcome: revived.headers.get("x-orgscim-outcome"), id: revived.body.id }).toEqual({ status: 201, outcome: "revived", id });
    const read = await call("GET", `${s.scim}/Users/${id}`, token);
    expect(revived.body).toEqual(read.body);
    expect((revived.body.groups as { display: string }[]).map((g) => g.display).sort()).toEqual(["CG kept", "Standard User"]);
  });
});
