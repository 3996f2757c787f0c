/**
 * The application's walk to the SCIM mount, flat (issue 18: the express layers a SCIM request
 * walked before the flat SCIM dispatch, ~11 µs of a write). express (5, router 2.x) hands every
 * request to its application's router, which walks the layers in front of /scim/v2 one `next` at
 * a time (the observability hooks, the request log, the security headers, the overload depth and
 * the health routes between them), building for each request a final handler, a restore closure
 * and a `next`, and for each layer a match object, a params callback and a path parse.
 *
 * flatFront(app, "/scim/v2") reads the application's layers at its first request and, when every
 * layer in front of the mount is one it can model, walks a plain request to that mount over them
 * itself, with express's rules and effects, in express's order:
 * - the request and response get the application's prototypes (unless the server made them with
 *   those already: ./request-classes.ts serverClasses), `req.res`, `res.req`, `res.locals`,
 *   `req.originalUrl`, `req.baseUrl` (""), `req.next`, as app.handle and the router give them;
 * - each path-less middleware (`app.use(fn)`) runs with `req.params` a fresh {} and the router's
 *   matched-route mark "/", as express runs it; an error handler (four parameters) is passed over;
 * - a route registered on the application in front of the mount has a static path, which a path
 *   under the mount (at least one segment below it) never matches: it is passed over, as express
 *   passes over a route whose path does not match;
 * - at the mount, `req.url` loses the mount's path and `req.baseUrl` gets it, as the request spelt
 *   it (the mount is case-insensitive); its handler (the SCIM dispatcher) runs; when it passes the
 *   request on, `req.url` and `req.baseUrl` are restored.
 * Whatever leaves that walk (an error, `next("router")`, the SCIM dispatcher passing the request on
 * to what follows the mount) is handed to express itself, from the layer it had reached: a router
 * over the application's remaining layers, through app.handle's own code (its final handler).
 * A plain request is what the SCIM dispatcher walks flat (./scim/flat-routes.ts): GET, POST, PUT,
 * PATCH or DELETE, a path of plain segments under the mount; any other request, any request while
 * express's tracing channel has subscribers, a mounted application (a callback given), an
 * application whose layers in front of the mount are of another kind (a middleware with a path, a
 * route with parameters), or one whose case-sensitive or strict routing is on, goes to express as
 * before. test/http/app-front.test.ts holds the two walks to the same answers and the same effects.
 */
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import { createRequire } from "node:module";
import { bornWith } from "./request-classes";
import { FLAT_METHODS, isThenable, PLAIN_PATH, traced } from "./scim/flat-routes";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (...args: any[]) => unknown;

/** What is read of a router 2.x layer. */
interface Layer {
  handle: Handler;
  route?: unknown;
  rawPath?: unknown;
  slash?: boolean;
}

/** The symbol express's router marks a request's matched layer path with; null when it is not where router 2.x keeps it. */
function routerMatchedRoute(): symbol | null {
  try {
    const symbols = createRequire(require.resolve("express"))("router/lib/symbols") as { matchedRoute?: unknown };
    return typeof symbols.matchedRoute === "symbol" ? symbols.matchedRoute : null;
  } catch {
    return null;
  }
}
const MATCHED_ROUTE = routerMatchedRoute();

/** A route path a plain path under the mount can never match: static segments only. */
const STATIC_ROUTE = /^(?:\/[A-Za-z0-9._~@-]+)+$/;

interface Plan {
  /** The application's layers when the plan was made (a layer added since turns the plan off). */
  stack: Layer[];
  length: number;
  /** The path-less middleware in front of the mount, with their index in the stack; routes left out. */
  before: { fn: Handler; at: number }[];
  /** The mount's index and its first handler. */
  mountAt: number;
  mount: Handler;
}

type Marked = Request & Record<symbol, unknown>;

export interface FlatFront {
  /** Whether the application's layers allow the flat walk (made at the first request, or now). */
  flat(): boolean;
  /** Requests walked flat so far (a test's question). */
  walked(): number;
}

const fronts = new WeakMap<object, FlatFront>();

/** The flat front installed on `app`, if any (tests). */
export const frontOf = (app: object): FlatFront | undefined => fronts.get(app);

