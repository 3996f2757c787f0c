/**
 * The product's own code, loaded from the production build (dist/, made by `npm run build`) so
 * that the data set is written by exactly the code the benchmarked server runs. Types come from
 * src/. (Importing src/ directly would compile a second copy into dist-bench/, where
 * src/scim/schemas.ts cannot find the schemas/ folder it reads relative to itself.)
 */
import { createRequire } from "node:module";
import { join } from "node:path";

export const ROOT = join(__dirname, "..", "..");
const load = createRequire(join(ROOT, "dist", "main.js"));

export const product = {
  open: load("./store/open") as typeof import("../src/store/open"),
  orgs: load("./domain/orgs") as typeof import("../src/domain/orgs"),
  tokens: load("./domain/tokens") as typeof import("../src/domain/tokens"),
  ids: load("./domain/ids") as typeof import("../src/domain/ids"),
  roleGroups: load("./domain/role-groups") as typeof import("../src/domain/role-groups"),
  clock: load("./domain/clock") as typeof import("../src/domain/clock"),
  coerce: load("./scim/coerce") as typeof import("../src/scim/coerce"),
  userResource: load("./scim/user-resource") as typeof import("../src/scim/user-resource"),
  groupResource: load("./scim/group-resource") as typeof import("../src/scim/group-resource"),
  resourceTypes: load("./scim/resource-types") as typeof import("../src/scim/resource-types"),
  pageTokens: load("./domain/page-tokens") as typeof import("../src/domain/page-tokens"),
  cursors: load("./store/cursors") as typeof import("../src/store/cursors"),
};
