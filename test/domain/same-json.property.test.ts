/**
 * sameJsonText(a, b) answers exactly JSON.stringify(a) === JSON.stringify(b) (src/domain/same-json.ts):
 * for generated values and for pairs made alike (a value and a copy of it with its members reordered,
 * undefined members added, one leaf changed), and for the named edge cases of JSON's text.
 */
import fc from "fast-check";
import { sameJsonText } from "../../src/domain/same-json";

const byText = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Values as a user's attributes hold them, with what JSON writes specially mixed in. */
const leaf = fc.oneof(
  fc.string({ maxLength: 4 }), fc.integer({ min: -3, max: 3 }), fc.boolean(), fc.constant(null), fc.constant(undefined),
  fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, 1.5, "0", "", "null"),
);
const value = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, leaf, tie("array"), tie("object")),
  array: fc.array(tie("value"), { maxLength: 4 }),
  object: fc.dictionary(fc.constantFrom("a", "b", "c", "1", "0", "title", "__x"), tie("value"), { maxKeys: 4 }),
})).value;

/** A copy of `v`, with undefined members added, members reordered or one leaf replaced, as `how` draws. */
function alike(v: unknown, how: number[]): unknown {
  const step = how.shift() ?? 0;
  if (Array.isArray(v)) return v.map((x) => alike(x, how));
  if (typeof v === "object" && v !== null) {
    const keys = Object.keys(v);
    if (step % 5 === 1) keys.reverse();
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = alike((v as Record<string, unknown>)[k], how);
    if (step % 5 === 2) out.added = undefined;
    return out;
  }
  if (step % 7 === 3) return typeof v === "string" ? `${v}!` : v === null ? 0 : undefined;
  return v;
}

describe("sameJsonText", () => {
  it("answers what comparing the JSON texts answers, for any two values", () => {
    fc.assert(fc.property(value, value, (a, b) => sameJsonText(a, b) === byText(a, b)), { numRuns: 3000 });
  });

  it("answers what comparing the JSON texts answers, for a value and a copy of it reordered, grown by undefined members or with one leaf changed", () => {
    fc.assert(fc.property(value, fc.array(fc.nat(40), { maxLength: 40 }), (a, how) => {
      const b = alike(a, how);
      return sameJsonText(a, b) === byText(a, b) && sameJsonText(b, a) === byText(b, a);
    }), { numRuns: 3000 });
  });

  it.each([
    ["members in another order", { a: 1, b: 2 }, { b: 2, a: 1 }, false],
    ["an undefined member is absent", { a: 1, b: undefined }, { a: 1 }, true],
    ["an undefined element is null", [undefined, 1], [null, 1], true],
    ["a function member is absent, a function element null", { f: () => 1, a: [() => 1] }, { a: [null] }, true],
    ["NaN and Infinity are null", { a: Number.NaN, b: [Number.POSITIVE_INFINITY] }, { a: null, b: [null] }, true],
    ["0 and -0 are 0", [0], [-0], true],
    ["a string is not the number it spells", { a: "1" }, { a: 1 }, false],
    ["dates by their text", { d: new Date(0) }, { d: "1970-01-01T00:00:00.000Z" }, true],
    ["toJSON is what is written", { a: { toJSON: () => "x" } }, { a: "x" }, true],
    ["integer keys come first in both", { b: 1, 2: 2 }, { 2: 2, b: 1 }, true],
    ["undefined at the top", undefined, undefined, true],
    ["undefined and null at the top", undefined, null, false],
    ["an empty object is not an empty array", {}, [], false],
  ])("%s", (_case, a, b, same) => {
    expect({ sameJsonText: sameJsonText(a, b), byText: byText(a, b) }).toEqual({ sameJsonText: same, byText: same });
  });
});
