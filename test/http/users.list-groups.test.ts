/**
 * The groups of the users on a list page (src/http/scim/page-groups.ts): a store that reads a page
 * of users as stored reads their groups with it (SQLite's users.listStored), so the page needs no
 * other groups read, whatever its length. Otherwise (a store without listStored, or a page with
 * attributes/excludedAttributes, whose users are read parsed) a page of one user
 * (what a lookup by userName, externalId or email answers) reads them as GET /Users/{id} does, with
 * groupsOfUser (one statement); a longer page reads all of its users' at once with groupsOfUsers; an
 * empty page reads none. Rules as data, each counted by the store calls the server made (its
 * /metrics), and each answer's groups are those GET /Users/{id} answers.
 */
import { sample, scrapeMetrics } from "../helpers/metrics";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";

const TOKEN = "metrics-token-for-list-groups-0123456789";
const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
const SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
const f = (filter: string) => encodeURIComponent(filter);

// [what is asked, GET path or .search body, the users on the page, groupsOfUser calls, groupsOfUsers calls]
const PAGES: [string, string | Record<string, unknown>, string[], number, number][] = [
  ["a lookup by userName", `/Users?filter=${f('userName eq "lg.a@acme.test"')}`, ["a"], 0, 0],
  ["a lookup by externalId", `/Users?filter=${f('externalId eq "lg-b"')}`, ["b"], 0, 0],
  ["a lookup by work email", `/Users?filter=${f('emails[type eq "work"].value eq "lg.c@acme.test"')}`, ["c"], 0, 0],
  ["a lookup by .search", { schemas: [SEARCH], filter: 'userName eq "lg.a@acme.test"' }, ["a"], 0, 0],
  ["a page of one by count=1", "/Users?count=1", ["a"], 0, 0],
  ["a page of three", `/Users?filter=${f('userName sw "lg."')}`, ["a", "b", "c"], 0, 0],
  ["a page of two by .search", { schemas: [SEARCH], filter: 'userName sw "lg."', startIndex: 2 }, ["b", "c"], 0, 0],
  ["a cursor page of three", "/Users?count=3&cursor=", ["a", "b", "c"], 0, 0],
  ["a page of one with excludedAttributes (parsed users)", `/Users?filter=${f('userName eq "lg.a@acme.test"')}&excludedAttributes=name`, ["a"], 1, 0],
  ["a page of three with attributes (parsed users)", `/Users?filter=${f('userName sw "lg."')}&attributes=groups,userName`, ["a", "b", "c"], 0, 1],
  ["an empty page", `/Users?filter=${f('userName eq "nobody@acme.test"')}`, [], 0, 0],
];

describe("the groups of a list page's users", () => {
  let s: TestServer;
  let token: string;
  const ids: Record<string, string> = {};
  const byId: Record<string, unknown> = {};
  beforeAll(async () => {
    s = await startTestServer({ METRICS_TOKEN: TOKEN });
    ({ token } = await s.newOrg({ domainEnforcement: false }));
    for (const k of ["a", "b", "c"]) ids[k] = String((await call("POST", `${s.scim}/Users`, token, userBody(`lg.${k}@acme.test`, { externalId: `lg-${k}` }))).body.id);
    await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP_SCHEMA], displayName: "LG one", members: [{ value: ids.a }, { value: ids.c }] });
    await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP_SCHEMA], displayName: "LG two", members: [{ value: ids.a }] });
    for (const k of ["a", "b", "c"]) byId[k] = (await call("GET", `${s.scim}/Users/${ids[k]}`, token)).body.groups;
    expect((byId.a as { display: string }[]).map((g) => g.display)).toEqual(expect.arrayContaining(["LG one", "LG two"]));
  }, 30_000);
  afterAll(() => s.close());

  const calls = async (): Promise<{ one: number; many: number }> => {
    const { text } = await scrapeMetrics(s.url, TOKEN);
    const n = (op: string) => sample(text, "orgscim_store_call_duration_seconds_count", { op, outcome: "ok" }) ?? 0;
    return { one: n("groups.groupsOfUser"), many: n("groups.groupsOfUsers") };
  };

  it.each(PAGES)("%s: reads the page's groups as the rule says, and answers each user's groups as GET by id does", async (_name, ask, users, one, many) => {
    const before = await calls();
    const r = typeof ask === "string" ? await call("GET", `${s.scim}${ask}`, token) : await call("POST", `${s.scim}/Users/.search`, token, ask);
    expect(r.status).toBe(200);
    const after = await calls();
    const got = r.body.Resources as { id: string; groups?: unknown }[];
    expect({ page: got.map((u) => u.id), groups: got.map((u) => u.groups), one: after.one - before.one, many: after.many - before.many })
      .toEqual({ page: users.map((k) => ids[k]), groups: users.map((k) => byId[k]), one, many });
  });
});
