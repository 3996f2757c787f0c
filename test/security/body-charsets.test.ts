/**
 * A body's shape bounds hold in every charset the parser accepts (docs/security.md case 71). The
 * JSON parser (src/http/body.ts) refuses a body nested deeper than MAX_BODY_DEPTH or with an
 * object of more than MAX_OBJECT_MEMBERS members by scanning its raw bytes before JSON.parse; it
 * also accepts a body in any charset named utf-* (body-parser decodes UTF-16, UTF-32 and UTF-7),
 * and the byte scan read only UTF-8: a body sent as UTF-16 passed the member bound whole (the
 * nesting bound has a second check after parsing).
 *
 * Attacked at each door with a body of its own (SCIM POST /Users, PATCH /Users/{id}, /Bulk and /v1
 * POST /Users/{sid}): an object of 1,500 members, sent in UTF-8 and in UTF-16LE, UTF-16BE,
 * UTF-16 with a byte-order mark, UTF-32LE and UTF-7 (whose brackets and commas can travel as
 * base64). Held when every charset gets the answer UTF-8 gets (the member bound's 400) and nothing
 * is created or changed; a plain body in each of those charsets is still applied (the check can
 * fail on a refusal of the charset itself). Real HTTP, real SQLite store.
 */
import { request } from "node:http";
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";

jest.setTimeout(120_000);

let s: TestServer;
let token = "";
let userId = "";
let userSid = "";
const run = Math.random().toString(36).slice(2, 8);

beforeAll(async () => {
  s = await startTestServer();
  token = (await s.newOrg({ domainEnforcement: false })).token;
  const u = await call("POST", `${s.scim}/Users`, token, userBody(`target-${run}@acme.test`, { displayName: "Target" }));
  expect(u.status).toBe(201);
  userId = u.body.id as string;
  userSid = userId; // a user's /v1 sid is its SCIM id
});
afterAll(() => s.close());

/** UTF-16 big-endian bytes of `text` (Node encodes only little-endian). */
const utf16be = (text: string): Buffer => {
  const b = Buffer.from(text, "utf16le");
  for (let i = 0; i + 1 < b.length; i += 2) [b[i], b[i + 1]] = [b[i + 1]!, b[i]!];
  return b;
};
const utf32le = (text: string): Buffer => {
  const points = [...text].map((c) => c.codePointAt(0)!);
  const b = Buffer.alloc(points.length * 4);
  points.forEach((p, i) => b.writeUInt32LE(p, i * 4));
  return b;
};
/** UTF-7 (RFC 2152) with every character in one base64 run: no bracket or comma appears as itself. */
const utf7 = (text: string): Buffer => Buffer.from(`+${utf16be(text).toString("base64").replace(/=+$/, "")}-`, "ascii");

const CHARSETS: Record<string, (text: string) => Buffer> = {
  "utf-16le": (t) => Buffer.from(t, "utf16le"),
  "utf-16be": utf16be,
  "utf-16": (t) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, "utf16le")]),
  "utf-32le": utf32le,
  "utf-7": utf7,
};

interface Answer { status: number; body: Record<string, unknown> | null }

/** One request with the body's bytes as given and its charset named in Content-Type. */
function send(method: string, path: string, bytes: Buffer, contentType: string): Promise<Answer> {
  const u = new URL(s.url);
  return new Promise((resolve, reject) => {
    const req = request({
      host: u.hostname, port: u.port, method, path,
      headers: { authorization: `Bearer ${token}`, "content-type": contentType, "content-length": bytes.length },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: Record<string, unknown> | null = null;
        try { body = JSON.parse(text) as Record<string, unknown>; } catch { /* empty or not JSON */ }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(bytes);
  });
}

/** 1,500 members: past MAX_OBJECT_MEMBERS (1,000), a few KB in any charset. */
const wide = (): Record<string, number> => Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`k${i}`, i]));

