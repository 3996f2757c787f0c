/** Recorded-style PATCH requests from Microsoft Entra ID and Okta (docs/idp-quirks.md). */
import { applyPatch, parsePatchRequest, splitMemberOps } from "../../src/scim/patch";
import type { ResourceSchema } from "../../src/scim/schema-model";
import { alice, ENTERPRISE, group, groupSchema, PATCH_OP, userSchema } from "./patch-fixtures";

const run = (resource: Record<string, unknown>, schema: ResourceSchema, request: unknown) =>
  applyPatch(resource, parsePatchRequest(request, schema, "compatible"));

describe("Microsoft Entra ID, default dialect", () => {
  it("deactivates a user with Replace active \"False\"", () => {
    const out = run(alice(), userSchema, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: "active", value: "False" }] });
    expect(out.active).toBe(false);
  });
  it("applies one capitalized Replace per attribute", () => {
    const out = run(alice(), userSchema, {
      schemas: [PATCH_OP],
      Operations: [
        { op: "Replace", path: "displayName", value: "Alice L" },
        { op: "Replace", path: "name.givenName", value: "Alicia" },
        { op: "Add", path: `${ENTERPRISE}:department`, value: "R&D" },
      ],
    });
    expect(out).toMatchObject({ displayName: "Alice L", name: { givenName: "Alicia" }, [ENTERPRISE]: { department: "R&D" } });
  });
  it("creates a work email when Entra adds emails[type eq \"work\"].value and none exists", () => {
    const out = run(alice(), userSchema, { schemas: [PATCH_OP], Operations: [{ op: "Add", path: 'emails[type eq "work"].value', value: "w@example.com" }] });
    expect(out.emails).toContainEqual({ type: "work", value: "w@example.com" });
    expect(out.emails).toHaveLength(3);
  });
  it("creates the element from every eq of an and-filter (type and primary)", () => {
    const out = run(alice(), userSchema, { schemas: [PATCH_OP], Operations: [{ op: "Add", path: 'emails[type eq "work" and primary eq true].value', value: "w@example.com" }] });
    expect(out.emails).toEqual([
      { value: "alice@example.com", type: "home", primary: false },
      { value: "a@other.com", type: "other" },
      { type: "work", primary: true, value: "w@example.com" },
    ]);
  });
  it("updates the existing work email when Entra replaces emails[type eq \"work\"].value", () => {
    const r = { ...alice(), emails: [{ type: "work", value: "old@example.com", primary: true }] };
    const out = run(r, userSchema, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: 'emails[type eq "work"].value', value: "new@example.com" }] });
    expect(out.emails).toEqual([{ type: "work", value: "new@example.com", primary: true }]);
  });
  it("unwraps a scalar replace value wrapped in a one-element array", () => {
    const out = run(alice(), userSchema, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: `${ENTERPRISE}:department`, value: ["Sales"] }] });
    expect(out[ENTERPRISE]).toEqual({ department: "Sales" });
  });
  it("sets the manager from a bare string id and clears it with an empty string", () => {
    const set = run(alice(), userSchema, { schemas: [PATCH_OP], Operations: [{ op: "Add", path: `${ENTERPRISE}:manager`, value: "m-1" }] });
    expect(set[ENTERPRISE]).toEqual({ manager: { value: "m-1" } });
    const cleared = run(set, userSchema, { schemas: [PATCH_OP], Operations: [{ op: "Replace", path: `${ENTERPRISE}:manager`, value: "" }] });
    expect(cleared).not.toHaveProperty(ENTERPRISE);
  });
  it("removes only the listed members when Remove members carries a value array", () => {
    const ops = parsePatchRequest({ schemas: [PATCH_OP], Operations: [{ op: "Remove", path: "members", value: [{ value: "u1" }] }] }, groupSchema, "compatible");
    expect(splitMemberOps(ops).memberOps).toEqual([{ kind: "remove", ids: ["u1"] }]);
    expect(applyPatch(group(), ops).members).toEqual([{ value: "u2" }]);
  });
  it("adds a member sent as {\"$ref\": null, \"value\": id}", () => {
    const ops = parsePatchRequest({ schemas: [PATCH_OP], Operations: [{ op: "Add", path: "members", value: [{ $ref: null, value: "u3" }] }] }, groupSchema, "compatible");
    expect(splitMemberOps(ops).memberOps).toEqual([{ kind: "add", ids: ["u3"] }]);
    expect(applyPatch(group(), ops).members).toContainEqual({ value: "u3" });
  });
  it("adds a member given as a bare string (Microsoft's Postman test)", () => {
    const ops = parsePatchRequest({ schemas: [PATCH_OP], Operations: [{ op: "add", path: "members", value: "string id 1" }] }, groupSchema, "compatible");
    expect(splitMemberOps(ops).memberOps).toEqual([{ kind: "add", ids: ["string id 1"] }]);
  });
  it("reads \"Primary\": \"True\" in an email value", () => {
    const out = run(alice(), userSchema, { schemas: [PATCH_OP], Operations: [{ op: "Add", path: "emails", value: [{ Value: "p@x.com", Type: "work", Primary: "True" }] }] });
    expect(out.emails).toContainEqual({ value: "p@x.com", type: "work", primary: true });
  });
});

