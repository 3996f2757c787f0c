/**
 * The resource types this server serves, each with its schema model (./schema-model.ts) built once
 * at start: the one answer validation, projection, filters, sorting and PATCH consult.
 */
import { ResourceSchema, type Resolver } from "./schema-model";
import { coreGroup, coreUser, enterpriseUser, orgscimGroup, orgscimUser } from "./schemas";

export interface ResourceType {
  name: "User" | "Group";
  endpoint: "/Users" | "/Groups";
  schema: ResourceSchema;
  /** The same model, as the filter parser sees it. */
  resolver: Resolver;
}

function build(name: ResourceType["name"], endpoint: ResourceType["endpoint"], schema: ResourceSchema): ResourceType {
  return { name, endpoint, schema, resolver: schema };
}

export const USERS: ResourceType = build("User", "/Users", new ResourceSchema(coreUser, [enterpriseUser, orgscimUser]));
export const GROUPS: ResourceType = build("Group", "/Groups", new ResourceSchema(coreGroup, [orgscimGroup]));
