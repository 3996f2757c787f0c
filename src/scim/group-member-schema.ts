/**
 * The GroupMember schema (draft-zollner-scim-group-members-01 §8.1) as /Schemas serves it, with
 * what orgscim holds: a group's members are users only. Built from GROUP_MEMBER, so a rename of
 * the resource renames its schema too.
 */
import { GROUP_MEMBER } from "../domain/resource-names";
import type { AttributeDoc, SchemaDoc } from "./schema-doc";

const str = (name: string, mutability: string, description: string, extra: Partial<AttributeDoc> = {}): AttributeDoc => ({
  name, type: "string", multiValued: false, required: false, caseExact: false, mutability, returned: "default", uniqueness: "none", description, ...extra,
});
const ref = (name: string, types: string[], description: string): AttributeDoc => ({
  name, type: "reference", referenceTypes: types, multiValued: false, required: false, caseExact: true, mutability: "readOnly", returned: "default", uniqueness: "none", description,
});

/** The schema of §8.1, as /Schemas serves it. Members are users only (orgscim groups hold users). */
export const groupMemberSchema: SchemaDoc = {
  id: GROUP_MEMBER.schema,
  name: GROUP_MEMBER.name,
  description: "One membership: a user in a group. Made by POST, ended by DELETE; never changed (PUT and PATCH answer 405).",
  attributes: [
    {
      name: "group", type: "complex", multiValued: false, required: true, mutability: "immutable", returned: "default", uniqueness: "none",
      description: "The group.",
      subAttributes: [
        str("value", "immutable", "The id of the group.", { required: true, caseExact: true }),
        ref("$ref", ["Group"], "The URI of the group."),
        str("display", "readOnly", "The group's displayName."),
      ],
    },
    {
      name: "member", type: "complex", multiValued: false, required: true, mutability: "immutable", returned: "default", uniqueness: "none",
      description: "The member: a user of the organization.",
      subAttributes: [
        str("value", "immutable", "The id of the user.", { required: true, caseExact: true }),
        ref("$ref", ["User"], "The URI of the user."),
        str("type", "readOnly", "The resource type of the member: always 'User'.", { canonicalValues: ["User"] }),
        str("display", "readOnly", "The user's displayName, else their userName."),
      ],
    },
  ],
};