/** Installs the flat walk on `app` (its handle), for the plain requests under `mountPath` ("/scim/v2"). */
export function flatFront(app: Express, mountPath: string): FlatFront {
  type Handle = (this: unknown, req: Request, res: Response, callback?: NextFunction) => void;
  const withHandle = app as unknown as { handle: Handle };
  const appHandle = withHandle.handle;
  const prefix = `${mountPath.toLowerCase()}/`;
  let plan: Plan | null | undefined;
  let walked = 0;

  function makePlan(): Plan | null {
    if (MATCHED_ROUTE === null || app.enabled("case sensitive routing") || app.enabled("strict routing")) return null;
    const router = app.router as unknown as { stack: Layer[]; params?: Record<string, unknown> };
    if (router.params && Object.keys(router.params).length > 0) return null;
    const stack = router.stack;
    const before: Plan["before"] = [];
    for (let at = 0; at < stack.length; at++) {
      const layer = stack[at]!;
      if (layer.route !== undefined) {
        const paths = Array.isArray(layer.rawPath) ? (layer.rawPath as unknown[]) : [layer.rawPath];
        if (!paths.every((p) => typeof p === "string" && STATIC_ROUTE.test(p) && !`${p.toLowerCase()}/`.startsWith(prefix))) return null;
        continue;
      }
      if (layer.slash === true) {
        before.push({ fn: layer.handle, at });
        continue;
      }
      if (layer.rawPath === mountPath && typeof layer.handle === "function") return { stack, length: stack.length, before, mountAt: at, mount: layer.handle };
      return null; // a middleware with another path: not modelled
    }
    return null;
  }

  const current = (): Plan | null => {
    const stack = (app.router as unknown as { stack: Layer[] }).stack;
    if (plan === undefined || (plan !== null && (plan.stack !== stack || plan.length !== stack.length))) plan = makePlan();
    return plan;
  };

  /** express's own handling of what is left from layer `from` on, entered with `err`. */
  function handOver(req: Request, res: Response, from: number, err: unknown): void {
    const rest = express.Router();
    rest.use((_req: Request, _res: Response, next: NextFunction) => next(err));
    const { stack } = app.router as unknown as { stack: Layer[] };
    (rest.stack as unknown as Layer[]).push(...stack.slice(from));
    appHandle.call(Object.create(app, { router: { value: rest } }), req, res);
  }

  function walk(p: Plan, req: Request, res: Response): void {
    walked++;
    req.res = res;
    res.req = req;
    // A request the server made with the app's prototypes keeps them (./request-classes.ts): no change of prototype.
    if (!bornWith(req, app.request)) Object.setPrototypeOf(req, app.request);
    if (!bornWith(res, app.response)) Object.setPrototypeOf(res, app.response);
    if (!res.locals) res.locals = Object.create(null) as Response["locals"];
    req.baseUrl = "";
    req.originalUrl = req.originalUrl || req.url;
    const { before } = p;
    const mark = MATCHED_ROUTE as symbol;
    let i = 0;
    let removed = "";
    let at = -1; // the index in the stack of the layer last entered
    let mounted = false;
    const call = (fn: Handler): void => {
      try {
        const ret = fn(req, res, next);
        if (isThenable(ret)) ret.then(undefined, (e: unknown) => next(e || new Error("Rejected promise")));
      } catch (e) {
        next(e);
      }
    };
    function next(e?: unknown): void {
      if (removed !== "") {
        req.baseUrl = "";
        req.url = removed + req.url;
        removed = "";
      }
      // As express: "route" is no error; any other truthy value is one, and "router" leaves the application's router.
      if (e && e !== "route") return handOver(req, res, at + 1, e);
      while (i < before.length) {
        const step = before[i++]!;
        at = step.at;
        (req as Marked)[mark] = "/";
        req.params = {};
        if (step.fn.length > 3) continue; // an error handler, passed over without an error
        return call(step.fn);
      }
      if (mounted) return handOver(req, res, p.mountAt + 1, e);
      mounted = true;
      at = p.mountAt;
      removed = req.url.slice(0, mountPath.length);
      req.url = req.url.slice(mountPath.length);
      req.baseUrl = removed;
      (req as Marked)[mark] = mountPath;
      req.params = {};
      call(p.mount);
    }
    req.next = next;
    next();
  }

  withHandle.handle = function handle(this: unknown, req: Request, res: Response, callback?: NextFunction): void {
    if (callback === undefined && FLAT_METHODS.has(req.method) && !app.settings["x-powered-by"]) {
      const url = req.url;
      const q = url.indexOf("?");
      const path = q < 0 ? url : url.slice(0, q);
      if (path.length > prefix.length && (path.startsWith(prefix) || path.slice(0, prefix.length).toLowerCase() === prefix) && PLAIN_PATH.test(path) && !traced()) {
        const p = current();
        if (p !== null) return walk(p, req, res);
      }
    }
    appHandle.call(this, req, res, callback);
  };

  const front: FlatFront = { flat: () => current() !== null, walked: () => walked };
  fronts.set(app, front);
  return front;
}
