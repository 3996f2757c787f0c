/**
 * A /Bulk operation answers what its own request would (src/scim/bulk/run.ts): an id in its path
 * that is not valid percent-encoding is the client's error, 400 invalidValue (1021) with an RFC 7644
 * §3.12 body, as the single request is answered, never a 500 (docs/security.md case 92).
 */
import { call, PATCH_SCHEMA, startTestServer, type TestServer } from "../helpers/server";

jest.setTimeout(60_000);

const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const PATCH = { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "active", value: false }] };
const PUT = { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "x@acme.test" };

let s: TestServer;
let token = "";
beforeAll(async () => {
  s = await startTestServer();
  token = (await s.newOrg({ domainEnforcement: false })).token;
});
afterAll(() => s.close());

const OPS: Array<[string, string, unknown]> = [
  ["DELETE", "/Users/%E0%A4%A", undefined],
  ["PATCH", "/Users/%ZZ", PATCH],
  ["PUT", "/Users/abc%", PUT],
  ["DELETE", "/Groups/%C3%28", undefined],
  ["DELETE", "/GroupMembers/%E0%A4%A", undefined],
];

it.each(OPS)("answers %s %s in a /Bulk as its own request: 400 invalidValue, not 500", async (method, path, data) => {
  const single = await call(method, `${s.scim}${path}`, token, data);
  expect(single.status).toBe(400);
  const r = await call("POST", `${s.scim}/Bulk`, token, { schemas: [BULK], Operations: [{ method, path, ...(data ? { data } : {}) }] });
  expect(r.status).toBe(200);
  const op = r.body.Operations[0];
  expect({ status: op.status, scimType: op.response?.scimType, schemas: op.response?.schemas })
    .toEqual({ status: "400", scimType: single.body.scimType, schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"] });
});
