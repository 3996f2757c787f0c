/**
 * How /admin is served (no browser needed): the built page under a Content-Security-Policy that
 * allows only this origin, nothing loaded from elsewhere, no inline script or style, and a client
 * that talks only to the public APIs and keeps the token out of storage and URLs.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import express from "express";
import request from "supertest";
import { ADMIN_CSP, adminRoutes } from "../../src/http/admin";
import { startTestServer, type TestServer } from "../helpers/server";
import { ensureAdminBuilt } from "./browser";

const ROOT = join(__dirname, "..", "..");
const SRC = join(ROOT, "src", "admin");
const OUT = join(ROOT, "dist", "admin");

let s: TestServer;
beforeAll(async () => {
  ensureAdminBuilt();
  s = await startTestServer();
}, 120_000);
afterAll(() => s.close());

describe("/admin", () => {
  it("redirects /admin to /admin/ and serves the page with a CSP that allows only 'self'", async () => {
    const redirect = await fetch(`${s.url}/admin`, { redirect: "manual" });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get("location")).toBe("/admin/");

    const page = await fetch(`${s.url}/admin/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("content-security-policy")).toBe(ADMIN_CSP);
    expect(ADMIN_CSP).toBe("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    // no-cache, not no-store: the page is public and revalidated with its ETag on every use (a 304
    // costs nothing), so a deployment of a new version is seen at once (test/hardening/unauthenticated.test.ts).
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect(page.headers.get("etag")).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/admin/app.js"></script>');

    for (const [path, type] of [["/admin/app.js", /javascript/], ["/admin/api.js", /javascript/], ["/admin/admin.css", /^text\/css/], ["/admin/favicon.svg", /^image\/svg\+xml/]] as const) {
      const r = await fetch(`${s.url}${path}`);
      expect([path, r.status]).toEqual([path, 200]);
      expect(r.headers.get("content-type")).toMatch(type);
      expect(r.headers.get("content-security-policy")).toBe(ADMIN_CSP);
    }
  });

  it("serves the accept page at /admin/accept (the invitation mail's link), under the same CSP, sending no Referer", async () => {
    const r = await fetch(`${s.url}/admin/accept`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/html/);
    expect(r.headers.get("content-security-policy")).toBe(ADMIN_CSP);
    expect(r.headers.get("referrer-policy")).toBe("no-referrer");
    expect(await r.text()).toContain('<script type="module" src="/admin/accept.js"></script>');
    expect((await fetch(`${s.url}/admin/accept.js`)).status).toBe(200);
    expect((await fetch(`${s.url}/admin/accept/`)).status).toBe(404);
  });

  it("serves nothing outside the built page", async () => {
    for (const path of ["/admin/nope.js", "/admin/../package.json", "/admin/%2e%2e/package.json", "/admin/tsconfig.json", "/admin/app.ts"]) {
      const r = await fetch(`${s.url}${path}`);
      expect([path, r.status]).toEqual([path, 404]);
    }
  });

  it("keeps the API's own headers for /v1 and /scim/v2 (the page's CSP applies to /admin only)", async () => {
    const r = await fetch(`${s.url}/v1/Organization`);
    expect(r.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it("answers 503 with the way out when the page is not built", async () => {
    const app = express().use("/admin", adminRoutes(null));
    const r = await request(app).get("/admin/");
    expect(r.status).toBe(503);
    expect(r.text).toMatch(/npm run build/);
    expect(r.headers["content-security-policy"]).toBe(ADMIN_CSP);
  });
});

describe("the built page", () => {
  it("loads nothing from another host and has no inline script or style", () => {
    const built = readdirSync(OUT).map((f) => [f, readFileSync(join(OUT, f), "utf8")] as const);
    expect(built.map(([f]) => f).sort()).toEqual(expect.arrayContaining(["admin.css", "app.js", "favicon.svg", "index.html"]));
    for (const [f, text] of built) {
      if (f === "favicon.svg") continue; // its xmlns is a name, not a request
      expect([f, text.match(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/gi)]).toEqual([f, null]);
      expect([f, /@import|url\(/.test(text)]).toEqual([f, false]);
    }
    const html = built.find(([f]) => f === "index.html")![1];
    expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script type="module" src="/admin/app.js">']);
    expect(html).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
    const accept = built.find(([f]) => f === "accept.html")![1];
    expect(accept.match(/<script\b[^>]*>/g)).toEqual(['<script type="module" src="/admin/accept.js">']);
    expect(accept).toContain('<meta name="referrer" content="no-referrer">');
    expect(accept).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
  });
});

describe("the client's source", () => {
  const sources = readdirSync(SRC).filter((f) => f.endsWith(".ts")).map((f) => [f, readFileSync(join(SRC, f), "utf8")] as const);

  it("never keeps the token in storage, cookies or URLs, and never parses HTML", () => {
    for (const [f, text] of sources) {
      for (const banned of [/localStorage/, /sessionStorage/, /document\.cookie/, /indexedDB/, /innerHTML|outerHTML|insertAdjacentHTML|document\.write/, /\beval\(|new Function/]) {
        expect([f, banned.test(text.replace(/^\s*(\*|\/\/).*$/gm, ""))]).toEqual([f, false]);
      }
    }
  });

  it("imports only its own modules (nothing from the server, no package)", () => {
    for (const [f, text] of sources) {
      const imports = [...text.matchAll(/(?:import|export)[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]);
      expect([f, imports.filter((i) => !/^\.\/[a-z-]+\.js$/.test(i!))]).toEqual([f, []]);
    }
  });

  it("calls the public APIs only, through one fetch in api.ts under /v1 and /scim/v2", () => {
    const fetching = sources.filter(([, text]) => /\bfetch\(/.test(text)).map(([f]) => f);
    expect(fetching).toEqual(["api.ts"]);
    // The accept page's calls carry no bearer token, and go to the two routes that take the emailed one.
    expect(sources.filter(([, text]) => /\bv1Public\b/.test(text)).map(([f]) => f).sort()).toEqual(["accept.ts", "api.ts"]);
    const api = sources.find(([f]) => f === "api.ts")![1];
    expect(api.match(/request<T>\(method, `([^`$]*)\$\{path\}`/g)).toEqual(["request<T>(method, `/v1${path}`", "request<T>(method, `/scim/v2${path}`"]);
    expect(api).toContain('credentials: "omit"');
  });
});
