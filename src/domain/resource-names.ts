/**
 * The GroupMember resource's names, in one place (draft-zollner-scim-group-members-01 calls it
 * GroupMember, served at /GroupMembers; an editor's copy of the draft renames it GroupMembership).
 * Routes, /Bulk, discovery, renderings, the policy table's doors and error messages take them from
 * here; test/scim/group-member-name.test.ts fails on a copy of them as a literal anywhere in src.
 */
export const GROUP_MEMBER = {
  name: "GroupMember",
  endpoint: "/GroupMembers",
  schema: "urn:ietf:params:scim:schemas:core:2.0:GroupMember",
} as const;
