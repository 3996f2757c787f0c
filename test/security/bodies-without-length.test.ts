/**
 * A body the JSON parser is skipped for is a body that really is not there (docs/security.md case
 * 67, held). Since dc697db the SCIM router's body parser passes a request with neither
 * Transfer-Encoding nor Content-Length on at once (no body at all: every GET). A chunked body has
 * no Content-Length: taken for "no body", a create would be answered as if empty, and (worse) its
 * bytes would never meet the parser's bounds (size, nesting, members) or its media-type check.
 *
 * Attacked with requests written byte for byte on a socket (fetch always frames a body): chunked
 * bodies at SCIM POST, PATCH and PUT, a chunked body nested too deep, one over the size limit, one
 * in another media type, a chunked /Bulk (its own parser), and writes with no framing at all
 * (HTTP/1.1 gives such a request no body; its handler meets req.body undefined). Held: a chunked
 * body is read and applied as the same body with a Content-Length would be, and bounded as it
 * would be (400 tooDeep, 413, 415, nothing created); a write without a body is refused 400
 * invalidSyntax, never a 5xx. Real HTTP, real SQLite store.
 */
import { connect } from "node:net";
import { call, PATCH_SCHEMA, startTestServer, userBody, type TestServer } from "../helpers/server";

jest.setTimeout(120_000);

let s: TestServer;
let token = "";
const run = Math.random().toString(36).slice(2, 8);

beforeAll(async () => {
  s = await startTestServer({ BODY_LIMIT: "64kb" });
  token = (await s.newOrg({ domainEnforcement: false })).token;
});
afterAll(() => s.close());

interface Raw { status: number; body: Record<string, unknown> | null; text: string }

/** One request written as raw bytes on its own connection (Connection: close); the whole answer once the server closes it. */
function raw(head: string, body = ""): Promise<Raw> {
  const u = new URL(s.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => {
      socket.write(`${head.replace(/\n/g, "\r\n")}Host: ${u.host}\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n${body}`);
    });
    const chunks: Buffer[] = [];
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const payload = text.slice(text.indexOf("\r\n\r\n") + 4);
      let parsed: Record<string, unknown> | null = null;
      try {
        parsed = JSON.parse(payload) as Record<string, unknown>;
      } catch {
        // empty (204) or not JSON
      }
      resolve({ status, body: parsed, text });
    });
  });
}

/** `text` as a chunked body: in pieces of at most 1,000 bytes, then the last chunk. */
const chunked = (text: string): string => {
  const bytes = Buffer.from(text, "utf8");
  let out = "";
  for (let i = 0; i < bytes.length; i += 1000) {
    const piece = bytes.subarray(i, i + 1000);
    out += `${piece.length.toString(16)}\r\n${piece.toString("utf8")}\r\n`;
  }
  return `${out}0\r\n\r\n`;
};
const CHUNKED = "Content-Type: application/scim+json\nTransfer-Encoding: chunked\n";

const byName = async (userName: string): Promise<number> => {
  const r = await call("GET", `${s.scim}/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`, token);
  expect(r.status).toBe(200);
  return r.body.totalResults as number;
};

describe("a chunked body (no Content-Length)", () => {
  it("creates the user it describes (POST /Users)", async () => {
    const name = `chunked-${run}@acme.test`;
    const r = await raw("POST /scim/v2/Users HTTP/1.1\n" + CHUNKED, chunked(JSON.stringify(userBody(name, { displayName: "Chunked" }))));
    expect({ status: r.status, userName: r.body?.userName, displayName: r.body?.displayName }).toEqual({ status: 201, userName: name, displayName: "Chunked" });
    expect(await byName(name)).toBe(1);
  });

  it("creates the users a /Bulk describes (its own parser, its own limit)", async () => {
    const name = `bulk-chunked-${run}@acme.test`;
    const bulk = { schemas: ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], Operations: [{ method: "POST", path: "/Users", bulkId: "a", data: userBody(name) }] };
    const r = await raw("POST /scim/v2/Bulk HTTP/1.1\n" + CHUNKED, chunked(JSON.stringify(bulk)));
    expect({ status: r.status, op: (r.body?.Operations as Array<{ status: string }> | undefined)?.[0]?.status }).toEqual({ status: 200, op: "201" });
    expect(await byName(name)).toBe(1);
  });

  it("changes what a PATCH says and replaces what a PUT says", async () => {
    const made = await call("POST", `${s.scim}/Users`, token, userBody(`patched-${run}@acme.test`));
    expect(made.status).toBe(201);
    const id = made.body.id as string;
    const patch = { schemas: [PATCH_SCHEMA], Operations: [{ op: "replace", path: "displayName", value: "Patched in chunks" }] };
    const p = await raw(`PATCH /scim/v2/Users/${id} HTTP/1.1\n${CHUNKED}`, chunked(JSON.stringify(patch)));
    expect([200, 204]).toContain(p.status);
    expect((await call("GET", `${s.scim}/Users/${id}`, token)).body.displayName).toBe("Patched in chunks");
    const put = await raw(`PUT /scim/v2/Users/${id} HTTP/1.1\n${CHUNKED}`, chunked(JSON.stringify(userBody(`put-${run}@acme.test`, { displayName: "Put in chunks" }))));
    expect({ status: put.status, userName: put.body?.userName }).toEqual({ status: 200, userName: `put-${run}@acme.test` });
  });

  it("is bounded as a framed body is: too deep 400, too large 413, another media type 415; nothing created", async () => {
    const deepName = `deep-${run}@acme.test`;
    const deep = JSON.stringify(userBody(deepName, { nested: JSON.parse(`${"[".repeat(200)}${"]".repeat(200)}`) as unknown }));
    const tooDeep = await raw("POST /scim/v2/Users HTTP/1.1\n" + CHUNKED, chunked(deep));
    expect({ status: tooDeep.status, detail: tooDeep.body?.detail }).toEqual({ status: 400, detail: expect.stringMatching(/deep|nest/i) });

    const bigName = `big-${run}@acme.test`;
    const big = await raw("POST /scim/v2/Users HTTP/1.1\n" + CHUNKED, chunked(JSON.stringify(userBody(bigName, { title: "x".repeat(100_000) }))));
    expect(big.status).toBe(413);

    const plainName = `plain-${run}@acme.test`;
    const plain = await raw("POST /scim/v2/Users HTTP/1.1\nContent-Type: text/plain\nTransfer-Encoding: chunked\n", chunked(JSON.stringify(userBody(plainName))));
    expect(plain.status).toBe(415);

    for (const name of [deepName, bigName, plainName]) expect(await byName(name)).toBe(0);
  });
});

describe("a write with no framing at all (neither Transfer-Encoding nor Content-Length)", () => {
  it.each([
    ["POST", "/scim/v2/Users"],
    ["POST", "/scim/v2/Groups"],
    ["POST", "/scim/v2/Bulk"],
    ["PUT", "/scim/v2/Users/US00000000000000000000000000000000"],
    ["PATCH", "/scim/v2/Users/US00000000000000000000000000000000"],
  ])("%s %s is refused 400 as a write without a body, never a 5xx", async (method, path) => {
    const r = await raw(`${method} ${path} HTTP/1.1\nContent-Type: application/scim+json\n`);
    expect({ status: r.status, scimType: r.body?.scimType }).toEqual({ status: 400, scimType: "invalidSyntax" });
  });
});
