/**
 * The resource types this server serves, each with the schema machinery built once at start:
 * the case-insensitive schema index (coercion, PATCH), the filter resolver, and the PATCH view.
 */
import { createResolver } from "./attributes";
import { createPatchSchema, type PatchSchema } from "./patch/context";
import { SchemaIndex } from "./patch/schema-index";
import { coreGroup, coreUser, enterpriseUser, orgscimGroup, orgscimUser, type SchemaDoc } from "./schemas";

export interface ResourceType {
  name: "User" | "Group";
  endpoint: "/Users" | "/Groups";
  core: SchemaDoc;
  extensions: SchemaDoc[];
  index: SchemaIndex;
  resolver: ReturnType<typeof createResolver>;
  patch: PatchSchema;
}

function build(name: ResourceType["name"], endpoint: ResourceType["endpoint"], core: SchemaDoc, extensions: SchemaDoc[]): ResourceType {
  const resolver = createResolver(core, extensions);
  return {
    name, endpoint, core, extensions,
    index: new SchemaIndex(core, extensions),
    resolver,
    patch: createPatchSchema(core, extensions, resolver),
  };
}

export const USERS: ResourceType = build("User", "/Users", coreUser, [enterpriseUser, orgscimUser]);
export const GROUPS: ResourceType = build("Group", "/Groups", coreGroup, [orgscimGroup]);
