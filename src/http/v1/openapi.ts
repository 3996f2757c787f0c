/**
 * The /v1 API describes itself: every route is declared with zod schemas for its query, body
 * and response, and the OpenAPI 3.1 document served at /v1/openapi.json is generated from those
 * declarations (zod 4's toJSONSchema). Tests check real responses against the same schemas.
 */
import type { Request, Response } from "express";
import { z } from "zod";
import { prebuilt, sendPrebuilt, type Prebuilt } from "../prebuilt";
import { PageQuery } from "./paging";
import EXAMPLES from "./examples.json";
import { named as name, nameOf, v1Schemas } from "./schemas";

export type Method = "get" | "post" | "delete";

export interface RouteSpec {
  method: Method;
  /** Stable and readable: what generated clients call the operation (listAccounts, createToken, ...). */
  operationId: string;
  /** Express-style path under /v1, e.g. /Accounts/:sid */
  path: string;
  summary: string;
  tag: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The success response body; undefined for 204. */
  response?: z.ZodType;
  status: number;
  /** Needs no bearer token (the request carries its own credential, e.g. an invitation token). */
  public?: boolean;
  /** A list: takes PageSize and PageToken, answers the page envelope. */
  paged?: boolean;
  /** Where a created resource is (the Location of a 201), under /v1. */
  location?: (out: never) => string | null;
  statusOf?: (out: never) => number;
}