interface Door { name: string; method: string; path: () => string; type: string; body: (tag: string) => unknown }
const DOORS: Door[] = [
  { name: "SCIM POST /Users", method: "POST", path: () => "/scim/v2/Users", type: "application/scim+json", body: (tag) => ({ ...userBody(`wide-${tag}-${run}@acme.test`), name: { givenName: "W", familyName: "W", ...wide() } }) },
  { name: "SCIM PATCH /Users/{id}", method: "PATCH", path: () => `/scim/v2/Users/${userId}`, type: "application/scim+json", body: () => ({ schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", value: { displayName: "Changed", ...wide() } }] }) },
  {
    name: "SCIM POST /Bulk", method: "POST", path: () => "/scim/v2/Bulk", type: "application/scim+json",
    body: (tag) => ({ schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations: [{ method: "POST", path: "/Users", bulkId: "b1", data: { ...userBody(`bulk-${tag}-${run}@acme.test`), ...wide() } }] }),
  },
  { name: "/v1 POST /Users/{sid}", method: "POST", path: () => `/v1/Users/${userSid}`, type: "application/json", body: () => ({ given_name: "Changed", ...wide() }) },
];

const summary = (a: Answer) => ({ status: a.status, detail: a.body?.detail ?? a.body?.message ?? null, scimType: a.body?.scimType ?? null, code: a.body?.code ?? null });

describe.each(DOORS)("a body wider than the member bound at $name", (door) => {
  it("is refused in every accepted charset as in UTF-8, and nothing is written", async () => {
    const utf8 = await send(door.method, door.path(), Buffer.from(JSON.stringify(door.body("utf8")), "utf8"), door.type);
    expect(summary(utf8)).toMatchObject({ status: 400 });
    expect(String(summary(utf8).detail)).toMatch(/more than 1,000 members/);
    const seen: Record<string, unknown> = {};
    const want: Record<string, unknown> = {};
    for (const [charset, encode] of Object.entries(CHARSETS)) {
      const text = JSON.stringify(door.body(charset.replace(/\W/g, "")));
      seen[charset] = summary(await send(door.method, door.path(), encode(text), `${door.type}; charset=${charset}`));
      want[charset] = summary(utf8);
    }
    expect(seen).toEqual(want);
    for (const prefix of ["wide-", "bulk-"]) {
      const created = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent(`userName sw "${prefix}"`)}`, token);
      expect({ prefix, status: created.status, total: created.body.totalResults }).toEqual({ prefix, status: 200, total: 0 });
    }
    const target = await call("GET", `${s.scim}/Users/${userId}`, token);
    expect({ displayName: target.body.displayName, given: target.body.name?.givenName }).toEqual({ displayName: "Target", given: "Given" });
  });
});

describe("a body nested past the depth bound (100,000 levels)", () => {
  it("is refused tooDeep in every accepted charset as in UTF-8", async () => {
    const deep = (tag: string) => `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"deep-${tag}-${run}@acme.test","name":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    const utf8 = summary(await send("POST", "/scim/v2/Users", Buffer.from(deep("utf8"), "utf8"), "application/scim+json"));
    expect(utf8).toMatchObject({ status: 400, scimType: "invalidSyntax" });
    expect(String(utf8.detail)).toMatch(/deeper than 32/);
    const seen: Record<string, unknown> = {};
    const want: Record<string, unknown> = {};
    for (const [charset, encode] of Object.entries(CHARSETS)) {
      seen[charset] = summary(await send("POST", "/scim/v2/Users", encode(deep(charset.replace(/\W/g, ""))), `application/scim+json; charset=${charset}`));
      want[charset] = utf8;
    }
    expect(seen).toEqual(want);
  });
});

describe("a plain body in those charsets", () => {
  it.each(Object.keys(CHARSETS))("is still read and applied (%s)", async (charset) => {
    const name = `plain-${charset.replace(/\W/g, "")}-${run}@acme.test`;
    const r = await send("POST", "/scim/v2/Users", CHARSETS[charset]!(JSON.stringify(userBody(name, { displayName: "Zoë Plain" }))), `application/scim+json; charset=${charset}`);
    expect({ status: r.status, userName: r.body?.userName, displayName: r.body?.displayName }).toEqual({ status: 201, userName: name, displayName: "Zoë Plain" });
    const del = await call("DELETE", `${s.scim}/Users/${r.body?.id as string}`, token);
    expect(del.status).toBe(204);
  });
});
