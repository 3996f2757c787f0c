/**
 * The /v1 API describes itself: every route is declared with zod schemas for its query, body
 * and response, and the OpenAPI 3.1 document served at /v1/openapi.json is generated from those
 * declarations (zod 4's toJSONSchema). Tests check real responses against the same schemas.
 */
import type { Request, Response } from "express";
import { z } from "zod";
import { prebuilt, sendPrebuilt, type Prebuilt } from "../prebuilt";
import { PageQuery } from "./paging";

export type Method = "get" | "post" | "delete";

export interface RouteSpec {
  method: Method;
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

function success(description: string, r: RouteSpec): Record<string, unknown> {
  if (!r.response) return { description: `${description}, no content` };
  return {
    description,
    ...(r.status === 201 ? { headers: { Location: { description: "The URL of the created resource", schema: { type: "string", format: "uri" } } } } : {}),
    content: { "application/json": { schema: z.toJSONSchema(r.response, { io: "output", unrepresentable: "any" }) } },
  };
}

export class ApiRegistry {
  readonly routes: RouteSpec[] = [];

  /** PUBLIC_URL: the origin of the URLs the API answers (Location, page URLs); absent: the request's. */
  constructor(readonly publicUrl?: string) {}

  add(spec: RouteSpec): RouteSpec {
    this.routes.push(spec);
    return spec;
  }

  document(serverUrl: string): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.routes) {
      const oaPath = r.path.replace(/:(\w+)/g, "{$1}");
      const params = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
      const query = { ...(r.query?.shape ?? {}), ...(r.paged ? PageQuery.shape : {}) };
      {
        for (const [name, schema] of Object.entries(query)) {
          params.push({ name, in: "query", required: !(schema as z.ZodType).safeParse(undefined).success, schema: z.toJSONSchema(schema as z.ZodType, { io: "input", unrepresentable: "any" }) as never });
        }
      }
      const op: Record<string, unknown> = {
        summary: r.summary,
        tags: [r.tag],
        operationId: `${r.method}${r.path.replace(/[/:{}]+(\w)/g, (_m, c: string) => c.toUpperCase())}`,
        parameters: params,
        responses: {
          ...(r.statusOf ? { "200": success("Success: nothing new was created", r) } : {}),
          [String(r.status)]: success(r.status === 201 ? "Created; Location says where" : "Success", r),
          default: { description: "Error", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
        },
        security: r.public ? [] : [{ bearer: [] }],
      };
      if (r.body) {
        op.requestBody = { required: true, content: { "application/json": { schema: z.toJSONSchema(r.body, { io: "input", unrepresentable: "any" }) } } };
      }
      (paths[oaPath] ??= {})[r.method] = op;
    }
    return {
      openapi: "3.1.0",
      info: {
        title: "orgscim admin API",
        version: "1",
        description: "Everything the Admin Center does, under the caller's token. SCIM (/scim/v2) carries users and groups; /v1 carries the rest. Fields are snake_case; lists page with PageSize (1-100) and an opaque PageToken; errors are {code, message, more_info, status}.",
      },
      servers: [{ url: `${serverUrl}/v1` }],
      paths,
      components: {
        securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
        schemas: { Error: z.toJSONSchema(ErrorBody) },
      },
    };
  }
}

export const ErrorBody = z.object({
  code: z.number().int(),
  message: z.string(),
  more_info: z.string(),
  status: z.number().int(),
});

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
