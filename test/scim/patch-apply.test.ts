/** RFC 7644 §3.5.2.1–3 semantics of applyPatch, with the RFC's own example operations. */
import { DomainError } from "../../src/domain/errors";
import { applyPatch, parsePatchRequest } from "../../src/scim/patch";
import type { ResourceSchema } from "../../src/scim/schema-model";
import { alice, body, ENTERPRISE, group, groupSchema, userSchema } from "./patch-fixtures";

const patch = (resource: Record<string, unknown>, schema: ResourceSchema, ...ops: unknown[]) =>
  applyPatch(resource, parsePatchRequest(body(...ops), schema, "compatible"));
const patchUser = (...ops: unknown[]) => patch(alice(), userSchema, ...ops);
const refusal = (f: () => unknown): DomainError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error("expected a refusal");
};

describe("add (RFC 7644 §3.5.2.1)", () => {
  it("adds a member with the RFC's example operation", () => {
    const out = patch(group(), groupSchema, {
      op: "add", path: "members",
      value: [{ display: "Babs Jensen", $ref: "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646", value: "2819c223-7f76-453a-919d-413861904646" }],
    });
    expect(out.members).toHaveLength(3);
  });
  it("merges a path-less value object into the resource, names without case (RFC example with `nickname`)", () => {
    const out = patchUser({ op: "add", value: { emails: [{ value: "babs@jensen.org", type: "home" }], nickname: "Babs" } });
    expect(out.nickName).toBe("Babs");
    expect(out.emails).toHaveLength(3);
  });
  it("does not duplicate an identical element of a multi-valued attribute", () => {
    const out = patchUser({ op: "add", path: "emails", value: [{ value: "a@other.com", type: "other" }] });
    expect(out.emails).toHaveLength(2);
  });
  it("does not duplicate a member already present, whatever its display", () => {
    const out = patch(group(), groupSchema, { op: "add", path: "members", value: [{ value: "u1", display: "Other" }] });
    expect(out.members).toHaveLength(2);
  });
  it("merges sub-attributes into a complex attribute", () => {
    const out = patchUser({ op: "add", path: "name", value: { middleName: "P" } });
    expect(out.name).toEqual({ givenName: "Alice", familyName: "Liddell", middleName: "P" });
  });
  it("creates a complex attribute for a sub-attribute path", () => {
    const r = alice();
    delete r.name;
    expect(applyPatch(r, parsePatchRequest(body({ op: "add", path: "name.givenName", value: "A" }), userSchema, "compatible")).name).toEqual({ givenName: "A" });
  });
  it("creates the extension object and lists its URN in schemas", () => {
    const out = patchUser({ op: "add", path: `${ENTERPRISE}:employeeNumber`, value: "7" });
    expect(out[ENTERPRISE]).toEqual({ employeeNumber: "7" });
    expect(out.schemas).toContain(ENTERPRISE);
  });
  it("adds the attributes of a path that is exactly an extension URN", () => {
    const out = patchUser({ op: "add", path: ENTERPRISE, value: { department: "R&D", costCenter: "42" } });
    expect(out[ENTERPRISE]).toEqual({ department: "R&D", costCenter: "42" });
  });
});

describe("replace (RFC 7644 §3.5.2.3)", () => {
  it("replaces a single-valued attribute", () => expect(patchUser({ op: "replace", path: "userName", value: "b" }).userName).toBe("b"));
  it("replaces all members with the RFC's example list", () => {
    const out = patch(group(), groupSchema, { op: "replace", path: "members", value: [{ display: "Babs Jensen", value: "2819c223" }, { display: "James Smith", value: "08e1d05d" }] });
    expect(out.members).toEqual([{ display: "Babs Jensen", value: "2819c223" }, { display: "James Smith", value: "08e1d05d" }]);
  });
  it("replaces the elements a value filter matches (RFC addresses example)", () => {
    const r = { ...alice(), addresses: [{ type: "work", streetAddress: "old", primary: true }, { type: "home", streetAddress: "h" }] };
    const out = patch(r, userSchema, {
      op: "replace", path: 'addresses[type eq "work"]',
      value: { type: "work", streetAddress: "911 Universal City Plaza", locality: "Hollywood", region: "CA", postalCode: "91608", country: "US", formatted: "911 Universal City Plaza\nHollywood, CA 91608 US", primary: true },
    });
    expect(out.addresses).toEqual([
      { type: "work", streetAddress: "911 Universal City Plaza", locality: "Hollywood", region: "CA", postalCode: "91608", country: "US", formatted: "911 Universal City Plaza\nHollywood, CA 91608 US", primary: true },
      { type: "home", streetAddress: "h" },
    ]);
  });
  it("replaces one sub-attribute of the matching elements (RFC streetAddress example)", () => {
    const r = { ...alice(), addresses: [{ type: "work", streetAddress: "old", locality: "L" }] };
    const out = patch(r, userSchema, { op: "replace", path: 'addresses[type eq "work"].streetAddress', value: "1010 Broadway Ave" });
    expect(out.addresses).toEqual([{ type: "work", streetAddress: "1010 Broadway Ave", locality: "L" }]);
  });
  it("replaces attributes given path-less (RFC example: emails and nickname)", () => {
    const out = patchUser({ op: "replace", value: { emails: [{ value: "bjensen@example.com", type: "work", primary: true }, { value: "babs@jensen.org", type: "home" }], nickname: "Babs" } });
    expect(out.emails).toEqual([{ value: "bjensen@example.com", type: "work", primary: true }, { value: "babs@jensen.org", type: "home" }]);
    expect(out.nickName).toBe("Babs");
  });
  it("leaves sub-attributes it does not name unchanged when replacing a complex attribute", () => {
    expect(patchUser({ op: "replace", path: "name", value: { givenName: "Al" } }).name).toEqual({ givenName: "Al", familyName: "Liddell" });
  });
  it("answers noTarget for a value filter that matches nothing and does not describe an element", () => {
    expect(refusal(() => patchUser({ op: "replace", path: 'emails[value co "zzz"].type', value: "work" })).kind).toBe("noTarget");
  });
  it("unassigns an attribute replaced with null", () => {
    expect(patchUser({ op: "replace", path: "name", value: null })).not.toHaveProperty("name");
  });
});

