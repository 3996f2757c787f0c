/**
 * A PATCH /Groups body in the plain forms IdPs send for members is read without the general parse
 * (src/scim/patch/plain-member-ops.ts), and answers exactly what the general parse answers: the same
 * membership changes, no other operation, no error. Any other body goes to the general parse.
 */
import fc from "fast-check";
import { parsePatchRequest, splitMemberOps } from "../../src/scim/patch";
import { plainMemberOps } from "../../src/scim/patch/plain-member-ops";
import type { ScimProfile } from "../../src/scim/quirks";
import { groupPatchOf } from "../../src/scim/resource-inputs";
import { GROUPS } from "../../src/scim/resource-types";
import { PATCH_OP } from "./patch-fixtures";

const ID = "US0123456789abcdef0123456789abcdef";
const PROFILES: ScimProfile[] = ["compatible", "strict"];

/** What the general parse makes of the body: its member ops when it has no other operation, else a note. */
function general(body: unknown, profile: ScimProfile): unknown {
  try {
    const { memberOps, otherOps } = splitMemberOps(parsePatchRequest(body, GROUPS.schema, profile));
    return otherOps.length > 0 ? "other operations" : memberOps;
  } catch (e) {
    return `refused: ${(e as Error).message}`;
  }
}

describe("the plain forms of a member PATCH", () => {
  it.each([
    ["Entra's Add", "compatible", { schemas: [PATCH_OP], Operations: [{ op: "Add", path: "members", value: [{ $ref: null, value: ID }] }] }, [{ kind: "add", ids: [ID] }]],
    ["Entra's Remove", "compatible", { schemas: [PATCH_OP], Operations: [{ op: "Remove", path: "members", value: [{ value: ID }] }] }, [{ kind: "remove", ids: [ID] }]],
    ["the RFC's add", "strict", { schemas: [PATCH_OP], Operations: [{ op: "add", path: "members", value: [{ value: ID }, { value: "b" }, { value: ID }] }] }, [{ kind: "add", ids: [ID, "b"] }]],
    ["the RFC's remove", "strict", { schemas: [PATCH_OP], Operations: [{ op: "remove", path: `members[value eq "${ID}"]` }] }, [{ kind: "remove", ids: [ID] }]],
    ["Okta's remove then add", "compatible", { Operations: [{ op: "remove", path: 'members[value eq "a"]' }, { value: [{ value: "b" }], path: "members", op: "add" }], schemas: [PATCH_OP] },
      [{ kind: "remove", ids: ["a"] }, { kind: "add", ids: ["b"] }]],
  ] as const)("reads %s without the general parse, as the general parse reads it", (_, profile, body, expected) => {
    expect(plainMemberOps(body, profile)).toEqual(expected);
    expect(general(body, profile)).toEqual(expected);
    expect(groupPatchOf(body, profile)).toEqual({ transform: null, changes: expected });
  });

  it.each([
    ["a remove with a value under the strict profile (refused there)", "strict", { op: "remove", path: "members", value: [{ value: ID }] }],
    ["an op name not in lower case under the strict profile (refused there)", "strict", { op: "Add", path: "members", value: [{ value: ID }] }],
    ["a $ref that is not null", "compatible", { op: "add", path: "members", value: [{ value: ID, $ref: `https://x/Users/${ID}` }] }],
    ["a member's display", "compatible", { op: "add", path: "members", value: [{ value: ID, display: "X" }] }],
    ["the path in another case", "compatible", { op: "add", path: "Members", value: [{ value: ID }] }],
    ["a filter with or", "compatible", { op: "remove", path: 'members[value eq "a" or value eq "b"]' }],
    ["an id with an escape", "compatible", { op: "remove", path: 'members[value eq "a\\"b"]' }],
    ["an empty value list", "compatible", { op: "add", path: "members", value: [] }],
    ["a forbidden key", "compatible", JSON.parse(`{"op": "add", "path": "members", "value": [{"value": "a", "__proto__": {"x": 1}}]}`)],
    ["a replace", "compatible", { op: "replace", path: "members", value: [{ value: ID }] }],
  ] as const)("leaves %s to the general parse", (_, profile, operation) => {
    expect(plainMemberOps({ schemas: [PATCH_OP], Operations: [operation] }, profile)).toBeNull();
  });

  it("answers, for any body it reads, what the general parse answers", () => {
    // Plain bodies, each part sometimes replaced by something near it: most are plain, many are not.
    const near = <T, U>(plain: fc.Arbitrary<T>, other: fc.Arbitrary<U>) => fc.oneof({ arbitrary: plain, weight: 12 }, { arbitrary: other, weight: 1 });
    const id = near(fc.constantFrom(ID, "a", "b", "x".repeat(64)), fc.oneof(fc.constantFrom("", "a b", 'a"b', "a\\b", "é", "x".repeat(65), 1, null), fc.string({ maxLength: 6 })));
    const member = near(
      fc.tuple(id, fc.boolean()).map(([value, ref]) => (ref ? { $ref: null, value } : { value })),
      fc.oneof(
        id.map((value) => ({ Value: value })),
        fc.tuple(id, fc.constantFrom("ref", 1, "")).map(([value, $ref]) => ({ value, $ref })),
        id.map((value) => ({ value, display: "D" })),
        id.map((value) => JSON.parse(`{"value": ${JSON.stringify(value)}, "__proto__": {}}`) as unknown),
        fc.constantFrom(null, "a", 1, {}),
      ),
    );
    const list = near(fc.array(member, { minLength: 1, maxLength: 3 }), fc.oneof(fc.constant([]), member, fc.constant(null)));
    const op = (name: "add" | "remove") => near(fc.constantFrom(name, name === "add" ? "Add" : "Remove"), fc.constantFrom("ADD", "rEmove", "replace", "move", 1, null));
    const filter = fc.oneof(
      id.map((i) => `members[value eq "${String(i)}"]`),
      fc.tuple(id, id).map(([a, b]) => `members[value eq "${String(a)}" or value eq "${String(b)}"]`),
      fc.constantFrom('members[VALUE eq "a"]', 'Members[value eq "a"]', 'members[value eq "a"].display', 'members[display eq "a"]', "members[value eq a]", 'members[value  eq "a"]'),
    );
    const path = near(fc.constant("members"), fc.constantFrom("Members", "MEMBERS", "displayName", "members.value", " members", null, 1));
    const operation = fc.oneof(
      fc.record({ op: op("add"), path, value: list }),
      fc.record({ op: op("remove"), path, value: list }),
      fc.record({ op: op("remove"), path: near(filter, path) }),
      fc.record({ op: op("remove"), path: filter, value: near(fc.constant(undefined), list) }),
      fc.tuple(fc.constantFrom("Op", "PATH", "Value", "extra", "__proto__"), op("add"), list).map(([k, o, v]) => JSON.parse(JSON.stringify({ op: o, path: "members", value: v, [k]: 1 })) as unknown),
    );
    const body = fc.tuple(
      near(fc.array(operation, { minLength: 1, maxLength: 3 }), fc.oneof(fc.constant([]), fc.constant({}), operation)),
      near(fc.constantFrom([PATCH_OP], [PATCH_OP, "x"], ["x", PATCH_OP]), fc.constantFrom(["x"], [PATCH_OP, 1], PATCH_OP, [])),
      near(fc.constant(null), fc.constantFrom("schemas", "Operations", "SCHEMAS", "other")),
    ).map(([Operations, schemas, change]) => {
      const b: Record<string, unknown> = { schemas, Operations };
      if (change === "schemas") delete b.schemas;
      if (change === "Operations") delete b.Operations;
      if (change === "SCHEMAS") { b.SCHEMAS = b.schemas; delete b.schemas; }
      if (change === "other") b.other = 1;
      return b;
    });
    let read = 0;
    fc.assert(fc.property(body, fc.constantFrom(...PROFILES), (b, profile) => {
      // As the body reaches the route: parsed JSON (undefined members dropped).
      const json = JSON.parse(JSON.stringify(b)) as unknown;
      const plain = plainMemberOps(json, profile);
      if (plain === null) return;
      read++;
      expect(general(json, profile)).toEqual(plain);
    }), { numRuns: 5000 });
    expect(read).toBeGreaterThan(200); // the generated bodies include plain ones (~9%)
  });
});
