/**
 * Writes src/admin/api-types.ts from the built server's /v1 OpenAPI document. Run by npm run build
 * (after the server's and the scripts' tsc, before the Admin Center's), so the console is compiled
 * against the document the server serves.
 */
import fs from "node:fs";
import path from "node:path";
import { renderAdminTypes } from "./admin-types";
import { builtFunction, ROOT } from "./built";

const v1Document = builtFunction("http/v1/router", "v1Document");
const target = path.join(ROOT, "src", "admin", "api-types.ts");
renderAdminTypes(v1Document("")).then((text) => {
  if (!fs.existsSync(target) || fs.readFileSync(target, "utf8") !== text) {
    fs.writeFileSync(target, text);
    console.log(`Wrote ${path.relative(process.cwd(), target)}.`);
  }
}, (err: unknown) => {
  console.error(err);
  process.exit(1);
});
