/**
 * GET /Users/{id} reads the user's groups once: the policy's target (the user's effective role
 * comes from their groups) and the answer's `groups` come from the same groupsOfUser read
 * (src/domain/users.ts getUserWithGroups), counted by the store calls the server made (its
 * /metrics). The answer's groups are those a lookup of the same user answers (a page reads them
 * its own way: src/http/scim/page-groups.ts).
 */
import { sample, scrapeMetrics } from "../helpers/metrics";
import { call, ORG_EXT, startTestServer, USER_SCHEMA, userBody, type TestServer } from "../helpers/server";

const TOKEN = "metrics-token-for-get-groups-0123456789";
const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";

describe("GET /Users/{id} and the user's groups", () => {
  let s: TestServer;
  let token: string;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    s = await startTestServer({ METRICS_TOKEN: TOKEN });
    ({ token } = await s.newOrg({ domainEnforcement: false }));
    ids.standard = String((await call("POST", `${s.scim}/Users`, token, userBody("gg.standard@acme.test"))).body.id);
    ids.admin = String((await call("POST", `${s.scim}/Users`, token, userBody("gg.admin@acme.test", { schemas: [USER_SCHEMA, ORG_EXT], [ORG_EXT]: { orgRole: "administrator" } }))).body.id);
    ids.none = String((await call("POST", `${s.scim}/Users`, token, userBody("gg.none@acme.test"))).body.id);
    await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP_SCHEMA], displayName: "GG one", members: [{ value: ids.standard }, { value: ids.admin }] });
    await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP_SCHEMA], displayName: "GG two", members: [{ value: ids.standard }] });
  }, 30_000);
  afterAll(() => s.close());

  const reads = async (): Promise<number> => sample((await scrapeMetrics(s.url, TOKEN)).text, "orgscim_store_call_duration_seconds_count", { op: "groups.groupsOfUser", outcome: "ok" }) ?? 0;

  it.each([["standard", "a standard user in two groups"], ["admin", "an administrator in one group"], ["none", "a user in no group of their own"]])(
    "%s (%s): one groupsOfUser read, and the groups a lookup answers",
    async (who) => {
      const userName = `gg.${who}@acme.test`;
      const looked = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`, token);
      expect(looked.status).toBe(200);
      const before = await reads();
      const r = await call("GET", `${s.scim}/Users/${ids[who]}`, token);
      const after = await reads();
      expect({ status: r.status, groups: r.body.groups, reads: after - before }).toEqual({ status: 200, groups: (looked.body.Resources as { groups: unknown }[])[0]!.groups, reads: 1 });
    },
  );

  it("a GET with If-None-Match reads them once too, answered 200 with them or 304 without them (excludedAttributes=groups and the orgscim extension: its orgRole is what the groups grant)", async () => {
    const first = await call("GET", `${s.scim}/Users/${ids.standard}`, token);
    const etag = String(first.headers.get("etag"));
    expect(etag).toMatch(/^W\/"/);
    for (const [query, status] of [["", 200], ["?excludedAttributes=groups", 200], [`?excludedAttributes=groups,${encodeURIComponent("urn:ietf:params:scim:schemas:extension:orgscim:2.0:User")}`, 304]] as const) {
      const before = await reads();
      const r = await call("GET", `${s.scim}/Users/${ids.standard}${query}`, token, undefined, { "If-None-Match": etag });
      expect({ query, status: r.status, reads: (await reads()) - before }).toEqual({ query, status, reads: 1 });
    }
  });
});
