/**
 * The schema model (src/scim/schema-model.ts): canonical names without case, URN prefixes,
 * RFC 7643 §3.1 common attributes, `value` defaulting for multi-valued complex attributes, and
 * immunity to prototype-pollution names.
 */
import SCIMMY from "scimmy";
import type { SchemaDoc } from "../../src/scim/schema-doc";
import { isAttrName, ResourceSchema } from "../../src/scim/schema-model";

const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const doc = (d: unknown): SchemaDoc => JSON.parse(JSON.stringify(d)) as SchemaDoc;
const users = new ResourceSchema(doc(SCIMMY.Schemas.User.definition.describe()), [doc(SCIMMY.Schemas.EnterpriseUser.definition.describe())]);
const groups = new ResourceSchema(doc(SCIMMY.Schemas.Group.definition.describe()));

describe("ResourceSchema as the filter resolver", () => {

  it("matches names without case and answers canonical names", () => {
    expect(users.resolve("USERNAME")).toEqual({ attr: "userName", type: "string", caseExact: false, multiValued: false });
    expect(users.resolve("name.FAMILYNAME")).toMatchObject({ attr: "name", sub: "familyName" });
  });

  it("accepts the core and extension URN prefixes, longest first", () => {
    expect(users.resolve("urn:ietf:params:scim:schemas:core:2.0:User:userName")).toMatchObject({ attr: "userName" });
    expect(users.resolve(`${ENT}:manager.value`)).toMatchObject({ schema: ENT, attr: "manager", sub: "value" });
    expect(users.resolve(`${ENT.toLowerCase()}:EMPLOYEENUMBER`)).toMatchObject({ schema: ENT, attr: "employeeNumber" });
  });

  it("knows the common attributes: id and externalId caseExact, meta.created/lastModified dateTime", () => {
    expect(users.resolve("id")).toMatchObject({ type: "string", caseExact: true });
    expect(groups.resolve("externalId")).toMatchObject({ type: "string", caseExact: true });
    expect(groups.resolve("meta.created")).toMatchObject({ attr: "meta", sub: "created", type: "dateTime" });
    expect(users.resolve("meta.lastModified")).toMatchObject({ type: "dateTime" });
    expect(users.resolve("meta.resourceType")).toMatchObject({ type: "string" });
    expect(users.resolve("meta.version")).toMatchObject({ type: "string" });
  });

  it("resolves a multi-valued complex attribute named alone to its value (RFC 7644 §3.4.2.2)", () => {
    expect(users.resolve("emails")).toMatchObject({ attr: "emails", sub: "value", multiValued: true });
    expect(groups.resolve("members")).toMatchObject({ attr: "members", sub: "value", multiValued: true });
  });

  it("refuses a single-valued complex attribute in a filter", () => {
    expect(() => users.resolve("name")).toThrow(expect.objectContaining({ code: 2001 }));
    expect(() => users.resolve("meta")).toThrow(expect.objectContaining({ code: 2001 }));
  });

  it("keeps userName case-insensitive and booleans typed", () => {
    expect(users.resolve("userName").caseExact).toBe(false);
    expect(users.resolve("emails.primary")).toMatchObject({ type: "boolean", multiValued: true });
  });

  it.each([
    "nope", "name.nope", "userName.value", "name.familyName.x", `${ENT}`, `${ENT}:`, "urn:x:y", "",
    "__proto__", "__proto__.x", "constructor", "constructor.prototype", "prototype", "hasOwnProperty", "toString",
    "$where", "$ref", "members.$ref", "emails.$regex", "emails.__proto__", "valueOf",
  ])("treats %j as an unknown attribute (unknownAttribute, 2003)", (path) => {
    expect(() => users.resolve(path)).toThrow(expect.objectContaining({ code: 2003 }));
    expect(() => groups.describe(path)).toThrow(expect.objectContaining({ code: 2003 }));
  });

  it("leaves Object.prototype unchanged after hostile lookups", () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    for (const p of ["__proto__.polluted", "constructor.prototype.polluted"]) expect(() => users.describe(p)).toThrow();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("names the parameter in the error", () => {
    expect(() => users.describe("nope", "sortBy")).toThrow(/in sortBy/);
  });
});

describe("describe and describeSub (for PATCH)", () => {
  it("answers the definition with mutability, multiValued and sub-attributes", () => {
    const emails = users.describe("emails");
    expect(emails.complex).toBe(true);
    expect(emails.ref).toMatchObject({ attr: "emails", multiValued: true });
    expect(emails.ref.sub).toBeUndefined();
    expect(emails.def.subAttributes?.map((s) => s.name)).toContain("primary");
    expect(users.describe("id").def.mutability).toBe("readOnly");
  });

  it("answers the parent definition for a sub-attribute", () => {
    const d = users.describe("emails.TYPE");
    expect(d.def.name).toBe("type");
    expect(d.parentDef?.name).toBe("emails");
    expect(groups.describe("members.value").def.mutability).toBe("immutable");
  });

  it("finds a sub-attribute relative to a parent, keeping the extension URN", () => {
    const manager = users.describe(`${ENT}:manager`);
    expect(users.describeSub(manager, "VALUE").ref).toMatchObject({ schema: ENT, attr: "manager", sub: "value" });
    expect(() => users.describeSub(users.describe("emails.value"), "x")).toThrow(expect.objectContaining({ code: 2003 }));
    expect(() => users.describeSub(users.describe("userName"), "x")).toThrow(expect.objectContaining({ code: 2003 }));
  });

  it("lists the schema ids", () => {
    expect(users.coreId).toBe("urn:ietf:params:scim:schemas:core:2.0:User");
    expect(users.extensionIds).toEqual([ENT]);
  });
});

describe("isAttrName (RFC 7643 ATTRNAME)", () => {
  it("accepts letters then letters, digits, - and _; refuses the rest", () => {
    for (const ok of ["a", "userName", "x-1_b"]) expect(isAttrName(ok)).toBe(true);
    for (const bad of ["", "1a", "_a", "$ref", "a.b", "a b", "__proto__", "é"]) expect(isAttrName(bad)).toBe(false);
  });
});