describe("Microsoft Entra ID, aadOptscim062020 compliant dialect", () => {
  it("deactivates a user with replace active false", () => {
    expect(run(alice(), userSchema, { schemas: [PATCH_OP], Operations: [{ op: "replace", path: "active", value: false }] }).active).toBe(false);
  });
  it("expands a path-less replace whose keys are dotted and URN paths", () => {
    const out = run(alice(), userSchema, {
      schemas: [PATCH_OP],
      Operations: [{ op: "replace", value: { "name.givenName": "Z", [`${ENTERPRISE}:employeeNumber`]: "7", active: "False" } }],
    });
    expect(out).toMatchObject({ name: { givenName: "Z", familyName: "Liddell" }, active: false, [ENTERPRISE]: { employeeNumber: "7" } });
  });
  it("removes a member by value filter", () => {
    const ops = parsePatchRequest({ schemas: [PATCH_OP], Operations: [{ op: "remove", path: 'members[value eq "u1"]' }] }, groupSchema, "compatible");
    expect(splitMemberOps(ops).memberOps).toEqual([{ kind: "remove", ids: ["u1"] }]);
  });
});

describe("Okta", () => {
  it("deactivates a user with a path-less replace {active:false}", () => {
    expect(run(alice(), userSchema, { schemas: [PATCH_OP], Operations: [{ op: "replace", value: { active: false } }] }).active).toBe(false);
  });
  it("ignores the group's own id echoed in a path-less replace, and renames the group", () => {
    const out = run(group(), groupSchema, { schemas: [PATCH_OP], Operations: [{ op: "replace", value: { id: "g1", displayName: "Eng" } }] });
    expect(out).toMatchObject({ id: "g1", displayName: "Eng" });
  });
  it("refuses a path-less replace carrying a different id", () => {
    expect(() => run(group(), groupSchema, { schemas: [PATCH_OP], Operations: [{ op: "replace", value: { id: "other", displayName: "Eng" } }] }))
      .toThrow(expect.objectContaining({ kind: "mutability" }));
  });
  it("keeps the order of remove members[value eq] then add members in one request", () => {
    const ops = parsePatchRequest({
      schemas: [PATCH_OP],
      Operations: [
        { op: "remove", path: 'members[value eq "u1"]' },
        { op: "add", path: "members", value: [{ value: "u3", display: "Three" }, { value: "u1" }] },
      ],
    }, groupSchema, "compatible");
    expect(splitMemberOps(ops).memberOps).toEqual([{ kind: "remove", ids: ["u1"] }, { kind: "add", ids: ["u3", "u1"] }]);
    expect(applyPatch(group(), ops).members).toEqual([{ value: "u2" }, { value: "u3", display: "Three" }, { value: "u1" }]);
  });
  it("replaces members with the full list", () => {
    const ops = parsePatchRequest({ schemas: [PATCH_OP], Operations: [{ op: "replace", path: "members", value: [{ value: "u2" }, { value: "u9" }] }] }, groupSchema, "compatible");
    expect(splitMemberOps(ops).memberOps).toEqual([{ kind: "replace", ids: ["u2", "u9"] }]);
  });
});
