/**
 * 405 with Allow (RFC 9110 §15.5.6): a /v1 path that exists, asked with a method none of its routes
 * answers. The paths and their methods come from the route declarations (./openapi.ts registry),
 * so a new route is covered without a change here. OPTIONS on such a path answers 204 with Allow.
 * Runs before the token is looked up: which methods a path answers is public (/v1/openapi.json).
 */
import type { NextFunction, Request, Response } from "express";
import { Errors } from "../../domain/errors";
import type { ApiRegistry } from "./openapi";

const ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** An express path (`/Accounts/:sid/Users`) as express matches it here: any case, one segment per parameter, an optional trailing slash. */
const matcher = (path: string): RegExp =>
  new RegExp(`^${path.split(/(:\w+)/).map((part) => (part.startsWith(":") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("")}/?$`, "i");

/** The methods a path answers, from every declared route whose path matches it (GET brings HEAD); empty: no such path. */
export function allowedMethods(registry: ApiRegistry, extra: { method: string; path: string }[] = []): (path: string) => string[] {
  const compiled = [...registry.routes.map((r) => ({ method: r.method.toUpperCase(), path: r.path })), ...extra].map((r) => ({ method: r.method, re: matcher(r.path) }));
  return (path) => {
    const methods = new Set(compiled.filter((c) => c.re.test(path)).map((c) => c.method));
    if (methods.size === 0) return [];
    if (methods.has("GET")) methods.add("HEAD");
    methods.add("OPTIONS");
    return ORDER.filter((m) => methods.has(m));
  };
}

export function methodGuard(registry: ApiRegistry, extra: { method: string; path: string }[] = []) {
  let allowed: ((path: string) => string[]) | undefined;
  return (req: Request, res: Response, next: NextFunction): void => {
    allowed ??= allowedMethods(registry, extra); // built at the first request, when every module has declared its routes
    const methods = allowed(req.path);
    if (methods.length === 0 || (methods.includes(req.method) && req.method !== "OPTIONS")) return next();
    res.setHeader("Allow", methods.join(", "));
    if (req.method === "OPTIONS") return void res.status(204).end();
    next(Errors.methodNotAllowed(req.method, `${req.baseUrl}${req.path}`, methods));
  };
}
