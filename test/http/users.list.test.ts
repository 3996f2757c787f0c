/** Filtering, sorting and paging of /Users in the store (RFC 7644 §3.4.2, RFC 9865). */
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";
import { cpuMsAsync } from "../helpers/cpu-time";

let s: TestServer;
let token: string;
const q = (filter: string) => `${s.scim}/Users?filter=${encodeURIComponent(filter)}`;

beforeAll(async () => {
  s = await startTestServer({ SCIM_MAX_RESULTS: "100" });
  token = (await s.newOrg({ domainEnforcement: false })).token;
  for (let i = 0; i < 12; i++) {
    await call("POST", `${s.scim}/Users`, token, userBody(`list${String(i).padStart(2, "0")}@acme.test`, {
      externalId: `ext-${i}`,
      displayName: i % 2 === 0 ? "Even" : "Odd",
      title: i < 3 ? "Engineer" : undefined,
      emails: [{ value: `list${i}@work.test`, type: "work", primary: true }, { value: `list${i}@home.test`, type: "home" }],
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { employeeNumber: String(1000 + i), department: i < 6 ? "R&D" : "Sales" },
    }));
  }
});
afterAll(() => s.close());

describe("filters", () => {
  it.each([
    ['userName eq "LIST03@ACME.TEST"', 1],
    ['externalId eq "ext-4"', 1],
    ['externalId eq "EXT-4"', 0],
    ['emails[type eq "work"].value eq "list5@work.test"', 1],
    ['emails[type eq "work" and value co "@work"]', 12],
    ['emails.value ew "@home.test"', 12],
    ['displayName eq "Even" and not (externalId eq "ext-0" or externalId eq "ext-2")', 4],
    ['title pr', 3],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "sales"', 6],
    ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber ge "1010"', 2],
    ['meta.created gt "2000-01-01T00:00:00Z"', 12],
    ['userName sw "list1"', 2],
    ["externalId eq ext-7", 1],
  ])("answers %s with %i users", async (filter, n) => {
    const r = await call("GET", q(filter), token);
    expect(r.status).toBe(200);
    expect(r.body.totalResults).toBe(n);
  });

  it.each([
    ["userName eq", "invalidFilter"],
    ['nosuch eq "x"', "invalidFilter"],
    ['__proto__.x eq "1"', "invalidFilter"],
    ['$where eq "1"', "invalidFilter"],
    [`userName eq "${"\\".repeat(64)}`, "invalidFilter"],
    ["(".repeat(1000) + 'userName eq "x"' + ")".repeat(1000), "invalidFilter"],
  ])("answers 400 %#: %s", async (filter, scimType) => {
    // CPU time of this process (the server runs in it), client and server: a pathological filter
    // burns CPU; a loaded machine only stretches the wall clock (../helpers/cpu-time.ts).
    const { ms, result: r } = await cpuMsAsync(() => call("GET", q(filter), token));
    expect(ms).toBeLessThan(1000);
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe(scimType);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe("paging and sorting", () => {
  it("pages by startIndex and count with integer totals", async () => {
    const r = await call("GET", `${s.scim}/Users?startIndex=3&count=4`, token);
    expect(r.body).toMatchObject({ totalResults: 12, itemsPerPage: 4, startIndex: 3 });
    expect(r.body.Resources[0].userName).toBe("list02@acme.test");
  });

  it("caps count at the advertised maxResults and treats startIndex below 1 as 1", async () => {
    const r = await call("GET", `${s.scim}/Users?count=1000000000&startIndex=-5`, token);
    expect(r.status).toBe(200);
    expect(r.body.startIndex).toBe(1);
    expect(r.body.itemsPerPage).toBe(12);
    const spc = await call("GET", `${s.scim}/ServiceProviderConfig`, token);
    expect(spc.body.filter.maxResults).toBe(100);
  });

  it("answers 400 for a count that is not a number", async () => {
    expect((await call("GET", `${s.scim}/Users?count=abc`, token)).status).toBe(400);
  });

  it("sorts by userName descending", async () => {
    const r = await call("GET", `${s.scim}/Users?sortBy=userName&sortOrder=descending&count=2`, token);
    expect(r.body.Resources.map((u: { userName: string }) => u.userName)).toEqual(["list11@acme.test", "list10@acme.test"]);
  });

  it("pages by cursor (RFC 9865) through every user once", async () => {
    const seen: string[] = [];
    let url = `${s.scim}/Users?cursor=&count=5`;
    for (let i = 0; i < 10; i++) {
      const r = await call("GET", url, token);
      seen.push(...r.body.Resources.map((u: { id: string }) => u.id));
      if (!r.body.nextCursor) break;
      url = `${s.scim}/Users?cursor=${encodeURIComponent(r.body.nextCursor)}&count=5`;
    }
    expect(new Set(seen).size).toBe(12);
    expect(seen).toHaveLength(12);
  });

  it("answers 400 for a forged cursor", async () => {
    const r = await call("GET", `${s.scim}/Users?cursor=${Buffer.from("s:x").toString("base64url")}`, token);
    expect(r.status).toBe(400);
  });

  it("searches with POST /Users/.search", async () => {
    const r = await call("POST", `${s.scim}/Users/.search`, token, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
      filter: 'displayName eq "Odd"', attributes: ["userName"], count: 2, startIndex: 1,
    });
    expect(r.status).toBe(200);
    expect(r.body.totalResults).toBe(6);
    expect(Object.keys(r.body.Resources[0]).sort()).toEqual(["id", "schemas", "userName"]);
  });
});

describe("discovery", () => {
  it("advertises exactly what the server supports", async () => {
    const r = await call("GET", `${s.scim}/ServiceProviderConfig`, token);
    expect(r.body).toMatchObject({ patch: { supported: true }, filter: { supported: true }, sort: { supported: true }, etag: { supported: true }, changePassword: { supported: false } });
    expect(r.body.authenticationSchemes[0].type).toBe("oauthbearertoken");
  });

  it("lists the User, Group and GroupMember resource types and their schemas, the orgscim extension among them", async () => {
    const types = await call("GET", `${s.scim}/ResourceTypes`, token);
    expect(types.body.Resources.map((t: { id: string }) => t.id)).toEqual(["User", "Group", "GroupMember"]);
    const schemas = await call("GET", `${s.scim}/Schemas`, token);
    expect(schemas.body.Resources.map((x: { id: string }) => x.id)).toContain("urn:ietf:params:scim:schemas:extension:orgscim:2.0:User");
    const one = await call("GET", `${s.scim}/Schemas/urn:ietf:params:scim:schemas:core:2.0:User`, token);
    expect(one.body.name).toBe("User");
    expect((await call("GET", `${s.scim}/Schemas/urn:nope`, token)).status).toBe(404);
  });
});
