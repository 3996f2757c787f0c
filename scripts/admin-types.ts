/**
 * The Admin Center's types (src/admin/api-types.ts), rendered from the /v1 OpenAPI document by
 * openapi-typescript. Used by ./render-admin-types.ts (npm run build) and by
 * test/admin/api-types.test.ts (through the compiled dist-scripts/admin-types.js: openapi-typescript
 * loads ES modules with require(), which node does and jest's module system does not), which fails
 * when the committed file is stale.
 */
import openapiTS, { astToString } from "openapi-typescript";

const HEADER = [
  "/**",
  " * Generated from the /v1 OpenAPI document (src/http/v1: the routes' zod schemas) by",
  " * scripts/render-admin-types.ts, run by npm run build; test/admin/api-types.test.ts fails when",
  " * this file is stale. Do not edit by hand: src/admin/types.ts names the types the pages use.",
  " */",
  "",
].join("\n");

/** `doc` is the document as the server builds it; openapi-typescript reads it as JSON text. */
export async function renderAdminTypes(doc: unknown): Promise<string> {
  const text = JSON.stringify(doc);
  if (typeof text !== "string" || !text.startsWith("{")) throw new Error(`an OpenAPI document is a JSON object, not ${text === undefined ? typeof doc : text.slice(0, 40)}`);
  const ast = await openapiTS(text, { alphabetize: true });
  return HEADER + astToString(ast);
}
