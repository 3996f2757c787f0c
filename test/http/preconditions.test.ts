/**
 * If-Match (RFC 7644 §3.14, RFC 9110 §13.1.1) on every write of /Users and /Groups, and the
 * `version` of a /Bulk operation. The header is a list of entity-tags or `*`; the write proceeds
 * when one tag names the current version, and answers 412 otherwise — also for tags this server
 * never issued (`"abc"`, `W/"not-a-number"`, text that is no tag at all), never 400. DELETE honours
 * it like PUT and PATCH. Generated: every resource × method × header case.
 */
import { call, PATCH_SCHEMA, startTestServer, USER_SCHEMA, type Reply, type TestServer } from "../helpers/server";

const GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

let s: TestServer;
let token: string;
beforeAll(async () => {
  s = await startTestServer();
  token = (await s.newOrg({ domainEnforcement: false })).token;
});
afterAll(() => s.close());

let n = 0;
type Kind = "Users" | "Groups";
async function create(kind: Kind): Promise<{ id: string; version: number }> {
  n += 1;
  const body = kind === "Users" ? { schemas: [USER_SCHEMA], userName: `pre${n}` } : { schemas: [GROUP], displayName: `Pre ${n}` };
  const r = await call("POST", `${s.scim}/${kind}`, token, body);
  expect(r.status).toBe(201);
  // one more write, so the current version is 2 and W/"1" is stale
  const p = await call("PATCH", `${s.scim}/${kind}/${r.body.id}`, token, patchBody(kind, "first"));
  expect(p.status).toBe(204);
  return { id: r.body.id, version: 2 };
}

const patchBody = (kind: Kind, v: string) =>
  ({ schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: kind === "Users" ? "displayName" : "externalId", value: v }] });

function write(kind: Kind, method: string, id: string, ifMatch: string): Promise<Reply> {
  const url = `${s.scim}/${kind}/${id}`;
  const headers = { "if-match": ifMatch };
  if (method === "DELETE") return call("DELETE", url, token, undefined, headers);
  if (method === "PATCH") return call("PATCH", url, token, patchBody(kind, "second"), headers);
  n += 1;
  const body = kind === "Users" ? { schemas: [USER_SCHEMA], userName: `pre-put${n}` } : { schemas: [GROUP], displayName: `Pre put ${n}` };
  return call("PUT", url, token, body, headers);
}

const OK = { PUT: 200, PATCH: 204, DELETE: 204 } as const;
const FAILING = [
  'W/"999"', 'W/"1"', '"1"', 'W/"not-a-number"', '"abc"', "abc", 'W/"2', '"", W/""', 'W/"1", W/"3"',
];
const HOLDING = (v: number) => [`W/"${v}"`, `"${v}"`, "*", ` W/"7", W/"${v}" `, `W/"1",W/"${v}"`, `"abc", W/"${v}"`];

describe.each(["Users", "Groups"] as const)("If-Match on /%s", (kind) => {
  describe.each(["PUT", "PATCH", "DELETE"] as const)("%s", (method) => {
    it.each(FAILING)("answers 412 invalidVers for If-Match %s, and changes nothing", async (header) => {
      const r0 = await create(kind);
      const r = await write(kind, method, r0.id, header);
      expect(r.status).toBe(412);
      expect(r.body.scimType).toBe("invalidVers");
      const after = await call("GET", `${s.scim}/${kind}/${r0.id}`, token);
      expect(after.status).toBe(200);
      expect(after.body.meta.version).toBe(`W/"${r0.version}"`);
    });

    it("proceeds when a tag of the list names the current version, or with *", async () => {
      for (const header of HOLDING(2)) {
        const r0 = await create(kind);
        const r = await write(kind, method, r0.id, header);
        expect([header, r.status]).toEqual([header, OK[method]]);
      }
    });
  });
});

describe("the version of a /Bulk operation", () => {
  const bulk = (Operations: unknown[]) => call("POST", `${s.scim}/Bulk`, token, { schemas: [BULK], Operations });

  it.each(["Users", "Groups"] as const)("is honoured by DELETE, PUT and PATCH on /%s: a stale or foreign tag fails with 412, the current one proceeds", async (kind) => {
    const a = await create(kind);
    const b = await create(kind);
    const r = await bulk([
      { method: "DELETE", path: `/${kind}/${a.id}`, version: 'W/"999"' },
      { method: "PATCH", path: `/${kind}/${a.id}`, version: 'W/"not-a-number"', data: patchBody(kind, "x") },
      { method: "DELETE", path: `/${kind}/${b.id}`, version: `W/"${b.version}"` },
    ]);
    expect(r.body.Operations.map((o: { status: string; response?: { scimType?: string } }) => [o.status, o.response?.scimType]))
      .toEqual([["412", "invalidVers"], ["412", "invalidVers"], ["204", undefined]]);
    expect((await call("GET", `${s.scim}/${kind}/${a.id}`, token)).status).toBe(200);
    expect((await call("GET", `${s.scim}/${kind}/${b.id}`, token)).status).toBe(404);
  });
});
