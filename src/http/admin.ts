/**
 * The Admin Center (/admin): a static page built from src/admin (its own tsconfig, compiled to
 * dist/admin by `npm run build`). The page talks only to the public /v1 and /scim/v2 APIs with the
 * token its user types in; this router serves files and nothing else, so it holds no back door.
 *
 * /admin/accept is the page an invitation mail links to (src/admin/accept.ts): the invitee's side,
 * with the token after the # (never sent to this server).
 *
 * Its Content-Security-Policy allows only this origin: no inline script or style, no other host
 * for scripts, styles, images, fonts or requests, no framing.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { Router } from "express";
import { prebuilt, sendPrebuilt, type Prebuilt } from "./prebuilt";

export const ADMIN_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * Where the built page is: dist/admin beside dist/http when running the build, or the repository's
 * dist/admin when the server runs from the TypeScript sources (tests).
 */
export function adminPageDir(): string | null {
  const candidates = [join(__dirname, "..", "admin"), join(__dirname, "..", "..", "dist", "admin")];
  return candidates.find((d) => existsSync(join(d, "app.js")) && existsSync(join(d, "index.html"))) ?? null;
}

export function adminRoutes(dir: string | null = adminPageDir()): Router {
  const r = Router({ caseSensitive: true, strict: true });
  r.use((_req, res, next) => {
    res.setHeader("Content-Security-Policy", ADMIN_CSP);
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
    next();
  });
  if (!dir) {
    r.use((_req, res) => {
      res.status(503).type("text/plain").send("The Admin Center is not built: run `npm run build` (it compiles src/admin to dist/admin).\n");
    });
    return r;
  }
  // /admin → /admin/ so that the page's relative URLs resolve under /admin/.
  r.get("/", (req, res, next) => {
    if (!req.originalUrl.split("?")[0]!.endsWith("/")) return void res.redirect(301, `${req.baseUrl}/`);
    next();
  });
  // Every file is read once, here, and served from memory with validators (./prebuilt.ts): a
  // request neither touches the disk nor builds anything, and a path that is not one of these
  // names (no directories, no dot-dot, no other file) is not found.
  const files = pageFiles(dir);
  r.use((req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    const name = req.path === "/" ? "index.html" : req.path === "/accept" ? "accept.html" : req.path.slice(1); // /accept: the invitation mail's link
    const file = files.get(name);
    if (!file) return next();
    sendPrebuilt(req, res, file);
  });
  return r;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

/** The page's files (the top folder of `dir`, of the types above), read once. */
export function pageFiles(dir: string): Map<string, Prebuilt> {
  const files = new Map<string, Prebuilt>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    const path = join(dir, name);
    if (!type || name.startsWith(".") || !statSync(path).isFile()) continue;
    files.set(name, prebuilt(readFileSync(path), type, statSync(path).mtime));
  }
  return files;
}
