/**
 * Discovery documents (RFC 7644 §4, RFC 7643 §5–7): what this server supports, exactly.
 */
import { EVENT_URIS } from "../domain/events-model";
import { GROUP_MEMBER } from "../domain/resource-names";
import type { ScimProfile } from "./quirks";
import { ALL_SCHEMAS, ENTERPRISE_SCHEMA, GROUP_MEMBERS_SCHEMA, GROUP_SCHEMA, ORGSCIM_GROUP_SCHEMA, ORGSCIM_USER_SCHEMA, USER_SCHEMA, type SchemaDoc } from "./schemas";

/**
 * RFC 9865 §4 cursorTimeout: a positive integer, the least number of seconds a cursor stays valid
 * between pages. orgscim's cursors name a position in the store's insertion order and do not
 * expire, so any positive value is true; a cursor encoding that adds an expiry must keep at least this.
 */
export const CURSOR_TIMEOUT_SECONDS = 3600;

export interface DiscoveryLimits {
  maxResults: number;
  maxBulkOperations: number;
  maxBulkPayloadSize: number;
  bulkSupported: boolean;
}

/**
 * The organization's ServiceProviderConfig. `interopProfileConformant` (SCIM interoperability
 * profile, draft-zollner-scim-interop-profile-01) is true exactly when the organization's SCIM
 * profile is `strict`: under `compatible` orgscim accepts request shapes the profile forbids (the
 * quirks of ./quirks.ts), so it does not claim conformance (docs/idp-quirks.md).
 */
export function serviceProviderConfig(baseUrl: string, limits: DiscoveryLimits, profile: ScimProfile): Record<string, unknown> {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    documentationUri: "https://github.com/orgscim/orgscim#readme",
    interopProfileConformant: profile === "strict",
    patch: { supported: true },
    bulk: { supported: limits.bulkSupported, maxOperations: limits.maxBulkOperations, maxPayloadSize: limits.maxBulkPayloadSize },
    filter: { supported: true, maxResults: limits.maxResults },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    pagination: {
      cursor: true, index: true, defaultPaginationMethod: "index",
      defaultPageSize: limits.maxResults, maxPageSize: limits.maxResults, cursorTimeout: CURSOR_TIMEOUT_SECONDS,
    },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "OAuth Bearer Token",
        description: "Authentication with a bearer token issued by `orgscim tokens create`, sent in the Authorization header.",
        specUri: "https://www.rfc-editor.org/rfc/rfc6750",
        primary: true,
      },
      {
        type: "oauth2",
        name: "OAuth 2.0 client credentials",
        description: `An access token from the token endpoint ${baseUrl.replace(/\/scim\/v2$/, "")}/oauth/token (RFC 6749 §4.4: grant_type=client_credentials, client_secret_basic or client_secret_post) for a client made with POST /v1/OAuthClients, sent as a bearer token in the Authorization header.`,
        specUri: "https://www.rfc-editor.org/rfc/rfc6749#section-4.4",
        documentationUri: "https://github.com/orgscim/orgscim/blob/main/docs/oauth.md",
        primary: false,
      },
    ],
    // RFC 9967 §4: the SET event URIs this server emits to event streams (/v1/EventStreams, docs/events.md);
    // no asynchronous SCIM requests.
    securityEvents: { asyncRequest: "none", eventUris: [...EVENT_URIS] },
    meta: { resourceType: "ServiceProviderConfig", location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypes(baseUrl: string): Record<string, unknown>[] {
  return [
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
      id: "User",
      name: "User",
      endpoint: "/Users",
      description: "A managed or pending user of the organization",
      schema: USER_SCHEMA,
      schemaExtensions: [
        { schema: ENTERPRISE_SCHEMA, required: false },
        { schema: ORGSCIM_USER_SCHEMA, required: false },
      ],
      meta: { resourceType: "ResourceType", location: `${baseUrl}/ResourceTypes/User` },
    },
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
      id: "Group",
      name: "Group",
      endpoint: "/Groups",
      description: "A group an identity provider pushes or an admin creates",
      schema: GROUP_SCHEMA,
      schemaExtensions: [{ schema: ORGSCIM_GROUP_SCHEMA, required: false }, { schema: GROUP_MEMBERS_SCHEMA, required: false }],
      meta: { resourceType: "ResourceType", location: `${baseUrl}/ResourceTypes/Group` },
    },
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
      id: GROUP_MEMBER.name,
      name: GROUP_MEMBER.name,
      endpoint: GROUP_MEMBER.endpoint,
      description: "One membership: a user in a group (draft-zollner-scim-group-members-01). Made by POST, ended by DELETE.",
      schema: GROUP_MEMBER.schema,
      schemaExtensions: [],
      meta: { resourceType: "ResourceType", location: `${baseUrl}/ResourceTypes/${GROUP_MEMBER.name}` },
    },
  ];
}

export function schemaDocuments(baseUrl: string): Record<string, unknown>[] {
  return ALL_SCHEMAS.map((s: SchemaDoc) => ({
    ...s,
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
    meta: { resourceType: "Schema", location: `${baseUrl}/Schemas/${s.id}` },
  }));
}

export const listResponse = (resources: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
  totalResults: resources.length,
  itemsPerPage: resources.length,
  startIndex: 1,
  ...extra,
  Resources: resources,
});
