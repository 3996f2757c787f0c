/**
 * Declares one /v1 route: its zod schemas go into the OpenAPI registry, and the handler gets the
 * parsed query and body. The handler returns the response body (validated against the declared
 * schema, so the document never drifts from what is sent) or undefined for 204.
 *
 * The conventions every /v1 route keeps are applied here, once: a query parameter the route does
 * not declare answers 400 naming it and the accepted ones (PageSize and PageToken are declared by
 * `paged`); a 201 answers `Location` (the spec's `location`, required for every create).
 */
import type { Request, Router } from "express";
import type { z } from "zod";
import { Errors } from "../../domain/errors";
import type { ApiRegistry, RouteSpec } from "./openapi";
import { v1Url } from "./links";
import { PageQuery } from "./paging";
import { parseWith } from "./validate";

export type V1RouteSpec<Q extends z.ZodObject, B extends z.ZodType, R extends z.ZodType> =
  Omit<RouteSpec, "query" | "body" | "response" | "location" | "statusOf"> & {
    query?: Q;
    body?: B;
    response?: R;
    /** Where the created resource is, under /v1 (e.g. `/Accounts/AC...`); required when status is 201. */
    location?: (out: z.infer<R>) => string | null;
    /** The status when it depends on the outcome (default: `status`). */
    statusOf?: (out: z.infer<R>) => number;
  };

/** The names a route accepts in its query: what its schema declares, and PageSize/PageToken when it pages. */
export const acceptedParameters = (spec: Pick<RouteSpec, "query" | "paged">): string[] =>
  [...Object.keys(spec.query?.shape ?? {}), ...(spec.paged ? Object.keys(PageQuery.shape) : [])];

/** Answers 400 for the first query parameter the route does not declare (exact names: they are case-sensitive). */
export function refuseUnknownParameters(req: Request, spec: RouteSpec): void {
  const accepted = acceptedParameters(spec);
  const unknown = Object.keys(req.query as Record<string, unknown>).find((k) => !accepted.includes(k));
  if (unknown !== undefined) throw Errors.unknownParameter(unknown, `${spec.method.toUpperCase()} /v1${spec.path.replace(/:(\w+)/g, "{$1}")}`, accepted);
}

export function route<Q extends z.ZodObject, B extends z.ZodType, R extends z.ZodType>(
  r: Router,
  registry: ApiRegistry,
  spec: V1RouteSpec<Q, B, R>,
  handler: (req: Request, input: { query: z.infer<Q>; body: z.infer<B> }) => Promise<z.infer<R> | undefined>,
): void {
  if (spec.status === 201 && !spec.location) throw new Error(`${spec.method.toUpperCase()} /v1${spec.path} answers 201 but declares no location`);
  const declared = registry.add(spec as RouteSpec);
  r[spec.method](spec.path, async (req, res) => {
    refuseUnknownParameters(req, declared);
    const query = spec.query ? parseWith(spec.query, req.query, "query") : ({} as z.infer<Q>);
    const body = spec.body ? parseWith(spec.body, req.body, "body") : (undefined as z.infer<B>);
    const out = await handler(req, { query, body });
    if (out === undefined || !spec.response) return void res.status(spec.status === 200 ? 204 : spec.status).end();
    const sent = spec.response.parse(out) as z.infer<R>;
    const status = spec.statusOf ? spec.statusOf(sent) : spec.status;
    const where = status === 201 && spec.location ? spec.location(sent) : null;
    if (where) res.setHeader("Location", v1Url(req, where));
    res.status(status).json(sent);
  });
}
