/**
 * A page of users is made faster in ways that keep a user's answer apart from its resource's
 * (rows to records, the page's groups in one query, a page spliced from stored JSON): a page could
 * then show a user as they were, a group under its old name, another request's origin in
 * meta.location, or a password. The rule (docs/security.md case 51): each user on a page (cursor
 * or index, with or without attributes / excludedAttributes; `password` is no attribute to ask for: 400) is byte for byte what GET
 * /Users/{id} with the same parameters and the same Host answers at that moment, after a group is
 * renamed, a member removed, an attribute taken away by PUT; and no page of any shape shows a
 * password. Real HTTP, real SQLite store.
 */
import { request } from "node:http";
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";

/** A GET with a Host header of its own (fetch sends the URL's): status and parsed body. */
function get(url: string, host: string | undefined): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  return new Promise((ok, fail) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}`, ...(host ? { host } : {}) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => ok({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, text }));
    });
    req.on("error", fail);
    req.end();
  });
}

jest.setTimeout(120_000);

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PASSWORD = "Sp1ced-Secret-Password!";

let s: TestServer;
let token: string;
const users: string[] = [];
let group: string;

beforeAll(async () => {
  s = await startTestServer();
  ({ token } = await s.newOrg({ domainEnforcement: false }));
  for (let i = 0; i < 7; i++) {
    const r = await call("POST", `${s.scim}/Users`, token, userBody(`spliced-${i}@page.test`, { password: PASSWORD, nickName: `nick-${i}`, title: `Title ${i}` }));
    expect(r.status).toBe(201);
    users.push(r.body.id as string);
  }
  const g = await call("POST", `${s.scim}/Groups`, token, { schemas: [GROUP], displayName: "Before", members: users.slice(0, 5).map((value) => ({ value })) });
  expect(g.status).toBe(201);
  group = g.body.id as string;
});
afterAll(() => s.close());

const PARAMS = ["", "attributes=userName,groups,meta", "excludedAttributes=emails,name", "attributes=userName,nickName,title"];
const HOSTS = [undefined, "elsewhere.example:8443"];

/** Every user of every page, cursor and index, as the page shows them (with the Host asked). */
async function pageUsers(params: string, host?: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let url: string | null = `${s.scim}/Users?cursor=&count=3${params ? `&${params}` : ""}`;
  for (let i = 0; url && i < 10; i++) {
    const r = await get(url, host);
    expect([url, r.status, r.status === 200 ? "" : r.text]).toEqual([url, 200, ""]);
    out.push(...((r.body.Resources as Record<string, unknown>[]) ?? []));
    url = r.body.nextCursor ? `${s.scim}/Users?cursor=${encodeURIComponent(r.body.nextCursor as string)}&count=3${params ? `&${params}` : ""}` : null;
  }
  const index = await get(`${s.scim}/Users?startIndex=2&count=4${params ? `&${params}` : ""}`, host);
  expect(index.status).toBe(200);
  out.push(...((index.body.Resources as Record<string, unknown>[]) ?? []));
  return out;
}

async function expectPagesAsResources(): Promise<void> {
  for (const params of PARAMS) {
    for (const host of HOSTS) {
      const seen = await pageUsers(params, host);
      expect(seen.length).toBeGreaterThan(users.length);
      for (const u of seen) {
        const one = await get(`${s.scim}/Users/${u.id as string}${params ? `?${params}` : ""}`, host);
        expect([params, host, JSON.stringify(u)]).toEqual([params, host, JSON.stringify(one.body)]);
        expect(JSON.stringify(u)).not.toContain(PASSWORD);
        expect(u).not.toHaveProperty("password");
        // Without PUBLIC_URL, links follow the Host each request names: this request's, never another's.
        if (u.meta) expect([host, (u.meta as { location: string }).location]).toEqual([host, expect.stringMatching(host ? `^http://${host}/` : `^${s.url}`)]);
      }
    }
  }
}

describe("each user on a page is what GET /Users/{id} answers", () => {
  it("as created", async () => {
    await expectPagesAsResources();
  });

  it("after their group is renamed and one of them leaves it", async () => {
    const r = await call("PATCH", `${s.scim}/Groups/${group}`, token, { schemas: [PATCH_SCHEMA], Operations: [
      { op: "replace", path: "displayName", value: "After" },
      { op: "remove", path: `members[value eq "${users[0]!}"]` },
    ] });
    expect(r.status).toBeLessThan(300);
    await expectPagesAsResources();
  });

  it("after PUT takes attributes away and PATCH changes another", async () => {
    const put = await call("PUT", `${s.scim}/Users/${users[1]!}`, token, userBody("spliced-1@page.test"));
    expect(put.status).toBe(200);
    const patch = await call("PATCH", `${s.scim}/Users/${users[2]!}`, token, { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "nickName", value: "changed" }] });
    expect(patch.status).toBeLessThan(300);
    await expectPagesAsResources();
  });
});
