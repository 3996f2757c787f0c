/**
 * The flat SCIM dispatch (6938a9d) attacked with request targets a client library would never
 * send, written byte for byte on a socket (fetch would normalise them): dot segments, doubled
 * slashes, %-escaped slashes and letters, a path parameter, a NUL, the absolute form, a traversal
 * toward /v1, case. For each, with every method: without a token the answer is never a success
 * and never carries the user; with another organization's token it never carries the user; and
 * the canonical spelling with the right token does (so the check can fail). Real HTTP, real
 * SQLite store.
 */
import { connect } from "node:net";
import { call, startTestServer, userBody, type TestServer } from "../helpers/server";

jest.setTimeout(120_000);

let s: TestServer;
let mine: string;
let theirs: string;
let id = "";
let group = "";
const NAME = `victim-${Math.random().toString(36).slice(2, 10)}`;

beforeAll(async () => {
  s = await startTestServer();
  mine = (await s.newOrg({ domainEnforcement: false })).token;
  theirs = (await s.newOrg({ domainEnforcement: false })).token;
  const u = await call("POST", `${s.scim}/Users`, mine, userBody(`${NAME}@acme.test`));
  expect(u.status).toBe(201);
  id = u.body.id;
  const g = await call("POST", `${s.scim}/Groups`, mine, { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: `${NAME}-group`, members: [{ value: id }] });
  expect(g.status).toBe(201);
  group = g.body.id;
});
afterAll(() => s.close());

/** One request as raw bytes; answers the status and the whole response text. */
function raw(method: string, target: string, token: string | null): Promise<{ status: number; text: string }> {
  const u = new URL(s.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => {
      socket.write(`${method} ${target} HTTP/1.1\r\nHost: ${u.host}\r\n${token ? `Authorization: Bearer ${token}\r\n` : ""}Connection: close\r\n\r\n`);
    });
    let text = "";
    socket.setEncoding("latin1");
    socket.on("data", (d: string) => { text += d; });
    socket.on("end", () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text }));
    socket.on("error", reject);
  });
}

const TARGETS = (): string[] => {
  const host = new URL(s.url).host;
  return [
    `/scim/v2/./Users/${id}`, `/scim/v2//Users/${id}`, `//scim/v2/Users/${id}`, `/scim/v2/Users/./${id}`,
    `/scim/v2/Users%2F${id}`, `/scim/v2/Users%2f${id}`, `/scim/v2/%55sers/${id}`, `/scim%2Fv2/Users/${id}`, `/scim%2fv2/Users/${id}`,
    `/scim/v2/Users/${id}/`, `/scim/v2/Users/${id}%2F`, `/scim/v2/Users/${id};x=1`, `/scim/v2;x/Users/${id}`, `/scim/v2/Users/${id}%00`,
    `/SCIM/V2/USERS/${id}`, `/scim/v2/Users/${id}?attributes=userName`, `/scim/v2/Users/${id}#x`, `/scim/v2/Users/${id}%20`,
    `/v1/../scim/v2/Users/${id}`, `/scim/v2/../v2/Users/${id}`, `/scim/v2/Users/..%2F..%2F..%2Fv1%2FUsers%2F${id}`, `/v1/Users/${id}`,
    `/scim/v2/Users?filter=userName%20sw%20%22${NAME}%22`, `/scim/v2/Users/.search`, `/scim/v2/Groups/${group}`, `/scim/v2//Groups/${group}`,
    `/scim/v2/Groups/${group}?attributes=members`, `/scim/v2/Users`, `/scim/v2/`, `/scim/v2`,
    `http://${host}/scim/v2/Users/${id}`, `http://${host}//scim/v2/Users/${id}`, `/events/../scim/v2/Users/${id}`, `/healthz/../scim/v2/Users/${id}`,
  ];
};
const METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"];

describe("request targets no client sends", () => {
  it("never answer a request without a token with a success or the user", async () => {
    const leaks: string[] = [];
    for (const target of TARGETS()) {
      for (const method of METHODS) {
        const r = await raw(method, target, null);
        // /v1 answers OPTIONS from its routes, without a token, with Allow only (test/v1/conventions.test.ts).
        const options = method === "OPTIONS" && target.startsWith("/v1/") && r.status === 204;
        if ((r.status >= 200 && r.status < 300 && !options) || r.text.includes(NAME)) leaks.push(`${method} ${target} → ${r.status}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it("never show the user to another organization's token", async () => {
    const leaks: string[] = [];
    for (const target of TARGETS()) {
      for (const method of ["GET", "HEAD", "OPTIONS", "POST"]) {
        const r = await raw(method, target, theirs);
        if (r.text.includes(NAME)) leaks.push(`${method} ${target} → ${r.status}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it("show the user to its own organization at the canonical target (the check can fail)", async () => {
    const r = await raw("GET", `/scim/v2/Users/${id}`, mine);
    expect(r.status).toBe(200);
    expect(r.text).toContain(NAME);
    const g = await raw("GET", `/scim/v2/Groups/${group}`, mine);
    expect(g.text).toContain(NAME);
  });

  it("leave every user and group of the organization in place (no write went through another door)", async () => {
    expect((await call("GET", `${s.scim}/Users/${id}`, mine)).status).toBe(200);
    const g = await call("GET", `${s.scim}/Groups/${group}`, mine);
    expect(g.status).toBe(200);
    expect(g.body.members.map((m: { value: string }) => m.value)).toEqual([id]);
  });
});
