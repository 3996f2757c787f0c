/**
 * Writes dist/admin/index.html and accept.html from src/admin/shell.html and each page's body
 * (scripts/admin-html.ts). Run by `npm run build:admin`, after the client's tsc.
 */
import path from "node:path";
import { renderAdminHtml } from "./admin-html";
import { ROOT } from "./built";

renderAdminHtml(path.join(ROOT, "src", "admin"), path.join(ROOT, "dist", "admin"));
