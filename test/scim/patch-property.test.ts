/** Property: random PATCH requests never mutate the input, never throw anything but DomainError, never touch Object.prototype. */
import fc from "fast-check";
import { DomainError } from "../../src/domain/errors";
import { applyPatch, parsePatchRequest, splitMemberOps } from "../../src/scim/patch";
import { alice, ENTERPRISE, group, groupSchema, PATCH_OP, userSchema } from "./patch-fixtures";

const paths = [
  "userName", "USERNAME", "active", "title", "name", "name.givenName", "name.nosuch", "emails", "emails.value",
  'emails[type eq "work"]', 'emails[type eq "work"].value', 'emails[type eq "home" or primary eq true].type', "emails[value co \"x\"]",
  'emails[type eq "other"].primary', `${ENTERPRISE}:manager`, `${ENTERPRISE}:employeeNumber`, ENTERPRISE, "members",
  'members[value eq "u1"]', 'members[display eq "x"]', "id", "meta", "groups", "__proto__", "constructor.prototype",
  "__proto__.polluted", "emails[__proto__.x eq 1]", "nosuch", "emails[", "", "displayName",
];
const scalar = fc.oneof(fc.string({ maxLength: 8 }), fc.boolean(), fc.integer(), fc.constant(null), fc.constantFrom("True", "False", ""));
const value = fc.oneof(
  scalar,
  fc.array(scalar, { maxLength: 2 }),
  fc.dictionary(fc.constantFrom("value", "type", "primary", "Primary", "givenName", "$ref", "display", "__proto__", "x"), scalar, { maxKeys: 3 }),
  fc.array(fc.dictionary(fc.constantFrom("value", "type", "primary", "display"), scalar, { maxKeys: 3 }), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom("name.givenName", "active", "id", "emails", "members", "displayName", `${ENTERPRISE}:department`), scalar, { maxKeys: 3 }),
);
const operation = fc.record({
  op: fc.constantFrom("add", "Add", "remove", "Remove", "replace", "Replace", "move"),
  path: fc.option(fc.constantFrom(...paths), { nil: undefined }),
  value: fc.option(value, { nil: undefined }),
});

describe("PATCH engine properties", () => {
  it("never mutates the input, throws only DomainError, and never touches Object.prototype", () => {
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 6 }), fc.boolean(), (ops, onGroup) => {
        const schema = onGroup ? groupSchema : userSchema;
        const resource = onGroup ? group() : alice();
        const snapshot = structuredClone(resource);
        try {
          const parsed = parsePatchRequest({ schemas: [PATCH_OP], Operations: ops }, schema, "compatible");
          if (onGroup) splitMemberOps(parsed);
          applyPatch(resource, parsed);
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
        }
        expect(resource).toEqual(snapshot);
        expect(Object.keys(Object.prototype)).toEqual([]);
        expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
        expect(({} as Record<string, unknown>)["x"]).toBeUndefined();
      }),
      { numRuns: 1500 },
    );
  });
});
