/**
 * The resource types this server serves, each with its schema model (./schema-model.ts) built once
 * at start: the one answer validation, projection, filters, sorting and PATCH consult.
 */
import { Errors } from "../domain/errors";
import type { AttrRef } from "../domain/filter";
import { GROUP_MEMBER } from "../domain/resource-names";
import { groupMemberSchema } from "./group-member-schema";
import { ResourceSchema, type AttrInfo, type Resolver } from "./schema-model";
import { coreGroup, coreUser, enterpriseUser, GROUP_MEMBERS_SCHEMA, groupMembersGroup, orgscimGroup, orgscimUser } from "./schemas";

export interface ResourceType {
  name: "User" | "Group" | typeof GROUP_MEMBER.name;
  endpoint: "/Users" | "/Groups" | typeof GROUP_MEMBER.endpoint;
  schema: ResourceSchema;
  /** The same model, as the filter parser sees it. */
  resolver: Resolver;
}

/**
 * The schema as filters and sortBy see it, less the extensions computed when a resource is rendered
 * (a group's membersMetadata): no store holds them, so a filter on them is refused with 400, never
 * answered wrongly.
 */
class QueryableSchema implements Resolver {
  constructor(private readonly schema: ResourceSchema, private readonly computed: readonly string[]) {}

  private check(path: string, where: string): void {
    const urn = this.schema.splitUrn(path)?.schema.toLowerCase();
    if (urn !== undefined && this.computed.some((c) => c.toLowerCase() === urn)) {
      const detail = `${urn} is computed when a resource is read; it cannot be filtered or sorted on.`;
      throw where === "filter" ? Errors.invalidFilter(detail) : Errors.invalidParameter(where, detail);
    }
  }

  resolve(path: string, where = "filter"): AttrRef {
    this.check(path, where);
    return this.schema.resolve(path, where);
  }

  describe(path: string, where = "filter"): AttrInfo {
    this.check(path, where);
    return this.schema.describe(path, where);
  }

  describeSub(parent: AttrInfo, name: string, where = "filter"): AttrInfo {
    return this.schema.describeSub(parent, name, where);
  }
}

function build(name: ResourceType["name"], endpoint: ResourceType["endpoint"], schema: ResourceSchema, computed: readonly string[] = []): ResourceType {
  return { name, endpoint, schema, resolver: computed.length === 0 ? schema : new QueryableSchema(schema, computed) };
}

export const USERS: ResourceType = build("User", "/Users", new ResourceSchema(coreUser, [enterpriseUser, orgscimUser]));
export const GROUPS: ResourceType = build("Group", "/Groups", new ResourceSchema(coreGroup, [orgscimGroup, groupMembersGroup]), [GROUP_MEMBERS_SCHEMA]);
/** Memberships (the GroupMember resource): their list parses filters and projections against this model. */
export const GROUP_MEMBERS: ResourceType = build(GROUP_MEMBER.name, GROUP_MEMBER.endpoint, new ResourceSchema(groupMemberSchema, []));
