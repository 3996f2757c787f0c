/**
 * Nesting and object width are refused before the body is parsed (src/http/body.ts): the raw scan
 * agrees with the walk after parsing (src/scim/quirks.ts assertSafeKeys) at every depth around the
 * limit, an object may have MAX_OBJECT_MEMBERS members and not one more (arrays are not bounded
 * here), brackets and commas inside strings do not count, and a body nested 100,000 deep or with an
 * object of 60,000 keys is refused through SCIM, /Bulk and /v1 without being parsed (JSON.parse is
 * never called for it).
 */
import { MAX_OBJECT_MEMBERS, nestsDeeperThan, shapeProblem } from "../../src/http/body";
import { assertSafeKeys, MAX_BODY_DEPTH } from "../../src/scim/quirks";
import { call, startTestServer, type TestServer } from "../helpers/server";

const nested = (levels: number, leaf = "1"): string => `${'{"a":'.repeat(levels)}${leaf}${"}".repeat(levels)}`;
const arrays = (levels: number): string => `${"[".repeat(levels)}1${"]".repeat(levels)}`;
const bytes = (s: string) => Buffer.from(s, "utf8");
const walkRefuses = (text: string): boolean => {
  try {
    assertSafeKeys(JSON.parse(text));
    return false;
  } catch {
    return true;
  }
};

describe("the raw nesting scan", () => {
  it.each([1, 2, MAX_BODY_DEPTH - 1, MAX_BODY_DEPTH, MAX_BODY_DEPTH + 1, MAX_BODY_DEPTH + 2])(
    "agrees with the walk after parsing at %i levels, for objects, arrays and both mixed",
    (levels) => {
      const mixed = `${'{"a":['.repeat(Math.floor(levels / 2))}${levels % 2 ? '{"b":1}' : "1"}${"]}".repeat(Math.floor(levels / 2))}`;
      for (const text of [nested(levels), arrays(levels), mixed]) {
        expect([text.slice(0, 12), nestsDeeperThan(bytes(text), MAX_BODY_DEPTH)]).toEqual([text.slice(0, 12), walkRefuses(text)]);
      }
    },
  );

  it("does not count brackets inside strings, escaped quotes included, nor bytes of other scripts", () => {
    const tricky = JSON.stringify({ a: "{".repeat(100), b: '\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[', c: "李{[👩‍💻" });
    expect(nestsDeeperThan(bytes(tricky), 2)).toBe(false);
    expect(nestsDeeperThan(bytes(nested(3, tricky)), 3)).toBe(true);
    expect(nestsDeeperThan(bytes(nested(2, tricky)), 3)).toBe(false);
  });
});

describe("the raw width scan", () => {
  const object = (members: number): string => JSON.stringify(Object.fromEntries(Array.from({ length: members }, (_, i) => [`k${i}`, [i, i + 1, { v: "a,b" }]])));
  it("lets an object have MAX_OBJECT_MEMBERS members and refuses one more, at any depth", () => {
    expect(shapeProblem(bytes(object(MAX_OBJECT_MEMBERS)), MAX_BODY_DEPTH, MAX_OBJECT_MEMBERS)).toBeNull();
    expect(shapeProblem(bytes(object(MAX_OBJECT_MEMBERS + 1)), MAX_BODY_DEPTH, MAX_OBJECT_MEMBERS)).toBe("wide");
    expect(shapeProblem(bytes(`{"a":{"b":[${object(MAX_OBJECT_MEMBERS + 1)}]}}`), MAX_BODY_DEPTH, MAX_OBJECT_MEMBERS)).toBe("wide");
  });

  it("does not bound arrays, nor count the commas of values, strings or inner objects towards their object", () => {
    const members = Array.from({ length: 50_000 }, (_, i) => ({ value: `US${i}`, display: "a,b,{c}" }));
    expect(shapeProblem(bytes(JSON.stringify({ schemas: ["x"], members })), MAX_BODY_DEPTH, MAX_OBJECT_MEMBERS)).toBeNull();
    expect(shapeProblem(bytes(JSON.stringify({ a: ",".repeat(5000), b: Array(5000).fill(1) })), MAX_BODY_DEPTH, 3)).toBeNull();
  });
});

describe("a body nested far too deep, or too wide, over HTTP", () => {
  let s: TestServer;
  let token: string;
  const parse = JSON.parse;
  let parsedLengths: number[] = [];
  beforeAll(async () => {
    s = await startTestServer({ BODY_LIMIT: "1mb" });
    token = (await s.newOrg({ domainEnforcement: false })).token;
  });
  afterAll(async () => {
    JSON.parse = parse;
    await s.close();
  });
  beforeEach(() => {
    parsedLengths = [];
    // Records what the server parses (it runs in this process): the deep body must never get there.
    JSON.parse = ((text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => {
      parsedLengths.push(String(text).length);
      return parse(text, reviver);
    }) as typeof JSON.parse;
  });
  afterEach(() => {
    JSON.parse = parse;
  });

  const DEEP = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"deep@acme.test","x":${nested(100_000)}}`;

  it.each([
    ["SCIM POST /Users", "POST", "/scim/v2/Users", "application/scim+json"],
    ["SCIM /Bulk", "POST", "/scim/v2/Bulk", "application/scim+json"],
    ["/v1 POST /Tokens", "POST", "/v1/Tokens", "application/json"],
  ])("%s answers 400 tooDeep without parsing the body", async (_name, method, path, type) => {
    const r = await call(method, `${s.url}${path}`, token, DEEP, { "content-type": type });
    expect(r.status).toBe(400);
    expect(r.text).toContain(`nests deeper than ${MAX_BODY_DEPTH} levels`);
    expect(parsedLengths.filter((n) => n >= DEEP.length)).toEqual([]);
  });

  const WIDE = JSON.stringify({ schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "wide@acme.test", ...Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}`, i])) });

  it.each([
    ["SCIM POST /Users", "POST", "/scim/v2/Users", "application/scim+json"],
    ["SCIM /Bulk", "POST", "/scim/v2/Bulk", "application/scim+json"],
    ["/v1 POST /Tokens", "POST", "/v1/Tokens", "application/json"],
  ])("%s answers 400 for an object of 60,000 keys without parsing the body", async (_name, method, path, type) => {
    const r = await call(method, `${s.url}${path}`, token, WIDE, { "content-type": type });
    expect(r.status).toBe(400);
    expect(r.text).toContain(`more than ${MAX_OBJECT_MEMBERS.toLocaleString("en")} members`);
    expect(parsedLengths.filter((n) => n >= WIDE.length)).toEqual([]);
  });

  it("still parses and answers a body nested exactly to the limit (SCIM refuses the unknown attribute, not the depth)", async () => {
    const r = await call("POST", `${s.scim}/Users`, token, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"d@acme.test","x":${nested(MAX_BODY_DEPTH - 1)}}`);
    expect(r.status).toBe(400);
    expect(r.text).not.toContain("nests deeper");
  });
});
