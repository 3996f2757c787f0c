/**
 * Issue 14 over HTTP: an oversized multi-valued write is refused whole with a clear 400, and a
 * large /Bulk shares the process (other requests are answered while it runs). Timings are the
 * benchmark's business; these tests assert outcomes and order only.
 */
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";

let s: TestServer;
let token: string;

beforeAll(async () => {
  s = await startTestServer();
  token = (await s.newOrg({ domainEnforcement: false })).token;
});
afterAll(() => s.close());

const emails = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ value: `${prefix}${i}@x.test`, type: "work" }));

describe("multi-valued limits over HTTP", () => {
  it("answers 400 to a PATCH adding 12,000 emails, names the limit, and changes nothing", async () => {
    const u = await call("POST", `${s.scim}/Users`, token, userBody("many@x.test"));
    const r = await call("PATCH", `${s.scim}/Users/${u.body.id}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "add", path: "emails", value: emails(12_000, "a") }] });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ scimType: "invalidValue", detail: expect.stringContaining("'emails' holds at most 100 values") });
    const after = await call("GET", `${s.scim}/Users/${u.body.id}`, token);
    expect(after.body.emails).toEqual(u.body.emails);
    expect(after.body.meta.version).toBe(u.body.meta.version);
  });

  it("answers 400 to a PUT or POST with more emails than the limit", async () => {
    const u = await call("POST", `${s.scim}/Users`, token, userBody("many2@x.test"));
    expect((await call("PUT", `${s.scim}/Users/${u.body.id}`, token, userBody("many2@x.test", { emails: emails(101, "b") }))).status).toBe(400);
    expect((await call("POST", `${s.scim}/Users`, token, userBody("many3@x.test", { emails: emails(101, "c") }))).status).toBe(400);
  });

  it("advertises each limit in /Schemas", async () => {
    const r = await call("GET", `${s.scim}/Schemas/urn:ietf:params:scim:schemas:core:2.0:User`, token);
    const byName = new Map((r.body.attributes as { name: string; description?: string }[]).map((a) => [a.name, a.description ?? ""]));
    for (const name of ["emails", "phoneNumbers", "roles", "entitlements"]) expect(byName.get(name)).toContain("at most 100 values");
  });
});

describe("a large /Bulk yields to other requests", () => {
  it("answers /healthz while a /Bulk of 300 operations is still running", async () => {
    const ops = Array.from({ length: 300 }, (_, i) => ({ method: "POST", bulkId: `b${i}`, path: "/Users", data: userBody(`bulk${i}@x.test`) }));
    const order: string[] = [];
    const bulk = call("POST", `${s.scim}/Bulk`, token, { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations: ops })
      .then((r) => { order.push("bulk"); return r; });
    // Ask once the server is inside the /Bulk: the first user it creates is visible.
    for (;;) {
      const found = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent('userName eq "bulk0@x.test"')}`, token);
      if (found.body.totalResults === 1 || order.length > 0) break;
    }
    const health = await fetch(`${s.url}/healthz`);
    order.push("healthz");
    expect(health.status).toBe(200);
    const r = await bulk;
    expect(r.status).toBe(200);
    expect(r.body.Operations.every((o: { status: string }) => o.status === "201")).toBe(true);
    expect(order).toEqual(["healthz", "bulk"]);
  }, 120_000); // 300 creates: a few seconds quiet, over 30 s in a fresh-clone CI on a loaded machine
});