describe("remove (RFC 7644 §3.5.2.2)", () => {
  it("removes a single-valued attribute", () => expect(patchUser({ op: "remove", path: "active" })).not.toHaveProperty("active"));
  it("removes a sub-attribute, and the complex attribute when it becomes empty", () => {
    const once = patchUser({ op: "remove", path: "name.givenName" });
    expect(once.name).toEqual({ familyName: "Liddell" });
    expect(patchUser({ op: "remove", path: "name.givenName" }, { op: "remove", path: "name.familyName" })).not.toHaveProperty("name");
  });
  it("removes the elements a value filter matches (RFC: type eq work and value ew example.com)", () => {
    const r = { ...alice(), emails: [{ value: "a@example.com", type: "work" }, { value: "b@x.org", type: "work" }] };
    expect(patch(r, userSchema, { op: "remove", path: 'emails[type eq "work" and value ew "example.com"]' }).emails).toEqual([{ value: "b@x.org", type: "work" }]);
  });
  it("removes the attribute when its last element is removed", () => {
    expect(patchUser({ op: "remove", path: 'emails[type eq "home"]' }, { op: "remove", path: 'emails[type eq "other"]' })).not.toHaveProperty("emails");
  });
  it("removes all values of a multi-valued attribute without a filter (RFC: remove all members)", () => {
    expect(patch(group(), groupSchema, { op: "remove", path: "members" })).not.toHaveProperty("members");
  });
  it("removes a member by value filter (RFC example)", () => {
    expect(patch(group(), groupSchema, { op: "remove", path: 'members[value eq "u1"]' }).members).toEqual([{ value: "u2" }]);
  });
  it("is a no-op when the target is already absent (IdP replays)", () => {
    expect(patchUser({ op: "remove", path: "title" })).toEqual(alice());
    expect(patchUser({ op: "remove", path: 'emails[type eq "work"]' })).toEqual(alice());
  });
  it("removes the extension and its URN when its last attribute is removed", () => {
    const r = { ...alice(), schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE], [ENTERPRISE]: { department: "X" } };
    const out = patch(r, userSchema, { op: "remove", path: `${ENTERPRISE}:department` });
    expect(out).not.toHaveProperty(ENTERPRISE);
    expect(out.schemas).toEqual(["urn:ietf:params:scim:schemas:core:2.0:User"]);
  });
});

describe("primary (RFC 7643 §2.4)", () => {
  it("makes every other element's primary false when an op sets primary true on one", () => {
    const out = patchUser({ op: "replace", path: 'emails[type eq "other"].primary', value: true });
    expect(out.emails).toEqual([
      { value: "alice@example.com", type: "home", primary: false },
      { value: "a@other.com", type: "other", primary: true },
    ]);
  });
  it("makes the earlier primary false when a new primary element is added", () => {
    const out = patchUser({ op: "add", path: "emails", value: [{ value: "n@x.com", type: "work", primary: true }] });
    expect((out.emails as Array<{ primary?: boolean }>).filter((e) => e.primary === true)).toHaveLength(1);
  });
  it("refuses two primary elements in one op", () => {
    expect(refusal(() => patchUser({ op: "add", path: "emails", value: [{ value: "1@x.com", primary: true }, { value: "2@x.com", primary: true }] })).kind).toBe("invalidValue");
  });
});

describe("all or nothing", () => {
  it("applies no operation when the third of three is invalid", () => {
    const r = alice();
    const ops = parsePatchRequest(body(
      { op: "replace", path: "title", value: "Boss" },
      { op: "remove", path: "name" },
      { op: "replace", path: 'emails[value co "zzz"].type', value: "work" },
    ), userSchema, "compatible");
    expect(() => applyPatch(r, ops)).toThrow(DomainError);
    expect(r).toEqual(alice());
  });
  it("never mutates its input", () => {
    const r = alice();
    const out = applyPatch(r, parsePatchRequest(body({ op: "add", path: "emails", value: [{ value: "n@x.com" }] }), userSchema, "compatible"));
    expect(r).toEqual(alice());
    expect(out).not.toBe(r);
  });
});
