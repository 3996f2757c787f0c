/**
 * jsonArrayBody: the bytes of head + items joined by commas + tail for JSON texts (which hold no lone
 * surrogate: JSON.stringify escapes them), whatever their characters (1 to 4 UTF-8 bytes) and lengths;
 * for any strings, each piece's own bytes (a surrogate pair split between two pieces is not joined).
 */
import fc from "fast-check";
import type { Response } from "express";
import { jsonArrayBody } from "../../src/http/scim/list-body";
import { sendList, STRING_LIST_UNITS } from "../../src/http/scim/respond";
import { listResponse } from "../../src/scim/discovery";

const unit = fc.oneof(
  fc.constantFrom("a", "é", "€", "李", "😀", "\ud800", "\udc00", "\u0000", '"'),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
);
const text = (maxLength: number) => fc.string({ unit, maxLength });

describe("jsonArrayBody", () => {
  it("writes the bytes of the joined JSON text, growing the buffer when the text before an item took more than a byte a unit", () => {
    const json = (n: number) => text(n).map((s) => JSON.stringify(s));
    fc.assert(fc.property(json(8), fc.array(json(40), { maxLength: 12 }), json(4), (head, items, tail) => {
      expect(jsonArrayBody(head, items, tail).equals(Buffer.from(`${head}${items.join(",")}${tail}`))).toBe(true);
    }), { numRuns: 3000 });
  });

  it("writes each piece's own bytes for any strings", () => {
    fc.assert(fc.property(text(8), fc.array(text(40), { maxLength: 12 }), text(4), (head, items, tail) => {
      const pieces = [head, ...items.flatMap((s, i) => (i > 0 ? [",", s] : [s])), tail].map((s) => Buffer.from(s));
      expect(jsonArrayBody(head, items, tail).equals(Buffer.concat(pieces))).toBe(true);
    }), { numRuns: 3000 });
  });

  it("writes long items of characters of 3 and 4 bytes after short ones (the room reserved is outgrown)", () => {
    const items = ["a", ..."李😀€".split("").map((c) => c.repeat(5000)), "x".repeat(10), "😀".repeat(3000)];
    expect(jsonArrayBody("[", items, "]").equals(Buffer.from(`[${items.join(",")}]`))).toBe(true);
    expect(jsonArrayBody("", [], "").length).toBe(0);
  });
});

/**
 * sendList: a ListResponse's bytes are those of JSON.stringify(listResponse(items, extra)) whether it
 * is sent as one string (up to STRING_LIST_UNITS) or as a Buffer (longer), and either way Node is
 * handed one body to end the response with.
 */
describe("sendList", () => {
  const sent = (items: string[], extra: Record<string, unknown>) => {
    let body: unknown;
    const headers: Record<string, string> = {};
    let status = 0;
    const res = {
      status(s: number) { status = s; return res; },
      setHeader(k: string, v: string) { headers[k.toLowerCase()] = v; return res; },
      end(b: unknown) { body = b; },
    };
    sendList(res as unknown as Response, items, extra);
    return { status, type: headers["content-type"], bytes: Buffer.from(body as string | Buffer), asString: typeof body === "string" };
  };
  const expected = (items: string[], extra: Record<string, unknown>) => Buffer.from(JSON.stringify(listResponse(items.map((s) => JSON.parse(s) as unknown), extra)));

  it("answers the bytes of the whole ListResponse, below and above the length sent as a string", () => {
    const user = (n: number) => JSON.stringify({ id: `U${n}`, userName: `u${n}@acme.test`, name: { formatted: "Zoë 李 😀 \"q\" \\ \u2028" }, pad: "x".repeat(n) });
    const cases: [string[], boolean][] = [
      [[], true],
      [[user(1)], true],
      [[user(10), user(20), user(30)], true],
      [[user(STRING_LIST_UNITS)], false],
      [Array.from({ length: 100 }, (_, i) => user(200 + i)), false],
    ];
    for (const [items, asString] of cases) {
      const extra = { totalResults: items.length, itemsPerPage: items.length, startIndex: 1 };
      expect(sent(items, extra)).toEqual({ status: 200, type: "application/scim+json; charset=utf-8", bytes: expected(items, extra), asString });
    }
  });
});