/** The error responses every operation may answer, by status: components.responses. */
const ERROR_RESPONSES: Record<string, { name: string; description: string; headers?: Record<string, unknown> }> = {
  "400": { name: "BadRequest", description: "The request is malformed: a body or parameter the operation refuses (the message names it), or a query parameter it does not take" },
  "401": { name: "Unauthorized", description: "No valid bearer token", headers: { "WWW-Authenticate": { description: "Bearer realm=\"orgscim\"", schema: { type: "string" } } } },
  "403": { name: "Forbidden", description: "The token may not do this: the message gives the policy's reason, or the scope it lacks" },
  "404": { name: "NotFound", description: "No such resource in the caller's organization (another organization's is answered the same)" },
  "409": { name: "Conflict", description: "The resource's state forbids the change (the message says which and what to do); nothing was changed" },
  "413": { name: "PayloadTooLarge", description: "The body is over BODY_LIMIT" },
  "415": { name: "UnsupportedMediaType", description: "The body is not JSON: send Content-Type application/json" },
  "429": { name: "TooManyRequests", description: "Over a request budget, or the server sheds writes while saturated", headers: { "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } } } },
  "503": { name: "ServiceUnavailable", description: "The store (or DNS, for Verify) cannot be reached; retry later", headers: { "Retry-After": { description: "Seconds to wait", schema: { type: "integer" } } } },
};

/** The error statuses an operation declares: what its shape allows (a path id can be missing, a body too large, a write refused by state). */
export function errorStatuses(r: RouteSpec): string[] {
  const out = ["400"];
  if (!r.public) out.push("401", "403");
  if (r.path.includes(":") || r.body || Object.keys(r.query?.shape ?? {}).some((k) => k.endsWith("Sid")) || r.public) out.push("404");
  if (r.method !== "get") out.push("409");
  if (r.body) out.push("413");
  out.push("415", "429", "503");
  return out;
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

/** The component name of a body or response; a route that declares an unnamed one is a programming error. */
function named(r: RouteSpec, schema: z.ZodType, what: string): string {
  const id = nameOf(schema);
  if (!id) throw new Error(`${r.method.toUpperCase()} /v1${r.path}: its ${what} schema has no name (wrap it in named() from ./schemas.ts)`);
  return id;
}

/** Example bodies captured from a real server by test/v1/examples.test.ts (UPDATE_V1_EXAMPLES=1 rewrites examples.json), by operationId. */
export type Examples = Record<string, { request?: unknown; response?: unknown }>;

export class ApiRegistry {
  readonly routes: RouteSpec[] = [];

  /** PUBLIC_URL: the origin of the URLs the API answers (Location, page URLs); absent: the request's. */
  constructor(readonly publicUrl?: string) {}

  add(spec: RouteSpec): RouteSpec {
    if (this.routes.some((r) => r.operationId === spec.operationId)) throw new Error(`operationId ${spec.operationId} is declared twice`);
    this.routes.push(spec);
    return spec;
  }

  document(serverUrl: string, examples: Examples = EXAMPLES): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    const bodies = new Set<string>();
    for (const r of this.routes) {
      const oaPath = r.path.replace(/:(\w+)/g, "{$1}");
      const params: Record<string, unknown>[] = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
      const query = { ...(r.query?.shape ?? {}), ...(r.paged ? PageQuery.shape : {}) };
      for (const [name, schema] of Object.entries(query)) {
        const s = z.toJSONSchema(schema as z.ZodType, { io: "input", unrepresentable: "any" }) as { description?: string };
        params.push({ name, in: "query", required: !(schema as z.ZodType).safeParse(undefined).success, ...(s.description ? { description: s.description } : {}), schema: s });
      }
      const example = examples[r.operationId];
      const success = (description: string): Record<string, unknown> => {
        if (!r.response) return { description: `${description}, no content` };
        return {
          description,
          ...(r.status === 201 ? { headers: { Location: { description: "The URL of the created resource", schema: { type: "string", format: "uri" } } } } : {}),
          content: { "application/json": { schema: ref(named(r, r.response, "response")), ...(example?.response !== undefined ? { example: example.response } : {}) } },
        };
      };
      const op: Record<string, unknown> = {
        operationId: r.operationId,
        summary: r.summary,
        tags: [r.tag],
        parameters: params,
        responses: {
          ...(r.statusOf ? { "200": success("Success: nothing new was created") } : {}),
          [String(r.status)]: success(r.status === 201 ? "Created; Location says where" : "Success"),
          ...Object.fromEntries(errorStatuses(r).map((st) => [st, { $ref: `#/components/responses/${ERROR_RESPONSES[st]!.name}` }])),
        },
        security: r.public ? [] : [{ bearer: [] }],
      };
      if (r.body) {
        const id = named(r, r.body, "request body");
        bodies.add(id);
        op.requestBody = { required: true, content: { "application/json": { schema: ref(id), ...(example?.request !== undefined ? { example: example.request } : {}) } } };
      }
      (paths[oaPath] ??= {})[r.method] = op;
    }
    return {
      openapi: "3.1.0",
      info: {
        title: "orgscim admin API",
        version: "1",
        description: "Everything the Admin Center does, under the caller's token. SCIM (/scim/v2) carries users and groups; /v1 carries the rest. Fields are snake_case; every list pages with PageSize (1-100) and an opaque PageToken and answers {<key>: [...], meta}; a create answers 201 with Location; errors are {code, message, more_info, status}, each code explained in docs/errors.md; a method a path does not answer is 405 with Allow, a body that is not JSON 415, a query parameter an operation does not take 400.",
        license: { name: "MIT", identifier: "MIT" },
      },
      servers: [{ url: `${serverUrl}/v1` }],
      tags: [...new Set(this.routes.map((r) => r.tag))].sort().map((name) => ({ name, description: TAGS[name] ?? name })),
      paths,
      components: {
        securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An orgscim API token with the admin scope (or one acting for a user, whose rights then apply)" } },
        schemas: componentSchemas(bodies),
        responses: Object.fromEntries(Object.values(ERROR_RESPONSES).map((e) => [e.name, {
          description: e.description,
          ...(e.headers ? { headers: e.headers } : {}),
          content: { "application/json": { schema: ref("Error") } },
        }])),
      },
    };
  }
}

const TAGS: Record<string, string> = {
  Organization: "The caller's organization and its settings",
  Tokens: "API tokens: for identity providers (scope scim) and for admin tools (scope admin)",
  EventStreams: "SCIM event streams (RFC 9967): receivers of signed SETs for every change to users, groups and memberships, by push (RFC 8935) or poll (RFC 8936) (docs/events.md)",
  OAuthClients: "OAuth 2.0 clients: an identity provider's client id and secret for the client credentials grant at /oauth/token (docs/oauth.md)",
  Accounts: "Managed accounts of the organization",
  RoleAssignments: "Account roles held directly (Administrator, Billing Manager, Developer, Support)",
  Users: "The organization's users: managed, pending and independent",
  AuditEvents: "The audit trail",
  ProvisioningErrors: "SCIM requests refused for their content, kept a while for the identity provider's administrator (bounded per organization; never a body)",
  Domains: "Domains and their DNS verification",
  Invitations: "Invitations to the organization and to accounts",
};

/**
 * Every named schema as JSON Schema: request bodies as they are read (input), the rest as they are
 * sent (output). Responses leave additionalProperties open: a later version may add a field.
 */
function componentSchemas(bodies: Set<string>): Record<string, unknown> {
  const uri = (id: string) => `#/components/schemas/${id}`;
  const input = z.toJSONSchema(v1Schemas, { io: "input", uri, unrepresentable: "any" }).schemas;
  const output = z.toJSONSchema(v1Schemas, { io: "output", uri, unrepresentable: "any" }).schemas;
  const open = (s: unknown): unknown => {
    if (Array.isArray(s)) return s.map(open);
    if (!s || typeof s !== "object") return s;
    return Object.fromEntries(Object.entries(s).filter(([k, v]) => !(k === "additionalProperties" && v === false)).map(([k, v]) => [k, open(v)]));
  };
  return Object.fromEntries(Object.keys(output).sort().map((id) => {
    const { $schema: _s, $id: _i, ...schema } = (bodies.has(id) ? input[id] : open(output[id])) as Record<string, unknown>;
    return [id, schema];
  }));
}

export const ErrorBody = name("Error", z.object({
  code: z.number().int(),
  message: z.string(),
  more_info: z.string(),
  status: z.number().int(),
}));

/**
 * GET /v1/openapi.json: the document is built on its first request (every route is declared by
 * then) and served from memory with an ETag and Last-Modified after that (../prebuilt.ts). Its
 * server URL is PUBLIC_URL's /v1, or "/v1" relative to where the document is served (OpenAPI
 * 3.1 §4.8.5 allows a relative server URL), so no request header decides what is built.
 */
export function openApiDocument(registry: ApiRegistry, publicUrl: string | undefined): (req: Request, res: Response) => void {
  let built: Prebuilt | null = null;
  const root = publicUrl ? publicUrl.replace(/\/+$/, "") : "";
  return (req, res) => {
    built ??= prebuilt(JSON.stringify(registry.document(root)), "application/json; charset=utf-8");
    sendPrebuilt(req, res, built);
  };
}
