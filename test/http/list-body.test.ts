/**
 * jsonArrayBody: the bytes of head + items joined by commas + tail for JSON texts (which hold no lone
 * surrogate: JSON.stringify escapes them), whatever their characters (1 to 4 UTF-8 bytes) and lengths;
 * for any strings, each piece's own bytes (a surrogate pair split between two pieces is not joined).
 */
import fc from "fast-check";
import { jsonArrayBody } from "../../src/http/scim/list-body";

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
