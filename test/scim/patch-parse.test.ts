/** RFC 7644 §3.5.2: the PatchOp envelope and PATCH paths, as parsePatchRequest checks them. */
import { DomainError } from "../../src/domain/errors";
import { parsePatchRequest } from "../../src/scim/patch";
import { body, ENTERPRISE, PATCH_OP, userSchema } from "./patch-fixtures";

const refusal = (b: unknown): DomainError => {
  try {
    parsePatchRequest(b, userSchema, "compatible");
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error("expected a refusal");
};

describe("PatchOp envelope (RFC 7644 §3.5.2)", () => {
  it("refuses a body whose schemas does not list the PatchOp URN", () => {
    const e = refusal({ schemas: ["urn:x"], Operations: [{ op: "add", path: "title", value: "x" }] });
    expect(e.code).toBe(3001);
    expect(e.message).toContain(PATCH_OP);
  });
  it("refuses an empty Operations array", () => expect(refusal(body()).code).toBe(3001));
  it("refuses more than 1,000 operations", () => {
    const ops = Array.from({ length: 1001 }, () => ({ op: "add", path: "title", value: "x" }));
    expect(refusal(body(...ops)).message).toContain("1000");
  });
  it("accepts exactly 1,000 operations", () => {
    const ops = Array.from({ length: 1000 }, () => ({ op: "add", path: "title", value: "x" }));
    expect(parsePatchRequest(body(...ops), userSchema, "compatible")).toHaveLength(1000);
  });
  it("refuses an op other than add, remove or replace", () => expect(refusal(body({ op: "move", path: "title" })).code).toBe(3001));
  it("refuses remove without a path", () => expect(refusal(body({ op: "remove" })).message).toContain("path"));
  it("refuses a body that is not an object", () => expect(refusal([1, 2]).code).toBe(3001));
  it("refuses add without a value", () => expect(refusal(body({ op: "add", path: "title" })).code).toBe(3001));
  it("refuses a path-less add whose value is not an object", () => expect(refusal(body({ op: "add", value: "x" })).code).toBe(3001));
  it("reads Operations, op, path and value without case", () => {
    const ops = parsePatchRequest({ Schemas: [PATCH_OP], operations: [{ OP: "Add", Path: "title", Value: "Boss" }] }, userSchema, "compatible");
    expect(ops).toMatchObject([{ op: "add", path: { attr: "title" }, value: "Boss" }]);
  });
  it("refuses __proto__ anywhere in the body", () => {
    const e = refusal(JSON.parse(`{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","value":{"__proto__":{"x":1}}}]}`));
    expect(e.code).toBe(1007);
    expect(({} as Record<string, unknown>)["x"]).toBeUndefined();
  });
});

describe("PATCH paths", () => {
  it("resolves attribute names without case", () => {
    expect(parsePatchRequest(body({ op: "replace", path: "USERNAME", value: "b" }), userSchema, "compatible")[0]).toMatchObject({ path: { attr: "userName" } });
  });
  it("resolves a sub-attribute path", () => {
    expect(parsePatchRequest(body({ op: "replace", path: "name.GivenName", value: "B" }), userSchema, "compatible")[0]).toMatchObject({ path: { attr: "name", sub: "givenName" } });
  });
  it("resolves an extension URN path", () => {
    const [op] = parsePatchRequest(body({ op: "replace", path: `${ENTERPRISE}:employeeNumber`, value: "7" }), userSchema, "compatible");
    expect(op).toMatchObject({ path: { schema: ENTERPRISE, attr: "employeeNumber" } });
  });
  it("resolves a core-URN-qualified path to the core attribute", () => {
    const [op] = parsePatchRequest(body({ op: "replace", path: "urn:ietf:params:scim:schemas:core:2.0:User:userName", value: "b" }), userSchema, "compatible");
    expect(op).toMatchObject({ path: { attr: "userName" } });
    expect((op as { path: { schema?: string } }).path.schema).toBeUndefined();
  });
  it("resolves a value path with a sub-attribute", () => {
    const [op] = parsePatchRequest(body({ op: "replace", path: 'emails[type eq "work"].value', value: "w@x.com" }), userSchema, "compatible");
    expect(op).toMatchObject({ path: { attr: "emails", sub: "value", filter: { kind: "has" } } });
  });
  it.each([
    ["an unknown attribute", "nosuch"],
    ["an unknown sub-attribute", "name.nosuch"],
    ["a sub-attribute of a simple attribute", "userName.x"],
    ["a filter on a single-valued attribute", 'name[givenName eq "x"]'],
    ["an unknown extension URN", "urn:ietf:params:scim:schemas:extension:nosuch:2.0:User:x"],
    ["an unbalanced bracket", 'emails[type eq "work"'],
    ["an invalid filter", "emails[type eq]"],
    ["constructor", "constructor"],
    ["__proto__.x", "__proto__.x"],
  ])("answers invalidPath for %s", (_what, path) => {
    const e = refusal(body({ op: "replace", path, value: "x" }));
    expect(e.kind).toBe("invalidPath");
  });
  it.each(["id", "meta", "schemas", "meta.created", "groups"])("answers mutability for a change of %s", (path) => {
    expect(refusal(body({ op: "replace", path, value: "x" })).kind).toBe("mutability");
  });
  it("answers mutability for add of groups on a User (docs/security.md#case-11)", () => {
    expect(refusal(body({ op: "add", path: "groups", value: [{ value: "g1" }] })).kind).toBe("mutability");
  });
  it("answers mutability for remove of the required userName", () => {
    expect(refusal(body({ op: "remove", path: "userName" })).kind).toBe("mutability");
  });
  it("answers mutability for a replace of userName with null", () => {
    expect(refusal(body({ op: "replace", path: "userName", value: null })).kind).toBe("mutability");
  });
  it("answers invalidValue for a value of the wrong type", () => {
    expect(refusal(body({ op: "replace", path: "active", value: "maybe" })).kind).toBe("invalidValue");
    expect(refusal(body({ op: "replace", path: "title", value: { a: 1 } })).kind).toBe("invalidValue");
    expect(refusal(body({ op: "add", path: "emails", value: [{ value: 5 }] })).kind).toBe("invalidValue");
    expect(refusal(body({ op: "replace", path: "active", value: [] })).kind).toBe("invalidValue");
  });
  it("ignores readOnly sub-attributes inside a value (RFC 7643 §2.2)", () => {
    const [op] = parsePatchRequest(body({ op: "replace", path: `${ENTERPRISE}:manager`, value: { value: "m1", displayName: "Boss" } }), userSchema, "compatible");
    expect((op as { value: Record<string, unknown> }).value).toEqual({ value: "m1" });
  });

  it("refuses an unknown sub-attribute inside a value with 400 invalidSyntax: nothing is silently dropped", () => {
    for (const value of [{ value: "m1", x: 1 }, { value: "m1", nickname2: "y" }]) {
      expect(() => parsePatchRequest(body({ op: "replace", path: `${ENTERPRISE}:manager`, value }), userSchema, "compatible"))
        .toThrow(expect.objectContaining({ kind: "invalidSyntax", code: 1012 }));
    }
    expect(() => parsePatchRequest(body({ op: "add", path: "emails", value: [{ value: "a@x.test", tpye: "work" }] }), userSchema, "compatible"))
      .toThrow(/'emails' has no attribute 'tpye'/);
  });
});
