/**
 * The schema documents this server supports (RFC 7643 §7): core User, Group and the enterprise
 * User extension come from scimmy's schema model (sound: docs/stack.md#scimmy; only its documents
 * are used: its Filter, PATCH and coercion never see a request), the orgscim extensions are the
 * documents in schemas/.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import SCIMMY from "scimmy";
import { MAX_MEMBERS_PER_REQUEST } from "../domain/groups";

import type { AttributeDoc, SchemaDoc } from "./schema-doc";

export type { AttributeDoc, SchemaDoc };

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const ORGSCIM_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";
export const ORGSCIM_GROUP_SCHEMA = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group";

/** The most values orgscim keeps in each multi-valued attribute a client writes (members: per request). */
export const MAX_VALUES: Readonly<Record<string, number>> = {
  emails: 100, phoneNumbers: 100, ims: 100, photos: 100, addresses: 100,
  entitlements: 1000, roles: 1000, x509Certificates: 100,
  members: MAX_MEMBERS_PER_REQUEST,
};

const describe = (d: { describe(): unknown }): SchemaDoc => JSON.parse(JSON.stringify(d.describe())) as SchemaDoc;
const schemaFile = (name: string): SchemaDoc =>
  JSON.parse(readFileSync(join(__dirname, "..", "..", "schemas", name), "utf8")) as SchemaDoc;

export const coreUser: SchemaDoc = describe(SCIMMY.Schemas.User.definition);
export const enterpriseUser: SchemaDoc = describe(SCIMMY.Schemas.EnterpriseUser.definition);
export const coreGroup: SchemaDoc = describe(SCIMMY.Schemas.Group.definition);
export const orgscimUser: SchemaDoc = schemaFile("orgscim-user.json");
export const orgscimGroup: SchemaDoc = schemaFile("orgscim-group.json");

// RFC 7643 §4.1: password is writeOnly and never returned; we also never store it.
for (const a of coreUser.attributes) if (a.name === "password") a.returned = "never";

export const ALL_SCHEMAS: readonly SchemaDoc[] = [coreUser, enterpriseUser, orgscimUser, coreGroup, orgscimGroup];
