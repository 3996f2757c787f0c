/**
 * RFC 7644 §3.12: a SCIM error body holds `schemas`, `status`, `scimType` (where defined) and
 * `detail`, and nothing else; strict client libraries refuse any other member. The stable numeric
 * code of src/domain/errors.ts travels in the X-Orgscim-Error-Code header. Generated over every
 * error kind of the catalogue, then checked over real HTTP for a request of each kind.
 */
import { DomainError, type ErrorKind } from "../../src/domain/errors";
import { ERROR_CODE_HEADER, scimErrorBody, statusOf } from "../../src/http/scim-errors";
import { call, PATCH_SCHEMA, startTestServer, userBody, type Reply, type TestServer } from "../helpers/server";

const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
const MEMBERS = new Set(["schemas", "status", "scimType", "detail"]);
/** RFC 7644 §3.12 Table 9, and RFC 9865 §2.1's cursor errors. */
const SCIM_TYPES = new Set([
  "invalidFilter", "tooMany", "uniqueness", "mutability", "invalidSyntax", "invalidPath", "noTarget", "invalidValue", "invalidVers", "sensitive",
  "invalidCursor", "expiredCursor", "invalidCount",
]);

const KINDS: ErrorKind[] = [
  "invalidFilter", "invalidSyntax", "invalidValue", "invalidPath", "noTarget", "mutability", "uniqueness", "tooMany",
  "invalidVersion", "invalidCursor", "notFound", "conflict", "forbidden", "unauthorized", "payloadTooLarge", "rateLimited", "unavailable", "internal",
];

function expectRfcError(r: Reply, status: number, scimType?: string): void {
  expect(r.status).toBe(status);
  expect(r.headers.get("content-type")).toMatch(/^application\/scim\+json/);
  expect(Object.keys(r.body).filter((k) => !MEMBERS.has(k))).toEqual([]);
  expect(r.body).toMatchObject({ schemas: [ERROR], status: String(status), detail: expect.any(String) });
  expect(r.body.scimType).toBe(scimType);
  expect(r.headers.get(ERROR_CODE_HEADER)).toMatch(/^[1-9]\d{3}$/);
}

describe("the error body of every kind", () => {
  it.each(KINDS)("holds exactly RFC 7644 §3.12's members for kind %s", (kind) => {
    const body = scimErrorBody(new DomainError(kind, 1234, "what went wrong"));
    expect(Object.keys(body).filter((k) => !MEMBERS.has(k))).toEqual([]);
    expect(body.status).toBe(String(statusOf(new DomainError(kind, 1234, "x"))));
    if (body.scimType !== undefined) expect(SCIM_TYPES.has(body.scimType as string)).toBe(true);
    if (body.scimType !== undefined) expect(statusOf(new DomainError(kind, 1234, "x"))).toBeLessThan(500);
  });
});

describe("SCIM errors over HTTP", () => {
  let s: TestServer;
  let token: string;
  beforeAll(async () => {
    s = await startTestServer();
    token = (await s.newOrg({ domainEnforcement: false })).token;
  });
  afterAll(() => s.close());

  it("answers 401 without a token with the RFC body and the code header", async () => {
    expectRfcError(await call("GET", `${s.scim}/Users`, null), 401);
  });

  it("answers 404 for an unknown user", async () => {
    expectRfcError(await call("GET", `${s.scim}/Users/US00000000000000000000000000000000`, token), 404);
  });

  it("answers 400 invalidFilter for a filter that does not parse", async () => {
    expectRfcError(await call("GET", `${s.scim}/Users?filter=${encodeURIComponent("userName eq")}`, token), 400, "invalidFilter");
  });

  it("answers 400 invalidCursor (RFC 9865 §2.1) for a forged cursor", async () => {
    const r = await call("GET", `${s.scim}/Users?cursor=${Buffer.from("s:x").toString("base64url")}`, token);
    expectRfcError(r, 400, "invalidCursor");
    expect(r.headers.get(ERROR_CODE_HEADER)).toBe("2004");
  });

  it("answers 409 uniqueness and 412 invalidVers", async () => {
    const u = await call("POST", `${s.scim}/Users`, token, userBody("errors-dup"));
    expectRfcError(await call("POST", `${s.scim}/Users`, token, userBody("errors-dup")), 409, "uniqueness");
    const patch = { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "displayName", value: "x" }] };
    expectRfcError(await call("PATCH", `${s.scim}/Users/${u.body.id}`, token, patch, { "if-match": 'W/"99"' }), 412, "invalidVers");
  });

  it("answers 400 invalidSyntax for a body that is not JSON", async () => {
    expectRfcError(await call("POST", `${s.scim}/Users`, token, "{nope"), 400, "invalidSyntax");
  });
});
