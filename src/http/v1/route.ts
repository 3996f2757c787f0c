/**
 * Declares one /v1 route: its zod schemas go into the OpenAPI registry, and the handler gets the
 * parsed query and body. The handler returns the response body (validated against the declared
 * schema, so the document never drifts from what is sent) or undefined for 204.
 */
import type { Request, Router } from "express";
import type { z } from "zod";
import type { ApiRegistry, RouteSpec } from "./openapi";
import { parseWith } from "./validate";

export function route<Q extends z.ZodObject, B extends z.ZodType, R extends z.ZodType>(
  r: Router,
  registry: ApiRegistry,
  spec: Omit<RouteSpec, "query" | "body" | "response"> & { query?: Q; body?: B; response?: R },
  handler: (req: Request, input: { query: z.infer<Q>; body: z.infer<B> }) => Promise<z.infer<R> | undefined>,
): void {
  registry.add(spec as RouteSpec);
  r[spec.method](spec.path, async (req, res) => {
    const query = spec.query ? parseWith(spec.query, req.query, "query") : ({} as z.infer<Q>);
    const body = spec.body ? parseWith(spec.body, req.body, "body") : (undefined as z.infer<B>);
    const out = await handler(req, { query, body });
    if (out === undefined || !spec.response) return void res.status(spec.status === 200 ? 204 : spec.status).end();
    res.status(spec.status).json(spec.response.parse(out));
  });
}
