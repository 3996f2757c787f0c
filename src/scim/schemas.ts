/**
 * The schema documents this server supports (RFC 7643 §7): core User, Group and the enterprise
 * User extension come from scimmy's schema model (sound: docs/stack.md#scimmy; only its documents
 * are used: its Filter, PATCH and coercion never see a request), the orgscim extensions are the
 * documents in schemas/.
 *
 * /Schemas must say exactly what is implemented (interop profile §5.1), so the documents are
 * corrected here to what orgscim enforces, each correction with its reason:
 * - `password` is gone: orgscim never stores a password (people set theirs at sign-in), so it does
 *   not advertise one. Identity providers that send it anyway are an extra of src/scim/quirks.ts.
 * - Group `displayName` is unique in an organization without regard to case: uniqueness `server`.
 * - `members.type` is `User` only: a group's members are users.
 * - ids are compared exactly (RFC 7643 §3.1: `id` is caseExact): `members.value`, `groups.value`
 *   and the enterprise `manager.value` are caseExact.
 * - every multi-valued attribute with a `type` declares its canonical values (interop profile §5.4),
 *   and every declared canonical value list is enforced (src/scim/validate-value.ts); RFC 7643
 *   gives none for `entitlements`, `roles` and `x509Certificates`, so orgscim declares its own
 *   (Entra's role type among them).
 * - every multi-valued attribute a client writes says in its description how many values orgscim
 *   keeps (MAX_VALUES); more is refused with 400.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import SCIMMY from "scimmy";
import { MAX_MEMBERS_PER_REQUEST } from "../domain/groups";
import { groupMemberSchema } from "./group-member-schema";

import type { AttributeDoc, SchemaDoc } from "./schema-doc";

export type { AttributeDoc, SchemaDoc };

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const ORGSCIM_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";
export const ORGSCIM_GROUP_SCHEMA = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group";
/** draft-zollner-scim-group-members-01's Group extension: `membersMetadata`, how the members are represented. */
export const GROUP_MEMBERS_SCHEMA = "urn:ietf:params:scim:schemas:extension:groupMembers:2.0:Group";

/**
 * The most values orgscim keeps in each multi-valued attribute a client writes (members: per
 * request; a group's members are rows, not a list). Together with the 1,000 operations of a PATCH
 * they bound what one request can make the server compare: at most 1,000 x 100 elements.
 */
export const MAX_VALUES: Readonly<Record<string, number>> = {
  emails: 100, phoneNumbers: 100, ims: 100, photos: 100, addresses: 100,
  entitlements: 100, roles: 100, x509Certificates: 100,
  members: MAX_MEMBERS_PER_REQUEST,
};

/** Canonical `type` values RFC 7643 leaves open, as orgscim declares and enforces them. */
const OWN_TYPES: Readonly<Record<string, string[]>> = {
  // Microsoft Entra ID's app-role mapping (AppRoleAssignmentsComplex) sends this type.
  roles: ["WindowsAzureActiveDirectoryRole", "other"],
  entitlements: ["other"],
  x509Certificates: ["work", "home", "other"],
};

const describe = (d: { describe(): unknown }): SchemaDoc => JSON.parse(JSON.stringify(d.describe())) as SchemaDoc;
const schemaFile = (name: string): SchemaDoc =>
  JSON.parse(readFileSync(join(__dirname, "..", "..", "schemas", name), "utf8")) as SchemaDoc;

const sub = (a: AttributeDoc | undefined, name: string): AttributeDoc | undefined => a?.subAttributes?.find((s) => s.name === name);
const attr = (d: SchemaDoc, name: string): AttributeDoc | undefined => d.attributes.find((a) => a.name === name);

function limitsAndTypes(d: SchemaDoc): void {
  for (const a of d.attributes) {
    if (!a.multiValued || a.mutability === "readOnly") continue;
    const max = MAX_VALUES[a.name];
    if (max !== undefined) a.description = `${a.description ?? ""} orgscim keeps at most ${max} values${a.name === "members" ? " per request" : ""}.`.trim();
    const type = sub(a, "type");
    const own = OWN_TYPES[a.name];
    if (type && own) type.canonicalValues = own;
  }
}

export const coreUser: SchemaDoc = describe(SCIMMY.Schemas.User.definition);
export const enterpriseUser: SchemaDoc = describe(SCIMMY.Schemas.EnterpriseUser.definition);
export const coreGroup: SchemaDoc = describe(SCIMMY.Schemas.Group.definition);
export const orgscimUser: SchemaDoc = schemaFile("orgscim-user.json");
export const orgscimGroup: SchemaDoc = schemaFile("orgscim-group.json");
export const groupMembersGroup: SchemaDoc = schemaFile("groupmembers-group.json");

coreUser.attributes = coreUser.attributes.filter((a) => a.name !== "password");
const groupsValue = sub(attr(coreUser, "groups"), "value");
if (groupsValue) groupsValue.caseExact = true;
limitsAndTypes(coreUser);

const displayName = attr(coreGroup, "displayName");
if (displayName) displayName.uniqueness = "server";
const members = attr(coreGroup, "members");
const membersType = sub(members, "type");
if (membersType) {
  membersType.canonicalValues = ["User"];
  membersType.description = "The type of the member: always 'User' (orgscim groups hold users).";
}
const membersValue = sub(members, "value");
if (membersValue) membersValue.caseExact = true;
limitsAndTypes(coreGroup);

const managerValue = sub(attr(enterpriseUser, "manager"), "value");
if (managerValue) managerValue.caseExact = true;

export const ALL_SCHEMAS: readonly SchemaDoc[] = [coreUser, enterpriseUser, orgscimUser, coreGroup, orgscimGroup, groupMembersGroup, groupMemberSchema];
