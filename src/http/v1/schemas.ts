/**
 * The named schemas of /v1: every resource, list and request body is registered here under the
 * name it has in the OpenAPI document (components.schemas), so generated clients (the Admin
 * Center's src/admin/api-types.ts among them) get readable type names. ./openapi.ts refuses a
 * route whose body or response is not named.
 */
import { z } from "zod";

export const v1Schemas = z.registry<{ id: string }>();

/** Registers `schema` as components.schemas[id] and returns it. */
export function named<T extends z.ZodType>(id: string, schema: T): T {
  if (v1Schemas.get(schema)) throw new Error(`${id}: this schema is already named ${v1Schemas.get(schema)!.id}`);
  v1Schemas.add(schema, { id });
  return schema;
}

export const nameOf = (schema: z.ZodType | undefined): string | undefined => (schema ? v1Schemas.get(schema)?.id : undefined);
