/** flatJson and jsonString write what JSON.stringify writes, byte for byte, for generated flat objects and strings. */
import fc from "fast-check";
import { flatJson, jsonString } from "../../src/scim/flat-json";

const oddChar = fc.oneof(
  fc.constantFrom('"', "\\", "\u2028", "\u0000", "\u001f", "\u007f", "\n", "\ud800", "\udfff", "😀", "é"),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
);
const text = fc.string({ unit: oddChar, maxLength: 12 });
const primitive = fc.oneof(text, fc.boolean(), fc.double(), fc.integer(), fc.constant(null), fc.constant(undefined), fc.constant(-0), fc.constant(Number.NaN));
const anything = fc.oneof(primitive, fc.array(primitive, { maxLength: 2 }), fc.dictionary(text, primitive, { maxKeys: 2 }));

describe("flatJson", () => {
  it("writes JSON.stringify(s) for any string", () => {
    fc.assert(fc.property(text, (s) => expect(jsonString(s)).toBe(JSON.stringify(s))), { numRuns: 2000 });
  });

  it("writes JSON.stringify(o) for any flat object (keys that are array indexes, undefined, NaN and -0 too), and for one holding anything else", () => {
    const key = fc.oneof(text, fc.constantFrom("0", "12", "__proto__", "toJSON"));
    const object = (value: fc.Arbitrary<unknown>) => fc.array(fc.tuple(key, value), { maxLength: 6 }).map((entries) => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
      return o;
    });
    fc.assert(fc.property(object(primitive), (o) => expect(flatJson(o)).toBe(JSON.stringify(o))), { numRuns: 2000 });
    fc.assert(fc.property(object(anything), (o) => expect(flatJson(o)).toBe(JSON.stringify(o))), { numRuns: 1000 });
  });
});
