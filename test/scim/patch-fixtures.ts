/** Shared fixtures for the PATCH and quirks tests: the User (with enterprise extension) and Group schemas. */
import { ResourceSchema } from "../../src/scim/schema-model";
import { coreGroup, coreUser, enterpriseUser } from "../../src/scim/schemas";

export const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

export const userSchema = new ResourceSchema(coreUser, [enterpriseUser]);
export const groupSchema = new ResourceSchema(coreGroup, []);

/** A PatchOp body with these operations. */
export const body = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

export const alice = (): Record<string, unknown> => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  id: "u-alice",
  userName: "alice@example.com",
  name: { givenName: "Alice", familyName: "Liddell" },
  active: true,
  emails: [
    { value: "alice@example.com", type: "home", primary: true },
    { value: "a@other.com", type: "other" },
  ],
});

export const group = (): Record<string, unknown> => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
  id: "g1",
  displayName: "Engineering",
  members: [{ value: "u1", display: "One" }, { value: "u2" }],
});
