/**
 * The route template of a request (/scim/v2/Users/:id), for the metrics and the span names: taken
 * when the router sets req.route, while req.baseUrl is that router's mount (by the time the
 * response ends, an error may have carried the request out of the router, and baseUrl with it).
 * Unset when no route matched (a 401 before routing, a 404): callers use "<mount>/*".
 */
import type { NextFunction, Request, Response } from "express";

declare module "express-serve-static-core" {
  interface Request {
    routeTemplate?: string;
  }
}

export function routeTemplates(req: Request, _res: Response, next: NextFunction): void {
  let route: unknown;
  Object.defineProperty(req, "route", {
    configurable: true, enumerable: true,
    get: () => route,
    set: (v: { path?: unknown } | undefined) => {
      route = v;
      req.routeTemplate = `${req.baseUrl}${typeof v?.path === "string" ? v.path : ""}`;
    },
  });
  next();
}
