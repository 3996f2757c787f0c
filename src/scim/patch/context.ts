/**
 * What the PATCH engine needs to know about a resource type: the schema index (attribute
 * definitions, without case) and the resolver the shared filter parser takes for value filters.
 * Build one per resource type at start-up and reuse it.
 */
import { createResolver, type Resolver } from "../attributes";
import { SchemaIndex, type SchemaDoc } from "./schema-index";

/** The resolver `parseFilter` takes (src/scim/attributes.ts). */
export type FilterResolver = Resolver;

export interface PatchSchema {
  index: SchemaIndex;
  resolver: FilterResolver;
}

/** Builds the PATCH view of a resource type from its schema documents (RFC 7643 §7). */
export function createPatchSchema(
  core: SchemaDoc,
  extensions: SchemaDoc[] = [],
  resolver: FilterResolver = createResolver(core, extensions),
): PatchSchema {
  return { index: new SchemaIndex(core, extensions), resolver };
}
