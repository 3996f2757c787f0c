/** The docs/security.md cases that apply to Users and Groups, over real HTTP. */
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";
import { cpuMsAsync } from "../helpers/cpu-time";

let s: TestServer;
let token: string;
let userId: string;
beforeAll(async () => {
  s = await startTestServer();
  token = (await s.newOrg({ domainEnforcement: false })).token;
  userId = (await call("POST", `${s.scim}/Users`, token, userBody("target@acme.test"))).body.id;
});
afterAll(() => s.close());

const polluted = () => ({} as Record<string, unknown>).polluted ?? ({} as Record<string, unknown>).x ?? ({} as Record<string, unknown>).isAdmin;

describe("prototype pollution (case 12)", () => {
  it.each([
    ["filter", `${"/Users?filter="}${encodeURIComponent('__proto__.polluted eq "1"')}`],
    ["attributes", "/Users?attributes=__proto__.isAdmin"],
    ["excludedAttributes", "/Users?excludedAttributes=constructor.prototype.x"],
    ["sortBy", "/Users?sortBy=__proto__"],
  ])("answers 400 to __proto__ in %s and leaves Object.prototype alone", async (_where, path) => {
    const r = await call("GET", `${s.scim}${path}`, token);
    expect(r.status).toBe(400);
    expect(polluted()).toBeUndefined();
  });

  it("answers 400 to __proto__ in a PATCH path and in body keys", async () => {
    const p = await call("PATCH", `${s.scim}/Users/${userId}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "emails[__proto__.x eq 1].value", value: "x" }] });
    expect(p.status).toBe(400);
    const b = await call("POST", `${s.scim}/Users`, token, '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"p@acme.test","__proto__":{"polluted":1}}');
    expect(b.status).toBe(400);
    const c = await call("POST", `${s.scim}/Users`, token, { ...userBody("c@acme.test"), constructor: { prototype: { polluted: 1 } } });
    expect(c.status).toBe(400);
    expect(polluted()).toBeUndefined();
  });
});

describe("operator injection (case 13)", () => {
  it.each([
    ['$where eq "1"'],
    ['emails[$regex eq "x"]'],
    ['userName eq "x" or $where eq "1"'],
  ])("answers 400 and no rows to %s", async (filter) => {
    const r = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent(filter)}`, token);
    expect(r.status).toBe(400);
    expect(r.body.Resources).toBeUndefined();
  });

  it("answers 400 to filter[$ne]=1 as a query parameter", async () => {
    const r = await call("GET", `${s.scim}/Users?filter[$ne]=1`, token);
    expect(r.status).toBe(400);
  });
});

describe("hostile filters (cases 14–16)", () => {
  it("answers a ReDoS filter (64 backslashes) with 400 within 50 ms of server time", async () => {
    // The best of three, in CPU time of this process (the server runs in it): a ReDoS burns CPU
    // every time; a loaded machine stretches only the wall clock, and a collection hits one request.
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const { ms, result: r } = await cpuMsAsync(() => call("GET", `${s.scim}/Users?filter=${encodeURIComponent(`userName eq "${"\\".repeat(64)}`)}`, token));
      expect(r.status).toBe(400);
      best = Math.min(best, ms);
    }
    expect(best).toBeLessThan(200); // the client's CPU for the round trip too
  });

  it("refuses 16 (a or b) clauses and-ed together without blowing up", async () => {
    const clause = '(userName eq "a" or userName eq "b")';
    const r = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent(Array(16).fill(clause).join(" and "))}`, token);
    expect([200, 400]).toContain(r.status);
    if (r.status === 200) expect(r.body.totalResults).toBe(0);
  });

  it("fails closed: a filter with no value or an unknown attribute is 400, never rows", async () => {
    for (const f of ["userName eq", 'userNam eq "target@acme.test"', "userName", "()"]) {
      const r = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent(f)}`, token);
      expect(r.status).toBe(400);
      expect(r.body.scimType).toBe("invalidFilter");
    }
  });
});

describe("immutable and readOnly attributes (cases 9, 11)", () => {
  it("answers 400 mutability to replace id and to add groups on a User", async () => {
    for (const op of [{ op: "replace", path: "id", value: "US" + "1".repeat(32) }, { op: "add", path: "groups", value: [{ value: "g" }] }]) {
      const r = await call("PATCH", `${s.scim}/Users/${userId}`, token, { schemas: [PATCH_SCHEMA], Operations: [op] });
      expect(r.status).toBe(400);
      expect(r.body.scimType).toBe("mutability");
    }
  });
});

describe("body limits (case 25)", () => {
  it("answers 413 to a body over 1 MB", async () => {
    const r = await call("POST", `${s.scim}/Users`, token, { ...userBody("big@acme.test"), title: "x".repeat(1_100_000) });
    expect(r.status).toBe(413);
    expect(r.body.status).toBe("413");
  });

  it("answers 400 to JSON nested 100,000 deep", async () => {
    const deep = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"d@acme.test","x":' + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    const r = await call("POST", `${s.scim}/Users`, token, deep);
    expect(r.status).toBe(400);
  });

  it("answers 400 invalidSyntax to a PATCH without Operations", async () => {
    const r = await call("PATCH", `${s.scim}/Users/${userId}`, token, { schemas: [PATCH_SCHEMA] });
    expect(r.status).toBe(400);
    expect(r.body.scimType).toBe("invalidSyntax");
  });
});

describe("racing creates (case 18)", () => {
  it("leaves exactly one row when 50 POSTs of one userName race", async () => {
    const replies = await Promise.all(Array.from({ length: 50 }, () => call("POST", `${s.scim}/Users`, token, userBody("racer@acme.test"))));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(49);
    const list = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent('userName eq "racer@acme.test"')}`, token);
    expect(list.body.totalResults).toBe(1);
  });
});

describe("5xx never leaks internal detail", () => {
  it("answers 503 with Retry-After and no internals when the store is closed", async () => {
    const own = await startTestServer();
    try {
      const t = (await own.newOrg({ domainEnforcement: false })).token;
      // Authentication reads the store too, so close it after a first successful request.
      expect((await call("GET", `${own.scim}/Users`, t)).status).toBe(200);
      await own.running.store.close();
      const r = await call("GET", `${own.scim}/Users`, t);
      expect(r.status).toBe(503);
      expect(r.headers.get("retry-after")).toBe("5");
      expect(r.text).not.toMatch(/sqlite|SQLITE|at \w+ \(/);
      expect((await call("GET", `${own.url}/readyz`, null)).status).toBe(503);
    } finally {
      await own.close();
    }
  });
});
