/**
 * A request body sent with a Content-Encoding (gzip, deflate, br) is decompressed by the body
 * parser; one that does not decompress is the client's error: 400 with the protocol's error body
 * (RFC 7644 §3.12 at SCIM, /v1's at /v1), nothing written, never a 500 "internal error" that is
 * logged as the server's fault and retried by identity providers (docs/security.md case 93).
 */
import { request } from "node:http";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";

jest.setTimeout(60_000);

let s: TestServer;
let token = "";
beforeAll(async () => {
  s = await startTestServer();
  token = (await s.newOrg({ domainEnforcement: false })).token;
});
afterAll(() => s.close());

function send(path: string, encoding: string, body: Buffer, contentType = "application/scim+json"): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- a JSON answer
  return new Promise((resolve, reject) => {
    const u = new URL(path, s.url);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: "POST", headers: {
      authorization: `Bearer ${token}`, "content-type": contentType, "content-encoding": encoding, "content-length": String(body.length),
    } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => { text += d; });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const users = async (): Promise<number> => (await call("GET", `${s.scim}/Users?count=0`, token)).body.totalResults as number;
const json = (userName: string) => Buffer.from(JSON.stringify(userBody(userName)));

const BROKEN: Record<string, [string, () => Buffer]> = {
  "gzip that is not gzip": ["gzip", () => json(`g-${Date.now()}@acme.test`)],
  "gzip cut short": ["gzip", () => gzipSync(json(`c-${Date.now()}@acme.test`)).subarray(0, 20)],
  "deflate that is not deflate": ["deflate", () => json(`d-${Date.now()}@acme.test`)],
  "br that is not brotli": ["br", () => json(`b-${Date.now()}@acme.test`)],
};

describe.each(Object.keys(BROKEN))("a body sent as %s", (name) => {
  const [encoding, body] = BROKEN[name]!;
  it("is refused 400 invalidSyntax at POST /scim/v2/Users, nothing written", async () => {
    const before = await users();
    const r = await send("/scim/v2/Users", encoding, body());
    expect({ status: r.status, body: r.body }).toEqual({ status: 400, body: expect.objectContaining({ schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: "400", scimType: "invalidSyntax" }) });
    expect(await users()).toBe(before);
  });
  it("is refused 400 at POST /scim/v2/Bulk", async () => {
    const r = await send("/scim/v2/Bulk", encoding, body());
    expect({ status: r.status, scimType: r.body?.scimType }).toEqual({ status: 400, scimType: "invalidSyntax" });
  });
  it("is refused 400 at POST /v1/Tokens", async () => {
    const r = await send("/v1/Tokens", encoding, Buffer.from(JSON.stringify({ friendly_name: "x", scopes: ["scim"] })), "application/json");
    expect(r.status).toBe(400);
  });
});

it("decompresses a body that is what its Content-Encoding says (gzip, deflate, br): 201", async () => {
  for (const [encoding, pack] of [["gzip", gzipSync], ["deflate", deflateSync], ["br", brotliCompressSync]] as const) {
    const r = await send("/scim/v2/Users", encoding, pack(json(`ok-${encoding}-${Date.now()}@acme.test`)));
    expect(r.status).toBe(201);
  }
});
