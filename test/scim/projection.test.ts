/**
 * attributes / excludedAttributes (RFC 7644 §3.4.2.5): parsed against the schema model, and applied.
 * An entry may be a bare extension URN (the whole extension); a search at the service root collects
 * the entries a type does not have instead of refusing them.
 */
import { parseSelection, project } from "../../src/scim/projection";
import { USERS } from "../../src/scim/resource-types";

const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const ORG = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";
const users = USERS.schema;
const resource = {
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENT, ORG],
  id: "u1",
  userName: "ann",
  name: { givenName: "Ann", familyName: "Lee" },
  emails: [{ value: "ann@x.test", type: "work" }],
  [ENT]: { department: "R&D", employeeNumber: "7" },
  [ORG]: { orgRole: "standard" },
  meta: { resourceType: "User" },
};

describe("parseSelection", () => {
  it("splits on commas, trims, canonicalises, keeps complex attributes whole", () => {
    const refs = parseSelection(` userName, NAME , emails.VALUE,${ENT}:department`, users, "attributes");
    expect(refs).toEqual([{ attr: "userName" }, { attr: "name" }, { attr: "emails", sub: "value" }, { schema: ENT, attr: "department" }]);
  });

  it("takes a bare extension URN, in any case, as the whole extension", () => {
    expect(parseSelection(`${ENT.toUpperCase()},userName`, users, "attributes")).toEqual([{ schema: ENT }, { attr: "userName" }]);
  });

  it("tolerates Microsoft's value-path form emails[type eq \"work\"] as emails", () => {
    const refs = parseSelection('userName,emails[type eq "work", x],emails[type eq "work"].value', users, "attributes");
    expect(refs).toEqual([{ attr: "userName" }, { attr: "emails" }, { attr: "emails", sub: "value" }]);
  });

  it("refuses unknown and hostile names with invalidParameter naming the parameter", () => {
    for (const p of ["nope", "__proto__.isAdmin", "constructor", "$where", "emails[", "name]", "urn:ietf:params:scim:schemas:core:2.0:User"]) {
      expect(() => parseSelection(p, users, "excludedAttributes")).toThrow(/excludedAttributes/);
    }
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it("collects the entries a type does not have when asked to", () => {
    const unknown = new Set<string>();
    expect(parseSelection("members,userName", users, "attributes", unknown)).toEqual([{ attr: "userName" }]);
    expect([...unknown]).toEqual(["members"]);
  });
});

describe("project", () => {
  it("returns a whole extension named by its URN, with id and schemas", () => {
    expect(project(resource, { include: [{ schema: ENT }], exclude: [] })).toEqual({ id: "u1", schemas: resource.schemas, [ENT]: resource[ENT] });
  });

  it("drops a whole extension named by its URN in excludedAttributes", () => {
    const out = project(resource, { include: null, exclude: [{ schema: ENT }] });
    expect(out[ENT]).toBeUndefined();
    expect(out.userName).toBe("ann");
  });

  it("returns only id and schemas when no entry applies to the type", () => {
    expect(project(resource, { include: [], exclude: [] })).toEqual({ id: "u1", schemas: resource.schemas });
  });
});
