/** Every IdP quirk in src/scim/quirks.ts, and the body guard assertSafeKeys. */
import { DomainError } from "../../src/domain/errors";
import { ResourceSchema } from "../../src/scim/schema-model";
import {
  assertSafeKeys, bareStringToComplex, expandPathlessValue, foldOpName, getCI, isEchoedId, normalizeBody,
  normalizeValue, removalValues, stringToBoolean, toElementArray, unwrapSingleElementArray,
} from "../../src/scim/quirks";
import { coreGroup, coreUser, enterpriseUser } from "../../src/scim/schemas";
import { ENTERPRISE } from "./patch-fixtures";

const users = new ResourceSchema(coreUser, [enterpriseUser]);
const groups = new ResourceSchema(coreGroup, []);
const def = (name: string) => users.attr(name)!;
const manager = users.extAttr(ENTERPRISE, "manager")!;
const members = groups.attr("members")!;

describe("assertSafeKeys", () => {
  it.each(["__proto__", "constructor", "prototype"])("refuses the key %s at any depth", (key) => {
    const b = JSON.parse(`{"a":[{"b":{"${key}":{"polluted":1}}}]}`);
    expect(() => assertSafeKeys(b)).toThrow(expect.objectContaining({ code: 1007 }));
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });
  it("refuses nesting deeper than 32 levels", () => {
    let b: unknown = 1;
    for (let i = 0; i < 33; i++) b = { a: b };
    expect(() => assertSafeKeys(b)).toThrow(expect.objectContaining({ code: 1008 }));
  });
  it("accepts 31 levels", () => {
    let b: unknown = 1;
    for (let i = 0; i < 31; i++) b = [b];
    expect(() => assertSafeKeys(b)).not.toThrow();
  });
  it("refuses JSON nested 100,000 deep without overflowing the stack", () => {
    const b = JSON.parse("[".repeat(100_000) + "]".repeat(100_000));
    expect(() => assertSafeKeys(b)).toThrow(DomainError);
  });
  it("accepts the words as values", () => expect(() => assertSafeKeys({ a: "__proto__", b: ["constructor"] })).not.toThrow());
});

describe("Microsoft Entra ID quirks", () => {
  it("folds capitalized op names: Replace, Add, Remove", () => {
    expect(["Replace", "Add", "Remove", "ADD"].map(foldOpName)).toEqual(["replace", "add", "remove", "add"]);
  });
  it("reads \"True\"/\"False\" strings as booleans without case, and leaves other strings", () => {
    expect(["True", "False", "true", "FALSE", "yes"].map(stringToBoolean)).toEqual([true, false, true, false, "yes"]);
  });
  it("unwraps a one-element array for a single-valued attribute", () => {
    expect(unwrapSingleElementArray(["Sales"])).toBe("Sales");
    expect(normalizeValue(["Sales"], def("title"), users, "compatible")).toBe("Sales");
    expect(normalizeValue(["False"], def("active"), users, "compatible")).toBe(false);
  });
  it("reads a bare string manager as {value} and an empty string as clear", () => {
    expect(bareStringToComplex("m1", manager)).toEqual({ value: "m1" });
    expect(normalizeValue("", manager, users, "compatible")).toBeNull();
  });
  it("drops a null $ref from a member", () => {
    expect(normalizeValue([{ $ref: null, value: "u1" }], members, groups, "compatible")).toEqual([{ value: "u1" }]);
  });
  it("reads the Remove members value array as the members to remove", () => {
    expect(removalValues([{ value: "u1" }, "u2"], members, "compatible")).toEqual([{ value: "u1" }, { value: "u2" }]);
    expect(removalValues(undefined, members, "compatible")).toBeUndefined();
    expect(removalValues([], members, "compatible")).toEqual([]);
  });
  it("expands a path-less value whose keys are dotted and URN paths into one path each", () => {
    expect(expandPathlessValue({ "name.givenName": "Z", [`${ENTERPRISE}:employeeNumber`]: "7" }, users)).toEqual([
      { path: "name.givenName", value: "Z" },
      { path: `${ENTERPRISE}:employeeNumber`, value: "7" },
    ]);
  });
  it("expands a path-less value keyed by an extension URN into that extension's attributes", () => {
    expect(expandPathlessValue({ [ENTERPRISE.toLowerCase()]: { department: "D" } }, users)).toEqual([{ path: `${ENTERPRISE}:department`, value: "D" }]);
  });
});

describe("Microsoft's Postman test quirks", () => {
  it("wraps a bare string member value as [{value}]", () => {
    expect(toElementArray("string id 1", members)).toEqual([{ value: "string id 1" }]);
  });
  it("reads \"Primary\" and \"True\" in emails without case", () => {
    expect(normalizeValue([{ Value: "a@x.com", Primary: "True" }], def("emails"), users, "compatible")).toEqual([{ value: "a@x.com", primary: true }]);
  });
});

describe("Okta quirks", () => {
  it("recognises the resource's own id echoed in a path-less replace", () => {
    expect(isEchoedId("g1", "g1")).toBe(true);
    expect(isEchoedId("g2", "g1")).toBe(false);
  });
});

describe("keys without case", () => {
  it("finds Operations and operations alike", () => {
    expect(getCI({ operations: 1 }, "Operations")).toBe(1);
    expect(getCI({ Operations: 2 }, "Operations")).toBe(2);
    expect(getCI({ x: 2 }, "Operations")).toBeUndefined();
  });
});

describe("normalizeBody (POST/PUT)", () => {
  it("converts string booleans where the schema says boolean, and canonicalises names", () => {
    const out = normalizeBody({
      UserName: "u", Active: "True", emails: [{ value: "a@x.com", primary: "false" }], title: "True",
      [ENTERPRISE.toUpperCase()]: { Manager: "m1", department: "D" },
    }, users, "compatible");
    expect(out).toEqual({
      userName: "u", active: true, emails: [{ value: "a@x.com", primary: false }], title: "True",
      [ENTERPRISE]: { manager: { value: "m1" }, department: "D" },
    });
  });
  it("drops a manager cleared with an empty string", () => {
    expect(normalizeBody({ [ENTERPRISE]: { manager: "" } }, users, "compatible")).toEqual({ [ENTERPRISE]: {} });
  });
  it("keeps unknown keys for the caller to judge", () => {
    expect(normalizeBody({ nosuch: "x", schemas: ["s"] }, users, "compatible")).toEqual({ nosuch: "x", schemas: ["s"] });
  });
});
