"use strict";
/**
 * The Admin Center's types (src/admin/api-types.ts), rendered from the /v1 OpenAPI document by
 * openapi-typescript. Used by scripts/render-admin-types.js (npm run build, from dist) and by
 * test/admin/api-types.test.ts (from src), which fails when the committed file is stale.
 */
const { default: openapiTS, astToString } = require("openapi-typescript");

const HEADER = [
  "/**",
  " * Generated from the /v1 OpenAPI document (src/http/v1: the routes' zod schemas) by",
  " * scripts/render-admin-types.js, run by npm run build; test/admin/api-types.test.ts fails when",
  " * this file is stale. Do not edit by hand: src/admin/types.ts names the types the pages use.",
  " */",
  "",
].join("\n");

/** @param {Record<string, unknown>} doc */
async function renderAdminTypes(doc) {
  const ast = await openapiTS(/** @type {any} */ (doc), { alphabetize: true });
  return HEADER + astToString(ast);
}

module.exports = { renderAdminTypes };
