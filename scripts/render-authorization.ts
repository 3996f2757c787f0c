/**
 * Writes docs/authorization.md from the policy table (src/domain/policy/table.ts), through the
 * built renderer. Usage: npm run docs:authorization (builds first).
 */
import fs from "node:fs";
import path from "node:path";
import { builtText, ROOT } from "./built";

const target = path.join(ROOT, "docs", "authorization.md");
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, builtText("domain/policy/render", "renderAuthorizationDoc")());
console.log(`Wrote ${path.relative(process.cwd(), target)}.`);
