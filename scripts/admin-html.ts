/**
 * The Admin Center's HTML documents, written from one shell: src/admin/shell.html holds the head
 * every page shares (its icon, style sheet and module script, all from this origin as the page's
 * Content-Security-Policy wants) and src/admin/<page>.body.html each page's body. `npm run
 * build:admin` writes them into dist/admin (scripts/render-admin-html.ts); the browser tests' own
 * build calls the same function.
 */
import fs from "node:fs";
import path from "node:path";

/** Each document: its file in dist/admin (its body is <name>.body.html), its title, its module script. */
export const ADMIN_DOCUMENTS = [
  { file: "index.html", title: "orgscim Admin Center", script: "app.js" },
  { file: "accept.html", title: "Accept your invitation · orgscim", script: "accept.js" },
] as const;

/** Writes every document from `srcDir`'s shell and bodies into `outDir`; answers the files written. */
export function renderAdminHtml(srcDir: string, outDir: string): string[] {
  const shell = fs.readFileSync(path.join(srcDir, "shell.html"), "utf8");
  return ADMIN_DOCUMENTS.map((doc) => {
    const body = fs.readFileSync(path.join(srcDir, doc.file.replace(/\.html$/, ".body.html")), "utf8");
    fs.writeFileSync(path.join(outDir, doc.file), fill(shell, { title: doc.title, script: doc.script, body }));
    return doc.file;
  });
}

/** `{{name}}` in the shell replaced by its value, as it is (a function, so no `$` pattern applies); an unknown name is an error. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_all, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`src/admin/shell.html: no value for {{${name}}}`);
    return value;
  });
}
