/**
 * The schema documents this server supports (RFC 7643 §7): core User, Group and the enterprise
 * User extension come from scimmy's schema model (sound: docs/stack.md#scimmy); the
 * orgscim extension is the document in schemas/. Only the documents are taken from scimmy: its
 * Filter, PATCH and coercion never see a request.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import SCIMMY from "scimmy";

import type { AttributeDoc, SchemaDoc } from "./schema-doc";

export type { AttributeDoc, SchemaDoc };

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const ORGSCIM_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:User";
export const ORGSCIM_GROUP_SCHEMA = "urn:ietf:params:scim:schemas:extension:orgscim:2.0:Group";

const describe = (d: { describe(): unknown }): SchemaDoc => JSON.parse(JSON.stringify(d.describe())) as SchemaDoc;

export const coreUser: SchemaDoc = describe(SCIMMY.Schemas.User.definition);
export const enterpriseUser: SchemaDoc = describe(SCIMMY.Schemas.EnterpriseUser.definition);
export const coreGroup: SchemaDoc = describe(SCIMMY.Schemas.Group.definition);
const schemaFile = (name: string): SchemaDoc =>
  JSON.parse(readFileSync(join(__dirname, "..", "..", "schemas", name), "utf8")) as SchemaDoc;
export const orgscimUser: SchemaDoc = schemaFile("orgscim-user.json");
export const orgscimGroup: SchemaDoc = schemaFile("orgscim-group.json");

// RFC 7643 §4.1: password is writeOnly and never returned; we also never store it.
for (const a of coreUser.attributes) if (a.name === "password") a.returned = "never";

export const ALL_SCHEMAS: readonly SchemaDoc[] = [coreUser, enterpriseUser, orgscimUser, coreGroup, orgscimGroup];
