/**
 * Writes docs/errors.md from the error catalogue (src/domain/errors.ts) and its notes
 * (src/http/error-notes.ts), through the built renderer. Usage: npm run docs:errors (builds first).
 */
import fs from "node:fs";
import path from "node:path";
import { builtText, ROOT } from "./built";

const target = path.join(ROOT, "docs", "errors.md");
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, builtText("http/errors-doc", "renderErrorsDoc")());
console.log(`Wrote ${path.relative(process.cwd(), target)}.`);
