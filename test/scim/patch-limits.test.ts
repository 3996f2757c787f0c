/**
 * Issue 14: a PATCH costs work linear in its size. Multi-valued attributes keep their advertised
 * limit (`maxValues`, /Schemas) after every operation, however many operations build them; one
 * request compares at most MAX_ELEMENT_VISITS elements; elements are compared by key, so the
 * keyed comparison must agree with structural equality (the property below).
 */
import fc from "fast-check";
import { DomainError } from "../../src/domain/errors";
import { applyPatch, parsePatchRequest } from "../../src/scim/patch";
import { MAX_ELEMENT_VISITS } from "../../src/scim/patch/apply";
import { canonicalJson, deepEqual } from "../../src/scim/patch/values";
import { MAX_VALUES } from "../../src/scim/schemas";
import { alice, body, userSchema } from "./patch-fixtures";

const emails = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ value: `${prefix}${i}@x.test`, type: "work" }));
const patchUser = (resource: Record<string, unknown>, ...ops: unknown[]) => applyPatch(resource, parsePatchRequest(body(...ops), userSchema, "compatible"));
const refusal = (f: () => unknown): DomainError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error("expected a refusal");
};

describe("multi-valued limits hold after every operation", () => {
  const max = MAX_VALUES.emails!;

  it("refuses one add of more values than the limit before looking at any element (400 invalidValue, code 1014)", () => {
    const e = refusal(() => patchUser(alice(), { op: "add", path: "emails", value: emails(12_000, "a") }));
    expect(e.code).toBe(1014);
    expect(e.message).toContain(`at most ${max} values`);
  });

  it("refuses a sequence of adds that together pass the limit, each under it", () => {
    const ops = Array.from({ length: 120 }, (_, k) => ({ op: "add", path: "emails", value: emails(max, `b${k}-`) }));
    const e = refusal(() => patchUser(alice(), ...ops));
    expect(e.code).toBe(1014);
  });

  it("refuses elements created one by one through value filters past the limit", () => {
    const ops = Array.from({ length: max + 1 }, (_, k) => ({ op: "add", path: `emails[value eq "c${k}@x.test"].type`, value: "work" }));
    expect(refusal(() => patchUser({ userName: "u", emails: [] }, ...ops)).code).toBe(1014);
  });

  it("accepts exactly the limit, and a list already above it (older data) may shrink but not grow", () => {
    expect((patchUser({ userName: "u" }, { op: "add", path: "emails", value: emails(max, "d") }).emails as unknown[]).length).toBe(max);
    const above = { userName: "u", emails: emails(max + 20, "e") };
    const shrunk = patchUser(above, { op: "remove", path: 'emails[value eq "e0@x.test"]' });
    expect((shrunk.emails as unknown[]).length).toBe(max + 19);
    expect(refusal(() => patchUser(above, { op: "add", path: "emails", value: [{ value: "new@x.test" }] })).code).toBe(1014);
  });

  it("leaves the input untouched when it refuses", () => {
    const before = alice();
    const copy = structuredClone(before);
    refusal(() => patchUser(before, { op: "add", path: "emails", value: emails(60, "f") }, { op: "add", path: "emails", value: emails(60, "g") }));
    expect(before).toEqual(copy);
  });
});

describe("one request compares a bounded number of elements", () => {
  it(`refuses 400 tooMany once its operations would compare more than ${MAX_ELEMENT_VISITS} elements`, () => {
    const ops = Array.from({ length: 1000 }, (_, k) => ({ op: "replace", path: `emails[value eq "h${k % 100}@x.test"].display`, value: `n${k}` }));
    const e = refusal(() => patchUser({ userName: "u", emails: emails(100, "h") }, ...ops));
    expect(e.kind).toBe("tooMany");
    expect(e.message).toContain("nothing was changed");
  });

  it("accepts what identity providers send: tens of operations on short lists", () => {
    const ops = Array.from({ length: 50 }, (_, k) => ({ op: "replace", path: `emails[type eq "work"].display`, value: `n${k}` }));
    expect(() => patchUser({ userName: "u", emails: emails(10, "i") }, ...ops)).not.toThrow();
  });
});

describe("keyed comparison of elements", () => {
  const json = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: "small" }, fc.string({ maxLength: 3 }), fc.integer({ min: -2, max: 2 }), fc.boolean(), fc.constant(null),
      fc.array(tie("v"), { maxLength: 3 }), fc.dictionary(fc.constantFrom("a", "b", "value", "type"), tie("v"), { maxKeys: 3 })),
  })).v;

  it("canonicalJson(a) === canonicalJson(b) exactly when a and b are structurally equal", () => {
    fc.assert(fc.property(json, json, (a, b) => (canonicalJson(a) === canonicalJson(b)) === deepEqual(a, b)), { numRuns: 2000 });
    // and key order never matters
    expect(canonicalJson({ value: "x", type: "work" })).toBe(canonicalJson({ type: "work", value: "x" }));
  });

  it("dedupes an add against the current list and within its own value, as structural equality would", () => {
    const out = patchUser({ userName: "u", emails: [{ type: "work", value: "a@x.test" }] },
      { op: "add", path: "emails", value: [{ value: "a@x.test", type: "work" }, { value: "b@x.test" }, { value: "b@x.test" }] });
    expect(out.emails).toEqual([{ type: "work", value: "a@x.test" }, { value: "b@x.test" }]);
  });

  it("removes by value list in one pass: {value} removes by value, other values by equality", () => {
    const out = patchUser({ userName: "u", emails: emails(5, "j") },
      { op: "remove", path: "emails", value: [{ value: "j1@x.test" }, { value: "j3@x.test", type: "work" }] });
    expect((out.emails as { value: string }[]).map((e) => e.value)).toEqual(["j0@x.test", "j2@x.test", "j4@x.test"]);
  });
});
